"""More technology topics (same layout as :mod:`.technologies`)."""

from __future__ import annotations

from .technologies import TechGroup

MORE_TECH_GROUPS: tuple[TechGroup, ...] = (
    (
        "grid_tech",
        "energy_eff",
        ("D35", "J62"),
        ("Energiesysteme", "能源系统", "energy systems"),
        (
            (
                "vpp_parks",
                "virtuelle Kraftwerke für Gewerbeparks",
                "工业园区虚拟电厂",
                "virtual power plants for business parks",
            ),
            (
                "charging_load",
                "Lastmanagement für Ladeparks",
                "充电站负荷管理",
                "load management for charging parks",
            ),
            ("island_grid", "Microgrids für Inseln", "海岛微电网", "microgrids for islands"),
        ),
    ),
    (
        "ceramic_tech",
        "ceramics",
        ("C23",),
        ("Keramiktechnik", "陶瓷工艺", "ceramics technology"),
        (
            (
                "tile_inkjet",
                "Digitaldruck auf Keramikfliesen",
                "瓷砖数码喷墨打印",
                "digital inkjet printing on ceramic tiles",
            ),
            (
                "si3n4_sinter",
                "Sintern von Siliziumnitridkeramik",
                "氮化硅陶瓷烧结",
                "sintering of silicon nitride ceramics",
            ),
            (
                "dry_granulation",
                "Trockengranulierung von Fliesenmassen",
                "陶瓷干法制粉",
                "dry granulation of tile bodies",
            ),
        ),
    ),
    (
        "vehicle_it",
        "autonomous",
        ("C29", "J62"),
        ("Fahrzeug-IT", "汽车电子", "vehicle IT"),
        (
            (
                "lidar_bus",
                "Lidar-Sensorfusion für autonome Kleinbusse",
                "自动驾驶小巴激光雷达融合",
                "lidar sensor fusion for autonomous minibuses",
            ),
            (
                "ota",
                "Over-the-Air-Updates für Steuergeräte",
                "汽车控制器OTA升级",
                "over-the-air updates for vehicle control units",
            ),
            (
                "v2x",
                "V2X-Kommunikation an Kreuzungen",
                "路口车路协同（V2X）",
                "V2X communication at intersections",
            ),
        ),
    ),
    (
        "food_tech",
        "food",
        ("C10",),
        ("Lebensmitteltechnik", "食品技术", "food technology"),
        (
            (
                "hpp",
                "Hochdruckbehandlung (HPP) von Säften",
                "果汁超高压杀菌（HPP）",
                "high-pressure processing (HPP) of juices",
            ),
            ("freeze_dry", "Gefriertrocknung von Obst", "水果冻干", "freeze-drying of fruit"),
            (
                "plant_meat",
                "Extrusion pflanzlicher Fleischalternativen",
                "植物基肉制品挤压工艺",
                "extrusion of plant-based meat alternatives",
            ),
        ),
    ),
    (
        "chip_tech",
        "semiconductors",
        ("C26",),
        ("Halbleitertechnik", "半导体工艺", "semiconductor technology"),
        (
            (
                "sic_epi",
                "SiC-Epitaxie für Leistungshalbleiter",
                "功率器件碳化硅外延",
                "SiC epitaxy for power semiconductors",
            ),
            (
                "wire_bonding",
                "Drahtbonden von Leistungsmodulen",
                "功率模块引线键合",
                "wire bonding of power modules",
            ),
            (
                "wafer_cleaning",
                "nasschemische Waferreinigung",
                "晶圆湿法清洗",
                "wet-chemical wafer cleaning",
            ),
        ),
    ),
    (
        "robot_tech",
        "automation",
        ("C28",),
        ("Robotik", "机器人技术", "robotics"),
        (
            (
                "bin_picking",
                "Griff-in-die-Kiste mit 3D-Kameras",
                "3D视觉无序抓取",
                "bin picking with 3D cameras",
            ),
            (
                "amr_factory",
                "autonome mobile Roboter für die Fabriklogistik",
                "工厂物流自主移动机器人（AMR）",
                "autonomous mobile robots for factory logistics",
            ),
            (
                "robot_grinding",
                "robotergestütztes Schleifen von Gussteilen",
                "铸件机器人打磨",
                "robotic grinding of castings",
            ),
        ),
    ),
    (
        "carbon_tech",
        "energy_eff",
        ("C20", "D35"),
        ("Klimatechnik", "低碳技术", "climate technology"),
        (
            (
                "ccs_cement",
                "CO₂-Abscheidung in Zementwerken",
                "水泥厂二氧化碳捕集",
                "CO₂ capture in cement plants",
            ),
            (
                "biomethane",
                "Aufbereitung von Biogas zu Biomethan",
                "沼气提纯制生物天然气",
                "upgrading biogas to biomethane",
            ),
            (
                "green_methanol",
                "grünes Methanol aus Power-to-X",
                "绿色甲醇（Power-to-X）",
                "green methanol from power-to-X",
            ),
        ),
    ),
    (
        "health_tech",
        "digital_health",
        ("Q86", "J62"),
        ("Gesundheits-IT", "医疗信息技术", "health IT"),
        (
            (
                "telemonitoring",
                "Telemonitoring für Herzpatienten",
                "心脏病患者远程监护",
                "telemonitoring for cardiac patients",
            ),
            (
                "ai_xray",
                "KI-Auswertung von Röntgenbildern",
                "AI胸片影像辅助诊断",
                "AI analysis of X-ray images",
            ),
            (
                "fall_detection",
                "Sturzerkennung in Pflegeheimen",
                "养老院跌倒检测",
                "fall detection in care homes",
            ),
        ),
    ),
)
