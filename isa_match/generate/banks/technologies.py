"""Technology topics: a technology applied to one use (siblings share the technology)."""

from __future__ import annotations

from .._model import Tri

# (group, family, NACE divisions, short name, variants (id, de, zh, en))
TechGroup = tuple[str, str, tuple[str, ...], Tri, tuple[tuple[str, str, str, str], ...]]

TECH_GROUPS: tuple[TechGroup, ...] = (
    (
        "laser_welding",
        "automation",
        ("C28", "M72"),
        ("Laserschweißen", "激光焊接", "laser welding"),
        (
            (
                "lw_battery",
                "Laserschweißen von Zellverbindern in Batteriemodulen",
                "电池模组连接片激光焊接",
                "laser welding of cell connectors in battery modules",
            ),
            (
                "lw_body",
                "Laserschweißen von Karosseriebauteilen",
                "车身部件激光焊接",
                "laser welding of car body parts",
            ),
            (
                "lw_medical",
                "Laser-Mikroschweißen für Medizinprodukte",
                "医疗器械激光微焊接",
                "laser micro-welding for medical devices",
            ),
        ),
    ),
    (
        "vision",
        "ai_vision",
        ("J62", "C26"),
        ("Bildverarbeitung", "视觉检测", "machine vision"),
        (
            (
                "vision_tiles",
                "KI-Bildverarbeitung zur Oberflächenprüfung von Fliesen",
                "瓷砖表面AI视觉检测",
                "AI vision inspection of tile surfaces",
            ),
            (
                "vision_pcb",
                "KI-Bildverarbeitung zur Prüfung bestückter Leiterplatten",
                "PCBA板AI视觉检测",
                "AI vision inspection of assembled PCBs",
            ),
            (
                "vision_weld",
                "kamerabasierte Schweißnahtprüfung",
                "焊缝视觉检测",
                "camera-based weld seam inspection",
            ),
            (
                "vision_food",
                "optische Sortierung von Obst",
                "水果光学分选",
                "optical sorting of fruit",
            ),
        ),
    ),
    (
        "battery_recycling",
        "battery_recycling",
        ("E38", "C20"),
        ("Batterierecycling", "电池回收", "battery recycling"),
        (
            (
                "hydromet",
                "hydrometallurgisches Recycling von Lithium-Ionen-Batterien",
                "锂离子电池湿法回收",
                "hydrometallurgical recycling of lithium-ion batteries",
            ),
            (
                "direct_recycling",
                "Direktrecycling von Kathodenmaterial",
                "正极材料直接再生",
                "direct recycling of cathode material",
            ),
            (
                "battery_dismantling",
                "automatisierte Demontage von Batteriemodulen",
                "电池模组自动化拆解",
                "automated dismantling of battery modules",
            ),
        ),
    ),
    (
        "plastics_recycling",
        "plastics_recycling",
        ("E38", "C22"),
        ("Kunststoffrecycling", "塑料回收", "plastics recycling"),
        (
            (
                "pyrolysis",
                "chemisches Recycling von Mischkunststoffen durch Pyrolyse",
                "混合废塑料热解化学回收",
                "chemical recycling of mixed plastics by pyrolysis",
            ),
            (
                "nir_sorting",
                "NIR-Sortierung von Kunststoffabfällen",
                "废塑料近红外分选",
                "NIR sorting of plastic waste",
            ),
            (
                "solvent_pet",
                "lösemittelbasiertes Recycling von PET-Textilien",
                "废旧涤纶纺织品溶剂法再生",
                "solvent-based recycling of PET textiles",
            ),
        ),
    ),
    (
        "h2_tech",
        "hydrogen",
        ("C28", "D35"),
        ("Wasserstoff", "氢能", "hydrogen"),
        (
            (
                "h2_bus_station",
                "Wasserstofftankstellen für Linienbusse",
                "公交车加氢站",
                "hydrogen refuelling stations for city buses",
            ),
            (
                "fc_forklift",
                "Brennstoffzellenantriebe für Gabelstapler",
                "叉车燃料电池动力系统",
                "fuel cell drives for forklifts",
            ),
            (
                "h2_leak",
                "Sensorik zur Erkennung von Wasserstofflecks",
                "氢气泄漏检测传感技术",
                "sensors for detecting hydrogen leaks",
            ),
            (
                "h2_steel",
                "Wasserstoff-Direktreduktion in der Stahlerzeugung",
                "钢铁氢基直接还原工艺",
                "hydrogen direct reduction in steelmaking",
            ),
        ),
    ),
    (
        "am",
        "precision",
        ("C25", "M72"),
        ("3D-Druck", "3D打印", "3D printing"),
        (
            (
                "slm",
                "3D-Druck von Metallbauteilen im SLM-Verfahren",
                "金属零件SLM 3D打印",
                "metal 3D printing with selective laser melting",
            ),
            (
                "sand_print",
                "3D-Druck von Sandformen für Gießereien",
                "铸造砂型3D打印",
                "3D printing of sand moulds for foundries",
            ),
            (
                "dental_print",
                "3D-Druck von Zahnersatz",
                "义齿3D打印",
                "3D printing of dental prostheses",
            ),
        ),
    ),
    (
        "water",
        "water",
        ("E37", "E36"),
        ("Abwasserbehandlung", "水处理", "water treatment"),
        (
            (
                "electroplating_ww",
                "Abwasserbehandlung für Galvanikbetriebe",
                "电镀废水处理",
                "wastewater treatment for electroplating plants",
            ),
            (
                "phosphorus",
                "Phosphorrückgewinnung aus Klärschlamm",
                "污泥磷回收",
                "phosphorus recovery from sewage sludge",
            ),
            (
                "textile_ww",
                "Entfärbung von Textilabwasser",
                "印染废水脱色",
                "decolourisation of textile wastewater",
            ),
        ),
    ),
)
