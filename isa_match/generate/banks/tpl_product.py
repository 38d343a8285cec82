"""Templates for product listings. Slots: see ``_render.product_slots``."""

from __future__ import annotations

from .._model import Frames

PRODUCT: dict[tuple[str, str], Frames] = {
    ("request", "de"): Frames(
        titles=(
            "Lieferant für {x} gesucht",
            "Suche Bezugsquelle für {x}",
            "Bedarf: {x}",
            "{x} gesucht – langfristige Lieferbeziehung",
            "Hersteller für {x} gesucht",
            "Neue Lieferanten für {x} aus {target} gesucht",
            "Einkauf sucht {x}",
        ),
        openers=(
            "Wir suchen einen zuverlässigen Lieferanten für {x}.",
            "Für unseren Standort in {city} suchen wir eine zusätzliche Bezugsquelle für {x}.",
            "Für {x} möchte unser Einkauf die Lieferantenbasis verbreitern und sucht dafür "
            "Hersteller aus {target}.",
            "Gesucht wird ein Hersteller für {x}, der uns dauerhaft beliefern kann.",
            "Wir haben laufenden Bedarf und bitten um Angebote für {x}.",
            "Im Zuge einer Kapazitätserweiterung benötigen wir {x}.",
        ),
        facets={
            "qty": (
                "Der Bedarf liegt bei etwa {q} {unit} pro Monat.",
                "Geplant ist eine Abnahme von rund {qy} {unit} im Jahr.",
            ),
            "cert": ("Voraussetzung ist {cert}.", "Lieferanten sollten {cert} nachweisen können."),
            "timeline": (
                "Die ersten Lieferungen sind für {quarter} geplant.",
                "Wir möchten bis {quarter} einen neuen Lieferanten freigeben.",
            ),
            "delivery": ("Lieferung bitte CIF {port}.", "Lieferbedingung: DAP {city}."),
            "samples": (
                "Bitte senden Sie uns vorab Muster zur Freigabe.",
                "Technische Datenblätter und Muster sind erwünscht.",
            ),
            "quote": ("Angebote bitte mit Preisangabe und Lieferzeit.",),
        },
    ),
    ("offer", "de"): Frames(
        titles=(
            "{x} direkt vom Hersteller",
            "Wir liefern {x}",
            "{x} aus {city} – Abnehmer gesucht",
            "{x} für den Export nach {target}",
            "Hersteller bietet {x} an",
            "{x} in großen Mengen lieferbar",
            "Freie Kapazitäten für {x}",
        ),
        openers=(
            "Wir stellen {x} her und suchen neue Abnehmer in {target}.",
            "In unserem Werk in {city} produzieren wir {x} für Kunden in Europa und Asien.",
            "Wir bieten {x} aus eigener Fertigung an.",
            "Als spezialisierter Hersteller liefern wir {x} in gleichbleibender Qualität.",
            "Seit über {years} Jahren stellen wir {x} her.",
            "Wir haben freie Kapazitäten und können {x} kurzfristig liefern.",
        ),
        facets={
            "capacity": (
                "Unsere Kapazität liegt bei rund {cap} {unit} pro Monat.",
                "Wir fertigen jährlich etwa {capy} {unit}.",
            ),
            "cert": ("Wir verfügen über {cert}.", "Auf Wunsch legen wir {cert} vor."),
            "export": (
                "Wir exportieren bereits in {n} Länder.",
                "Erfahrung mit Lieferungen nach {target} ist vorhanden.",
            ),
            "moq": (
                "Mindestabnahme: {moq} {unit}.",
                "Die Mindestbestellmenge beträgt {moq} {unit}.",
            ),
            "lead": (
                "Die Lieferzeit beträgt etwa {weeks} Wochen ab Auftrag.",
                "Lieferung innerhalb von {weeks} Wochen möglich.",
            ),
            "samples": ("Muster stellen wir auf Anfrage kostenlos zur Verfügung.",),
        },
    ),
    ("request", "zh"): Frames(
        titles=(
            "求购{x}",
            "寻找{x}长期供应商",
            "采购{x}，寻求{target}供应商",
            "{x}采购需求",
            "诚征{x}供货商",
            "长期求购{x}",
        ),
        openers=(
            "我公司长期采购{x}，现寻找稳定可靠的供应商。",
            "因扩大生产需要，我司拟采购一批{x}。",
            "我们正在寻找{x}的优质供应商，欢迎{target}企业联系。",
            "公司位于{city}，计划从{target}采购{x}。",
            "现面向ISA成员城市征集{x}供应商。",
            "本公司对{x}有持续需求，希望与具备出口经验的厂家建立长期合作。",
        ),
        facets={
            "qty": ("月需求量约{q}{unit}。", "年采购量约{qy}{unit}。"),
            "cert": ("供应商须具备{cert}。", "产品须满足{cert}要求。"),
            "timeline": ("计划于{quarter}开始首批供货。", "希望在{quarter}前完成供应商认证。"),
            "delivery": ("交货地点为{port}。", "要求CIF {port}交货。"),
            "samples": ("请提供样品及技术参数。", "请附产品规格书。"),
            "quote": ("请附报价及交货期。",),
        },
    ),
    ("offer", "zh"): Frames(
        titles=(
            "供应{x}",
            "{x}生产厂家直供",
            "{x}，可出口{target}",
            "专业生产{x}",
            "优质{x}，寻求海外客户",
            "{x}大量现货供应",
        ),
        openers=(
            "我公司专业生产{x}，产品远销海内外。",
            "本厂位于{city}，主营{x}。",
            "我们可稳定供应{x}，欢迎{target}客户洽谈。",
            "公司拥有多条自动化生产线，可批量供应{x}。",
            "现有{x}富余产能，诚寻长期合作伙伴。",
            "我们专注{x}的研发与生产已有{years}年。",
        ),
        facets={
            "capacity": ("月产能约{cap}{unit}。", "年产能{capy}{unit}。"),
            "cert": ("已通过{cert}。", "产品符合{cert}要求。"),
            "export": ("产品已出口至{n}个国家和地区。", "具备对{target}出口经验。"),
            "moq": ("起订量{moq}{unit}。",),
            "lead": ("交货期约{weeks}周。", "下单后{weeks}周内发货。"),
            "samples": ("可免费提供样品。",),
        },
    ),
    ("request", "en"): Frames(
        titles=(
            "Supplier wanted: {x}",
            "Looking for a supplier of {x}",
            "Sourcing {x} from {target}",
            "Request for quotation: {x}",
            "Long-term supply of {x} needed",
            "Buyer seeks {x}",
        ),
        openers=(
            "We are looking for a reliable supplier of {x}.",
            "Our site in {city} needs a second source for {x}.",
            "We want to source {x} from {target} and invite manufacturers to get in touch.",
            "We buy {x} on a regular basis and are looking for a long-term supply partner.",
            "Due to a capacity expansion we need {x}.",
            "Our purchasing team is qualifying new suppliers of {x}.",
        ),
        facets={
            "qty": (
                "Expected volume is about {q} {unit} per month.",
                "Annual demand is around {qy} {unit}.",
            ),
            "cert": ("Suppliers must hold {cert}.", "{cert} is required."),
            "timeline": (
                "First deliveries are planned for {quarter}.",
                "We aim to approve a new supplier by {quarter}.",
            ),
            "delivery": ("Delivery CIF {port}.", "Delivery terms: DAP {city}."),
            "samples": ("Please send samples and data sheets.",),
            "quote": ("Please include prices and lead times.",),
        },
    ),
    ("offer", "en"): Frames(
        titles=(
            "{x} direct from the manufacturer",
            "We supply {x}",
            "Manufacturer of {x} seeks buyers in {target}",
            "Export of {x}",
            "{x} available in large volumes",
            "Free capacity for {x}",
        ),
        openers=(
            "We manufacture {x} and are looking for new customers in {target}.",
            "Our factory in {city} produces {x} for customers in Europe and Asia.",
            "We offer {x} from our own production.",
            "As a specialised manufacturer we deliver {x} in consistent quality.",
            "We have been making {x} for more than {years} years.",
            "We have spare capacity and can deliver {x} at short notice.",
        ),
        facets={
            "capacity": (
                "Monthly capacity is about {cap} {unit}.",
                "We produce around {capy} {unit} a year.",
            ),
            "cert": ("We hold {cert}.",),
            "export": (
                "We already export to {n} countries.",
                "We have experience in shipping to {target}.",
            ),
            "moq": ("Minimum order: {moq} {unit}.",),
            "lead": ("Lead time is about {weeks} weeks.",),
            "samples": ("Free samples on request.",),
        },
    ),
}
