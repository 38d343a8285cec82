"""Fictitious organisations and contact persons, per city, language and field."""

from __future__ import annotations

import random

from ._cities import GenCity
from ._model import Tri

# Family -> (German trade word, Chinese trade word, English trade word, research field zh/de).
FAMILY_WORDS: dict[str, Tri] = {
    "battery_cells": ("Batterietechnik", "新能源科技", "New Energy Technology"),
    "battery_recycling": ("Recyclingtechnik", "资源循环科技", "Resource Recycling"),
    "hydrogen": ("Wasserstofftechnik", "氢能科技", "Hydrogen Technology"),
    "automation": ("Automatisierungstechnik", "智能装备", "Intelligent Equipment"),
    "machinery": ("Maschinenbau", "机械制造", "Machinery"),
    "precision": ("Präzisionstechnik", "精密机械", "Precision Machinery"),
    "industrial_software": ("Software", "软件科技", "Software Technology"),
    "ai_vision": ("Vision Systems", "智能视觉科技", "Vision Technology"),
    "ev": ("E-Mobility", "新能源汽车科技", "New Energy Vehicle Technology"),
    "automotive_parts": ("Fahrzeugteile", "汽车零部件", "Auto Parts"),
    "autonomous": ("Mobility Solutions", "智能网联科技", "Intelligent Mobility"),
    "med_devices": ("Medizintechnik", "医疗器械", "Medical Devices"),
    "digital_health": ("Health Solutions", "健康科技", "Health Technology"),
    "pharma": ("Pharma", "药业", "Pharmaceutical"),
    "biotech": ("Biotech", "生物科技", "Biotechnology"),
    "specialty_chem": ("Spezialchemie", "化工", "Chemical"),
    "coatings": ("Oberflächentechnik", "涂料", "Coatings"),
    "petrochem": ("Chemie", "石化", "Petrochemical"),
    "plastics": ("Kunststofftechnik", "塑胶制品", "Plastic Products"),
    "plastics_recycling": ("Kunststoffrecycling", "再生资源", "Renewable Resources"),
    "semiconductors": ("Elektronik", "电子科技", "Electronics"),
    "sensors": ("Sensorik", "传感技术", "Sensor Technology"),
    "led": ("Lichttechnik", "光电科技", "Optoelectronics"),
    "solar": ("Solartechnik", "光伏科技", "Photovoltaic Technology"),
    "wind": ("Windtechnik", "风电装备", "Wind Power Equipment"),
    "energy_eff": ("Energietechnik", "节能科技", "Energy Saving Technology"),
    "water": ("Umwelttechnik", "环保科技", "Environmental Technology"),
    "green_building": ("Bau", "建筑科技", "Building Technology"),
    "food": ("Lebensmittel", "食品", "Food"),
    "agritech": ("Agrartechnik", "农业科技", "Agricultural Technology"),
    "textiles": ("Textiltechnik", "纺织", "Textile"),
    "steel": ("Stahl", "钢铁", "Steel"),
    "cutting_tools": ("Schneidwaren", "刀具", "Cutting Tools"),
    "ceramics": ("Keramik", "陶瓷", "Ceramics"),
    "stone": ("Naturstein", "石材", "Stone"),
    "appliances": ("Hausgeräte", "电器", "Electric Appliances"),
    "toys": ("Spielwaren", "玩具", "Toys"),
    "rail": ("Bahntechnik", "轨道交通装备", "Rail Equipment"),
    "aviation": ("Luftfahrttechnik", "航空科技", "Aviation Technology"),
    "marine": ("Maritime Technik", "海洋科技", "Marine Technology"),
    "logistics": ("Logistik", "物流", "Logistics"),
    "smart_logistics": ("Intralogistik", "智慧物流", "Smart Logistics"),
    "ecommerce": ("Handel", "电子商务", "E-Commerce"),
    "vocational": ("Bildung", "教育科技", "Education Technology"),
    "data_centres": ("IT-Services", "数据科技", "Data Technology"),
    "testing": ("Prüftechnik", "检测技术", "Testing Technology"),
    "consulting": ("Consulting", "企业管理咨询", "Business Consulting"),
    "legal": ("Rechtsanwälte", "知识产权代理", "IP Agency"),
    "real_estate": ("Gewerbeimmobilien", "产业园开发", "Industrial Park Development"),
    "tourism": ("Reisen", "国际旅行社", "International Travel"),
    "paper": ("Papiertechnik", "纸业", "Paper"),
    "finance": ("Beteiligungen", "创业投资", "Venture Capital"),
    "events": ("Messe- und Eventservice", "会展服务", "Exhibition Services"),
}

