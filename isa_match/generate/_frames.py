"""Units, certificates, number/date formatting and the sentences every category shares."""

from __future__ import annotations

from datetime import date

from ._model import Tri

UNITS: dict[str, Tri] = {
    "t": ("t", "吨", "t"),
    "pcs": ("Stück", "件", "pcs"),
    "m2": ("m²", "平方米", "m²"),
    "kg": ("kg", "公斤", "kg"),
    "units": ("Stück", "台", "units"),
    "ha": ("ha", "亩", "ha"),
}

# Monthly demand range per unit (the request side); offers state a larger capacity.
UNIT_QTY: dict[str, tuple[int, int, int]] = {
    "t": (5, 200, 5),
    "pcs": (2000, 200000, 1000),
    "m2": (1000, 40000, 500),
    "kg": (50, 5000, 50),
    "units": (2, 30, 1),
}

# German with article (reads after "Voraussetzung ist" and "Wir verfügen über"), Chinese, English.
CERTS: dict[str, Tri] = {
    "reach": ("eine REACH-Registrierung", "REACH注册", "REACH registration"),
    "iso9001": (
        "eine Zertifizierung nach ISO 9001",
        "ISO 9001质量管理体系认证",
        "ISO 9001 certification",
    ),
    "iatf": ("eine Zertifizierung nach IATF 16949", "IATF 16949认证", "IATF 16949 certification"),
    "iso13485": ("eine Zertifizierung nach ISO 13485", "ISO 13485认证", "ISO 13485 certification"),
    "gmp": ("ein gültiges GMP-Zertifikat", "GMP认证", "a valid GMP certificate"),
    "ce": ("eine CE-Kennzeichnung", "CE认证", "CE marking"),
    "rohs": ("eine RoHS-Konformitätserklärung", "RoHS认证", "RoHS compliance"),
    "un38": ("eine Prüfung nach UN 38.3", "UN38.3测试报告", "UN 38.3 test reports"),
    "haccp": ("ein HACCP-Konzept", "HACCP体系认证", "HACCP certification"),
    "en71": ("eine Prüfung nach EN 71", "EN 71检测报告", "EN 71 test reports"),
    "iso17025": (
        "eine Akkreditierung nach ISO/IEC 17025",
        "ISO/IEC 17025实验室认可",
        "ISO/IEC 17025 accreditation",
    ),
    "gdp": ("eine GDP-Zertifizierung", "GDP认证", "GDP certification"),
    "iso27001": (
        "eine Zertifizierung nach ISO 27001",
        "ISO 27001信息安全认证",
        "ISO 27001 certification",
    ),
}

COUNTRY: dict[str, Tri] = {
    "DE": ("Deutschland", "德国", "Germany"),
    "CN": ("China", "中国", "China"),
}

PORTS: dict[str, tuple[Tri, ...]] = {
    "DE": (
        ("Hamburg", "汉堡港", "Hamburg"),
        ("Bremerhaven", "不来梅港", "Bremerhaven"),
        ("Duisburg", "杜伊斯堡", "Duisburg"),
    ),
    "CN": (
        ("Guangzhou-Nansha", "广州南沙港", "Guangzhou Nansha"),
        ("Shenzhen", "深圳盐田港", "Shenzhen"),
        ("Shanghai", "上海港", "Shanghai"),
        ("Ningbo", "宁波港", "Ningbo"),
    ),
}

_MONTHS_DE = (
    "Januar",
    "Februar",
    "März",
    "April",
    "Mai",
    "Juni",
    "Juli",
    "August",
    "September",
    "Oktober",
    "November",
    "Dezember",
)
_MONTHS_EN = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_SEASON: dict[int, Tri] = {
    0: ("im Frühjahr", "春季", "in spring"),
    1: ("im Sommer", "夏季", "in summer"),
    2: ("im Herbst", "秋季", "in autumn"),
    3: ("im Winter", "冬季", "in winter"),
}


def num(value: int, lang: str) -> str:
    """A whole number as written in ``lang`` (1.500 / 1500 or 1.5万 / 1,500)."""
    if lang == "de":
        return f"{value:,}".replace(",", ".")
    if lang == "zh":
        if value >= 10000 and value % 1000 == 0:
            return f"{value / 10000:g}万"
        return str(value)
    return f"{value:,}"


def money(eur: int, lang: str) -> str:
    """An amount given in euros, written as a German, Chinese (RMB) or English writer would."""
    if lang == "de":
        if eur >= 1_000_000:
            return (
                f"{eur / 1_000_000:g} Mio. EUR".replace(".", ",", 1)
                if eur % 1_000_000
                else f"{eur // 1_000_000} Mio. EUR"
            )
        return f"{num(eur, 'de')} EUR"
    if lang == "zh":
        rmb = eur * 8
        if rmb >= 100_000_000:
            return f"{round(rmb / 10_000_000) / 10:g}亿元人民币"
        step = 1_000_000 if rmb >= 10_000_000 else 100_000
        return f"{round(rmb / step) * step // 10000}万元人民币"
    if eur >= 1_000_000:
        return f"EUR {eur / 1_000_000:g} million"
    return f"EUR {eur:,}"


