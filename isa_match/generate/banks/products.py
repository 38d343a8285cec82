"""Product topics: groups of sibling variants (German, Chinese, English)."""

from __future__ import annotations

from .._model import Tri

# (group, family, NACE divisions, unit, certificate, short name, variants (id, de, zh, en))
ProductGroup = tuple[
    str, str, tuple[str, ...], str, str, Tri, tuple[tuple[str, str, str, str], ...]
]

PRODUCT_GROUPS: tuple[ProductGroup, ...] = (
    (
        "lithium",
        "battery_cells",
        ("C20",),
        "t",
        "reach",
        ("Lithium", "锂盐", "lithium"),
        (
            (
                "li2co3_batt",
                "Lithiumcarbonat in Batteriequalität",
                "电池级碳酸锂",
                "battery-grade lithium carbonate",
            ),
            (
                "li2co3_tech",
                "Lithiumcarbonat in technischer Qualität",
                "工业级碳酸锂",
                "technical-grade lithium carbonate",
            ),
            (
                "lioh",
                "Lithiumhydroxid-Monohydrat in Batteriequalität",
                "电池级单水氢氧化锂",
                "battery-grade lithium hydroxide monohydrate",
            ),
        ),
    ),
    (
        "electrode",
        "battery_cells",
        ("C20", "C27"),
        "t",
        "iso9001",
        ("Elektrodenmaterial", "电极材料", "electrode material"),
        (
            ("lfp_cathode", "LFP-Kathodenmaterial", "磷酸铁锂正极材料", "LFP cathode material"),
            ("ncm_cathode", "NCM-Kathodenmaterial", "三元（NCM）正极材料", "NCM cathode material"),
            (
                "graphite_anode",
                "Anodenmaterial aus synthetischem Graphit",
                "人造石墨负极材料",
                "synthetic graphite anode material",
            ),
        ),
    ),
    (
        "cells",
        "battery_cells",
        ("C27",),
        "pcs",
        "un38",
        ("Batteriezellen", "锂电池", "battery cells"),
        (
            (
                "lfp_prismatic",
                "prismatische LFP-Zellen für Batteriespeicher",
                "储能用方形磷酸铁锂电芯",
                "prismatic LFP cells for battery storage",
            ),
            (
                "cyl_21700",
                "Rundzellen 21700 für E-Bikes",
                "电动自行车用21700圆柱电芯",
                "21700 cylindrical cells for e-bikes",
            ),
            (
                "agv_pack",
                "Batteriepacks für fahrerlose Transportfahrzeuge",
                "AGV用锂电池包",
                "battery packs for automated guided vehicles",
            ),
        ),
    ),
    (
        "injection",
        "plastics",
        ("C22",),
        "pcs",
        "iatf",
        ("Kunststoffteile", "注塑件", "plastic parts"),
        (
            (
                "pa66_parts",
                "Spritzgussteile aus PA66-GF30",
                "PA66-GF30注塑件",
                "injection-moulded parts made of PA66-GF30",
            ),
            (
                "pc_housings",
                "Elektronikgehäuse aus Polycarbonat",
                "聚碳酸酯电子外壳",
                "polycarbonate housings for electronics",
            ),
            (
                "pp_crates",
                "Mehrweg-Transportkisten aus PP",
                "PP周转箱",
                "reusable PP transport crates",
            ),
        ),
    ),
    (
        "recyclate",
        "plastics_recycling",
        ("E38", "C22"),
        "t",
        "iso9001",
        ("Rezyklat", "再生塑料", "recycled plastics"),
        (
            (
                "rpet",
                "rPET-Flakes in Lebensmittelqualität",
                "食品级再生PET瓶片",
                "food-grade rPET flakes",
            ),
            ("rpp", "PP-Rezyklat als Granulat", "再生PP颗粒", "recycled PP granulate"),
            (
                "rpe_film",
                "Verpackungsfolie aus recyceltem PE",
                "再生PE包装膜",
                "packaging film made of recycled PE",
            ),
        ),
    ),
    (
        "tiles",
        "ceramics",
        ("C23",),
        "m2",
        "ce",
        ("Keramik", "陶瓷", "ceramics"),
        (
            (
                "porcelain_tiles",
                "großformatige Feinsteinzeugfliesen",
                "大规格瓷质砖",
                "large-format porcelain tiles",
            ),
            (
                "sanitary",
                "Sanitärkeramik (WCs und Waschtische)",
                "卫生陶瓷（坐便器和洗手盆）",
                "sanitary ceramics (toilets and washbasins)",
            ),
            (
                "alumina",
                "Strukturbauteile aus Aluminiumoxidkeramik",
                "氧化铝陶瓷结构件",
                "alumina ceramic structural parts",
            ),
        ),
    ),
    (
        "stone",
        "stone",
        ("C23", "B08"),
        "m2",
        "ce",
        ("Naturstein", "石材", "natural stone"),
        (
            ("granite_slabs", "polierte Granitplatten", "花岗岩抛光板", "polished granite slabs"),
            (
                "marble_tiles",
                "Marmorfliesen für Innenräume",
                "室内大理石地砖",
                "marble floor tiles",
            ),
            (
                "quartz_stone",
                "Quarzkomposit-Arbeitsplatten",
                "石英石台面板",
                "quartz composite worktops",
            ),
        ),
    ),
    (
        "steel",
        "steel",
        ("C24",),
        "t",
        "iso9001",
        ("Stahl", "钢材", "steel"),
        (
            (
                "ss_strip",
                "kaltgewalztes Edelstahlband 1.4301",
                "304不锈钢冷轧带钢",
                "cold-rolled stainless steel strip 1.4301 (304)",
            ),
            (
                "go_steel",
                "kornorientiertes Elektroband",
                "取向硅钢",
                "grain-oriented electrical steel",
            ),
            (
                "seamless",
                "nahtlose Präzisionsstahlrohre für Hydraulik",
                "液压用精密无缝钢管",
                "seamless precision steel tubes for hydraulics",
            ),
        ),
    ),
    (
        "blades",
        "cutting_tools",
        ("C25",),
        "pcs",
        "iso9001",
        ("Klingen", "刀具", "blades"),
        (
            (
                "kitchen_knives",
                "Küchenmesser aus Damaststahl",
                "大马士革钢厨房刀具",
                "Damascus steel kitchen knives",
            ),
            (
                "slitting_blades",
                "Industrieklingen zum Schneiden von Folien",
                "薄膜分切用工业刀片",
                "industrial blades for film slitting",
            ),
            ("carbide_drills", "Vollhartmetallbohrer", "整体硬质合金钻头", "solid carbide drills"),
        ),
    ),
    (
        "hardware",
        "precision",
        ("C25",),
        "pcs",
        "iso9001",
        ("Verbindungselemente", "五金件", "hardware"),
        (
            (
                "ss_fasteners",
                "Verbindungselemente aus Edelstahl nach DIN/ISO",
                "DIN/ISO标准不锈钢紧固件",
                "stainless steel fasteners to DIN/ISO",
            ),
            (
                "zinc_fittings",
                "Möbelbeschläge aus Zinkdruckguss",
                "锌合金压铸家具五金",
                "zinc die-cast furniture fittings",
            ),
            (
                "ball_valves",
                "Kugelhähne aus Edelstahl",
                "不锈钢球阀",
                "stainless steel ball valves",
            ),
        ),
    ),
    (
        "electronics",
        "semiconductors",
        ("C26",),
        "pcs",
        "rohs",
        ("Elektronik", "电子元器件", "electronics"),
        (
            (
                "pcba",
                "bestückte Leiterplatten für Industriesteuerungen",
                "工业控制用PCBA板",
                "assembled PCBs for industrial controls",
            ),
            (
                "pressure_sensors",
                "Drucksensoren für Hydraulikanwendungen",
                "液压用压力传感器",
                "pressure sensors for hydraulic applications",
            ),
            ("pt100", "Temperaturfühler PT100", "PT100温度传感器", "PT100 temperature probes"),
            (
                "sic_modules",
                "SiC-Leistungsmodule für Wechselrichter",
                "逆变器用碳化硅功率模块",
                "SiC power modules for inverters",
            ),
        ),
    ),
    (
        "lighting",
        "led",
        ("C27",),
        "pcs",
        "ce",
        ("LED-Leuchten", "LED灯具", "LED lighting"),
        (
            (
                "led_street",
                "LED-Module für die Straßenbeleuchtung",
                "LED路灯模组",
                "LED modules for street lighting",
            ),
            (
                "led_grow",
                "LED-Pflanzenleuchten für Gewächshäuser",
                "温室LED植物生长灯",
                "LED grow lights for greenhouses",
            ),
            ("led_panels", "LED-Panels für Büros", "办公室LED面板灯", "LED panels for offices"),
        ),
    ),
    (
        "motors",
        "automation",
        ("C27",),
        "pcs",
        "ce",
        ("Elektromotoren", "电机", "electric motors"),
        (
            (
                "bldc",
                "bürstenlose Gleichstrommotoren (BLDC)",
                "无刷直流电机",
                "brushless DC motors",
            ),
            (
                "servo",
                "Servomotoren mit Absolutwertgeber",
                "带绝对值编码器的伺服电机",
                "servo motors with absolute encoders",
            ),
            (
                "geared_motors",
                "Getriebemotoren für Fördertechnik",
                "输送设备用减速电机",
                "geared motors for conveyor systems",
            ),
        ),
    ),
    (
        "charging",
        "ev",
        ("C27",),
        "pcs",
        "ce",
        ("Ladetechnik", "充电设备", "charging equipment"),
        (
            ("wallbox", "Wallboxen mit 11 kW", "11kW交流充电桩", "11 kW AC wallboxes"),
            (
                "dc_charger",
                "DC-Schnellladesäulen mit 120 kW",
                "120kW直流快充桩",
                "120 kW DC fast chargers",
            ),
            (
                "charge_cables",
                "Ladekabel Typ 2 für Elektroautos",
                "电动汽车Type 2充电线",
                "Type 2 charging cables for electric cars",
            ),
        ),
    ),
)