_DE_SURNAMES = (
    "Müller",
    "Schmidt",
    "Schneider",
    "Fischer",
    "Weber",
    "Meyer",
    "Wagner",
    "Becker",
    "Schulz",
    "Hoffmann",
    "Koch",
    "Richter",
    "Klein",
    "Wolf",
    "Neumann",
    "Schwarz",
    "Zimmermann",
    "Braun",
    "Krüger",
    "Hartmann",
    "Lange",
    "Werner",
    "Krause",
    "Lehmann",
    "Köhler",
    "Maier",
    "Huber",
    "Kaiser",
    "Fuchs",
    "Peters",
    "Scholz",
    "Möller",
    "Vogel",
    "Friedrich",
    "Keller",
    "Günther",
    "Berger",
    "Brandt",
    "Engel",
    "Sommer",
)
_DE_FIRST = (
    "Anna",
    "Julia",
    "Katharina",
    "Laura",
    "Sabine",
    "Claudia",
    "Miriam",
    "Lena",
    "Stefanie",
    "Petra",
    "Sophie",
    "Christina",
    "Jonas",
    "Lukas",
    "Thomas",
    "Michael",
    "Andreas",
    "Stefan",
    "Markus",
    "Tobias",
    "Florian",
    "Matthias",
    "Jan",
    "Daniel",
    "Frank",
    "Martin",
    "Felix",
    "Sebastian",
    "Kerstin",
    "Birgit",
)
_DE_FANTASY = (
    "Novatec",
    "Rhenotec",
    "Kronmann",
    "Axiotec",
    "Weserwerk",
    "Lindtner",
    "Hagedorn",
    "Brückner",
    "Vectra",
    "Optimo",
    "Sternberg",
    "Falkenrath",
    "Steinfeld",
    "Auerbach",
)
_DE_FORMS = ("GmbH", "GmbH", "GmbH", "GmbH & Co. KG", "AG", "KG", "SE")
_DE_RESEARCH = (
    "Institut für {w} {c} e. V.",
    "Forschungszentrum {w} {c}",
    "Technologiezentrum {w} {c}",
    "Kompetenzzentrum {w} {c} e. V.",
)
_DE_PUBLIC = (
    "Wirtschaftsförderung {c}",
    "Standortagentur {c}",
    "Technologiepark {c} GmbH",
    "Gründer- und Innovationszentrum {c}",
)

# (character, pinyin) pairs for trade names and people.
_ZH_BRANDS = (
    ("华锐", "Huarui"),
    ("恒泰", "Hengtai"),
    ("鑫隆", "Xinlong"),
    ("瑞丰", "Ruifeng"),
    ("嘉禾", "Jiahe"),
    ("博远", "Boyuan"),
    ("德润", "Derun"),
    ("远航", "Yuanhang"),
    ("启明", "Qiming"),
    ("盛达", "Shengda"),
    ("宏睿", "Hongrui"),
    ("锦程", "Jincheng"),
    ("华拓", "Huatuo"),
    ("创鑫", "Chuangxin"),
    ("宇恒", "Yuheng"),
    ("隆盛", "Longsheng"),
    ("海川", "Haichuan"),
    ("泰和", "Taihe"),
    ("永信", "Yongxin"),
    ("卓远", "Zhuoyuan"),
    ("铭辉", "Minghui"),
    ("中科润", "Zhongkerun"),
    ("力拓达", "Lituoda"),
    ("新纪元", "Xinjiyuan"),
)
_ZH_SURNAMES = (
    ("王", "Wang"),
    ("李", "Li"),
    ("张", "Zhang"),
    ("刘", "Liu"),
    ("陈", "Chen"),
    ("杨", "Yang"),
    ("黄", "Huang"),
    ("赵", "Zhao"),
    ("吴", "Wu"),
    ("周", "Zhou"),
    ("徐", "Xu"),
    ("孙", "Sun"),
    ("马", "Ma"),
    ("朱", "Zhu"),
    ("胡", "Hu"),
    ("郭", "Guo"),
    ("何", "He"),
    ("林", "Lin"),
    ("罗", "Luo"),
    ("梁", "Liang"),
)
_ZH_GIVEN = (
    ("伟", "Wei"),
    ("芳", "Fang"),
    ("敏", "Min"),
    ("静", "Jing"),
    ("磊", "Lei"),
    ("洋", "Yang"),
    ("婷", "Ting"),
    ("强", "Qiang"),
    ("晓东", "Xiaodong"),
    ("海燕", "Haiyan"),
    ("建华", "Jianhua"),
    ("志强", "Zhiqiang"),
    ("丽娟", "Lijuan"),
    ("文博", "Wenbo"),
    ("子涵", "Zihan"),
    ("俊杰", "Junjie"),
    ("雪梅", "Xuemei"),
    ("宏伟", "Hongwei"),
    ("佳怡", "Jiayi"),
    ("浩然", "Haoran"),
)
_ZH_FORMS = ("有限公司", "有限公司", "有限公司", "股份有限公司")
_ZH_RESEARCH = ("{c}{w}研究院", "{c}{w}工程技术研究中心", "{c}产业技术研究院{w}研究所")
_ZH_PUBLIC = ("{c}高新区企业服务中心", "{c}国际投资促进中心", "{c}中德产业合作服务中心")
_ZH_RESEARCH_WORD = {"化工": "精细化工", "药业": "医药", "食品": "食品工程"}