def quarter(d: date, lang: str) -> str:
    """The quarter of ``d`` (e.g. "Q2 2027", "2027年第二季度")."""
    q = (d.month - 1) // 3 + 1
    if lang == "zh":
        return f"{d.year}年第{'一二三四'[q - 1]}季度"
    return f"Q{q} {d.year}"


def day(d: date, lang: str) -> str:
    """A calendar date as written in running text."""
    if lang == "de":
        return f"{d.day}. {_MONTHS_DE[d.month - 1]} {d.year}"
    if lang == "zh":
        return f"{d.year}年{d.month}月{d.day}日"
    return f"{d.day} {_MONTHS_EN[d.month - 1]} {d.year}"


def period(d: date, lang: str) -> str:
    """A loose time window around ``d`` (a season and year)."""
    season = _SEASON[((d.month - 3) % 12) // 3]
    if lang == "de":
        return f"{season[0]} {d.year}"
    if lang == "zh":
        return f"{d.year}年{season[1]}"
    return f"{season[2]} {d.year}"


# Sentences that close a description, by kind and language.
CLOSERS: dict[tuple[str, str], tuple[str, ...]] = {
    ("request", "de"): (
        "Wir freuen uns auf Ihre Angebote.",
        "Kontaktaufnahme gerne auf Deutsch oder Englisch.",
        "Wir freuen uns über eine Kontaktaufnahme über die ISA-Datenbank.",
    ),
    ("offer", "de"): (
        "Wir freuen uns auf Ihre Anfrage.",
        "Gerne senden wir Ihnen weitere Unterlagen zu.",
        "Sprechen Sie uns gerne an.",
        "Ein erstes Gespräch ist jederzeit per Videokonferenz möglich.",
    ),
    ("request", "zh"): (
        "欢迎有意向的企业联系洽谈。",
        "可用中文或英文沟通。",
        "期待与贵方合作。",
    ),
    ("offer", "zh"): (
        "欢迎来电咨询。",
        "欢迎实地考察。",
        "期待与各方建立长期合作关系。",
        "可安排视频会议进一步沟通。",
    ),
    ("request", "en"): (
        "We look forward to your offers.",
        "Contact in English or German is welcome.",
        "Please get in touch via the ISA database.",
    ),
    ("offer", "en"): (
        "We look forward to hearing from you.",
        "Further documents are available on request.",
        "Feel free to contact us.",
        "A first video call can be arranged at short notice.",
    ),
}

# Sentences that introduce the organisation, by org type and language.
INTROS: dict[tuple[str, str], tuple[str, ...]] = {
    ("company", "de"): (
        "Wir sind ein mittelständisches Unternehmen mit {staff} Beschäftigten in {city}.",
        "Das Familienunternehmen wurde {founded} gegründet und beschäftigt rund {staff} "
        "Mitarbeitende.",
        "Unser Unternehmen ist seit {founded} am Standort {city} tätig.",
    ),
    ("research", "de"): (
        "Unser Institut arbeitet seit vielen Jahren eng mit der Industrie zusammen.",
        "Als anwendungsnahe Forschungseinrichtung in {city} beschäftigen wir rund {staff} "
        "Mitarbeitende.",
    ),
    ("public", "de"): (
        "Wir unterstützen Unternehmen bei Ansiedlung und Internationalisierung in {city}.",
        "Als Wirtschaftsförderung sind wir erste Anlaufstelle für Investoren in {city}.",
    ),
    ("company", "zh"): (
        "我公司成立于{founded}年，现有员工{staff}人。",
        "公司是国家高新技术企业，拥有一支经验丰富的研发团队。",
        "公司位于{city}，成立于{founded}年。",
    ),
    ("research", "zh"): (
        "本院长期从事应用技术研究，与多家企业保持紧密合作。",
        "我们是位于{city}的新型研发机构，现有科研人员{staff}人。",
    ),
    ("public", "zh"): (
        "我们为来{city}投资的企业提供一站式服务。",
        "我们负责{city}的招商引资和国际合作工作。",
    ),
    ("company", "en"): (
        "We are a medium-sized company with {staff} employees in {city}.",
        "Founded in {founded}, the company employs around {staff} people.",
    ),
    ("research", "en"): (
        "Our institute has worked closely with industry for many years.",
        "We are an applied research organisation in {city} with about {staff} staff.",
    ),
    ("public", "en"): (
        "We support companies that invest in {city} and help them internationalise.",
        "As the economic development agency we are the first point of contact for investors "
        "in {city}.",
    ),
}
