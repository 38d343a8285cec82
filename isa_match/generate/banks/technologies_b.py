"""Technology topics, part two (same layout as :mod:`.technologies`)."""

from __future__ import annotations

from .technologies import TechGroup

TECH_GROUPS_B: tuple[TechGroup, ...] = (
    (
        "energy_eff",
        "energy_eff",
        ("C28", "M71"),
        ("Energieeffizienz", "节能", "energy efficiency"),
        (
            (
                "kiln_heat",
                "Abwärmenutzung an Keramiköfen",
                "陶瓷窑炉余热回收",
                "waste-heat recovery from ceramic kilns",
            ),
            (
                "compressed_air",
                "Druckluftoptimierung in Fabriken",
                "工厂压缩空气系统节能",
                "compressed-air optimisation in factories",
            ),
            (
                "ind_heatpump_tech",
                "Wärmepumpen für Prozesswärme in Lebensmittelbetrieben",
                "食品厂工艺热泵",
                "heat pumps for process heat in food plants",
            ),
        ),
    ),
    (
        "digital",
        "industrial_software",
        ("J62",),
        ("Industriesoftware", "工业软件", "industrial software"),
        (
            (
                "pdm_tools",
                "vorausschauende Wartung für Werkzeugmaschinen",
                "机床预测性维护",
                "predictive maintenance for machine tools",
            ),
            (
                "twin_imm",
                "Digital-Twin-Lösung für Spritzgießprozesse",
                "注塑工艺数字孪生",
                "digital twin for injection moulding",
            ),
            (
                "mes_battery",
                "MES für die Batteriezellfertigung",
                "电池电芯生产MES系统",
                "MES for battery cell production",
            ),
            (
                "wms_ai",
                "KI-gestützte Lagerverwaltung",
                "AI智能仓储管理",
                "AI-based warehouse management",
            ),
        ),
    ),
    (
        "coating_tech",
        "coatings",
        ("C25", "C20"),
        ("Beschichtung", "涂层", "coating"),
        (
            (
                "pvd_tools",
                "PVD-Beschichtung von Schneidwerkzeugen",
                "刀具PVD涂层",
                "PVD coating of cutting tools",
            ),
            (
                "anti_corrosion",
                "Korrosionsschutzbeschichtung für Offshore-Stahlbau",
                "海上钢结构防腐涂层",
                "anti-corrosion coating for offshore steel structures",
            ),
            (
                "powder_coating",
                "Pulverbeschichtung von Aluminiumprofilen",
                "铝型材粉末喷涂",
                "powder coating of aluminium profiles",
            ),
        ),
    ),
    (
        "battery_tech",
        "battery_cells",
        ("C27", "M72"),
        ("Batterietechnik", "电池技术", "battery technology"),
        (
            (
                "dry_coating",
                "Trockenbeschichtung von Batterieelektroden",
                "电池电极干法涂布",
                "dry coating of battery electrodes",
            ),
            (
                "sodium_ion",
                "Natrium-Ionen-Zellen für stationäre Speicher",
                "储能用钠离子电池",
                "sodium-ion cells for stationary storage",
            ),
            (
                "bms",
                "Batteriemanagementsysteme für Nutzfahrzeuge",
                "商用车电池管理系统",
                "battery management systems for commercial vehicles",
            ),
        ),
    ),
    (
        "agri_tech",
        "agritech",
        ("A01", "C28"),
        ("Agrartechnik", "农业技术", "agricultural technology"),
        (
            (
                "drip_irrigation",
                "Präzisionsbewässerung für Obstplantagen",
                "果园精准灌溉",
                "precision irrigation for orchards",
            ),
            (
                "spray_drones",
                "Drohnen für den Pflanzenschutz",
                "植保无人机",
                "crop protection drones",
            ),
            (
                "vertical_farming",
                "Vertical Farming für Blattgemüse",
                "叶菜垂直农场",
                "vertical farming for leafy greens",
            ),
        ),
    ),
    (
        "rail_tech",
        "rail",
        ("C30", "M72"),
        ("Bahntechnik", "轨道交通技术", "rail technology"),
        (
            (
                "rail_monitoring",
                "Zustandsüberwachung von Drehgestellen",
                "转向架状态监测",
                "condition monitoring of bogies",
            ),
            (
                "rail_braking",
                "Bremssysteme für Stadtbahnen",
                "城轨车辆制动系统",
                "braking systems for light rail vehicles",
            ),
        ),
    ),
    (
        "bio_tech",
        "biotech",
        ("C21", "M72"),
        ("Biotechnologie", "生物技术", "biotechnology"),
        (
            (
                "enzymes",
                "Fermentation von Enzymen für Waschmittel",
                "洗涤剂用酶制剂发酵",
                "fermentation of enzymes for detergents",
            ),
            (
                "mrna_lnp",
                "Lipid-Nanopartikel für mRNA-Wirkstoffe",
                "mRNA药物脂质纳米颗粒",
                "lipid nanoparticles for mRNA drugs",
            ),
            (
                "ebeam",
                "Elektronenstrahl-Sterilisation von Medizinprodukten",
                "医疗器械电子束灭菌",
                "electron-beam sterilisation of medical devices",
            ),
        ),
    ),
    (
        "construction_tech",
        "green_building",
        ("F41", "F43"),
        ("Bautechnik", "建筑技术", "construction"),
        (
            (
                "timber_hybrid",
                "Holz-Hybrid-Bauweise für Bürogebäude",
                "办公楼木混结构建造",
                "timber-hybrid construction for office buildings",
            ),
            (
                "modular_build",
                "modulares Bauen mit Stahlmodulen",
                "钢结构模块化建筑",
                "modular construction with steel modules",
            ),
            (
                "facade_pv",
                "gebäudeintegrierte Photovoltaik für Fassaden",
                "光伏建筑一体化幕墙",
                "building-integrated photovoltaics for facades",
            ),
        ),
    ),
)