def _ascii(text: str) -> str:
    table = str.maketrans(
        {
            "ä": "ae",
            "ö": "oe",
            "ü": "ue",
            "ß": "ss",
            "Ä": "ae",
            "Ö": "oe",
            "Ü": "ue",
            "'": "",
            " ": "-",
            ".": "",
            "&": "",
        }
    )
    return "-".join(p for p in text.lower().translate(table).split("-") if p)


def make_org(
    city: GenCity, writer: str, org_type: str, family: str, rng: random.Random
) -> tuple[str, str]:
    """A fictitious organisation name and its e-mail domain.

    ``writer`` is the country whose conventions the name follows; Chinese
    organisations writing in another language use their English name.
    """
    de_w, zh_w, en_w = FAMILY_WORDS.get(family, FAMILY_WORDS["machinery"])
    if city.country == "DE":
        if org_type == "research":
            name = rng.choice(_DE_RESEARCH).format(w=de_w, c=city.de, a=city.adjective)
            return name, f"{_ascii(de_w)}-{_ascii(city.de)}.example"
        if org_type == "public":
            name = rng.choice(_DE_PUBLIC).format(c=city.de)
            return name, f"{_ascii(city.de)}-invest.example"
        style = rng.random()
        if style < 0.35:
            head = rng.choice(_DE_SURNAMES)
        elif style < 0.7:
            head = city.adjective
        else:
            head = rng.choice(_DE_FANTASY)
        name = f"{head} {de_w} {rng.choice(_DE_FORMS)}"
        return name, f"{_ascii(head)}-{_ascii(de_w)}.example"
    brand, brand_py = rng.choice(_ZH_BRANDS)
    city_py = city.en.split(" ")[0].replace("'", "")
    if org_type == "research":
        word = _ZH_RESEARCH_WORD.get(zh_w, zh_w)
        zh_name = rng.choice(_ZH_RESEARCH).format(c=city.zh, w=word)
        en_name = f"{city_py} {en_w} Research Institute"
        domain = f"{_ascii(city_py)}-{_ascii(en_w)}-institute.example"
    elif org_type == "public":
        zh_name = rng.choice(_ZH_PUBLIC).format(c=city.zh)
        en_name = f"{city_py} Investment Promotion Centre"
        domain = f"{_ascii(city_py)}-invest.example"
    else:
        prefix = city.adjective
        zh_name = f"{prefix}{brand}{zh_w}{rng.choice(_ZH_FORMS)}"
        en_name = f"{city_py} {brand_py} {en_w} Co., Ltd."
        domain = f"{_ascii(brand_py)}-{_ascii(city_py)}.example"
    return (zh_name if writer == "zh" else en_name), domain


def make_person(country: str, lang: str, domain: str, rng: random.Random) -> tuple[str, str]:
    """A fictitious contact name and an e-mail address on a reserved domain."""
    if country == "DE":
        first, last = rng.choice(_DE_FIRST), rng.choice(_DE_SURNAMES)
        title = "Dr. " if rng.random() < 0.12 else ""
        local = f"{_ascii(first)}.{_ascii(last)}"
        name = f"{title}{first} {last}"
    else:
        (s_zh, s_py), (g_zh, g_py) = rng.choice(_ZH_SURNAMES), rng.choice(_ZH_GIVEN)
        local = f"{g_py.lower()}.{s_py.lower()}"
        name = f"{s_zh}{g_zh}" if lang == "zh" else f"{s_py} {g_py}"
    if rng.random() < 0.15:
        domain = rng.choice(("example.com", "example.org", "example.net"))
    return name, f"{local}@{domain}"


def make_phone(city: GenCity, rng: random.Random) -> str:
    """A phone number in an obviously fictional 555 range of the city's area code."""
    if city.country == "DE":
        return f"+49 {city.area} 555{rng.randrange(10000):04d}"
    return f"+86 {city.area} 5550{rng.randrange(10000):04d}"
