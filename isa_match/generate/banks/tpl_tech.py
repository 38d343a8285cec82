"""Templates for technology and service listings."""

from __future__ import annotations

from .._model import Frames

TECHNOLOGY: dict[tuple[str, str], Frames] = {
    ("request", "de"): Frames(
        titles=(
            "Technologiepartner für {x} gesucht",
            "Suche Lösung: {x}",
            "Know-how für {x} gesucht",
            "Gesucht: Technologie für {x}",
            "Anfrage Technologietransfer: {x}",
            "Partner für {x} gesucht",
        ),
        openers=(
            "Wir suchen einen Technologiepartner für {x}.",
            "Für unsere Fertigung in {city} suchen wir eine erprobte Lösung für {x}.",
            "Wir möchten {x} in unserer Produktion einsetzen und suchen dafür Know-how "
            "aus {target}.",
            "Gesucht wird ein Anbieter, der {x} bereits erfolgreich umgesetzt hat.",
            "Im Rahmen eines Modernisierungsprojekts benötigen wir Unterstützung im Bereich {x}.",
            "Wir interessieren uns für Lizenzen oder eine gemeinsame Entwicklung rund um {x}.",
        ),
        facets={
            "budget": ("Für das Projekt steht ein Budget von rund {budget} zur Verfügung.",),
            "timeline": (
                "Eine Pilotanlage soll bis {quarter} laufen.",
                "Der Projektstart ist für {quarter} vorgesehen.",
            ),
            "scope": (
                "Gewünscht sind Machbarkeitsstudie, Anlagentechnik und Schulung.",
                "Wir benötigen sowohl Beratung als auch die Lieferung der Anlagentechnik.",
            ),
            "context": (
                "Bisher arbeiten wir mit manuellen Verfahren und wollen die Qualität erhöhen.",
                "Die Lösung soll in eine bestehende Linie integriert werden.",
            ),
            "funding": ("Eine Förderung über ein bilaterales Programm ist denkbar.",),
        },
    ),
    ("offer", "de"): Frames(
        titles=(
            "Technologie für {x}",
            "Wir bieten Know-how für {x}",
            "Lizenz verfügbar: {x}",
            "Erprobte Lösung für {x}",
            "Technologietransfer: {x}",
            "{x} – Technologieangebot aus {city}",
        ),
        openers=(
            "Wir haben ein Verfahren für {x} entwickelt und bieten es zur Lizenz an.",
            "Unser Team setzt {x} seit Jahren erfolgreich in der Praxis um.",
            "Wir bieten schlüsselfertige Lösungen für {x}.",
            "Aus einem abgeschlossenen Forschungsprojekt steht eine erprobte Technologie für {x} "
            "zur Verfügung.",
            "Wir suchen Anwender in {target}, die {x} industriell nutzen möchten.",
            "Seit {years} Jahren entwickeln wir Anlagen und Software für {x}.",
        ),
        facets={
            "trl": (
                "Die Technologie hat den Reifegrad TRL {trl} erreicht.",
                "Referenzanlagen laufen bereits bei {n} Kunden.",
            ),
            "patent": (
                "Das Verfahren ist patentrechtlich geschützt.",
                "Es liegen {np} Patente vor.",
            ),
            "service": (
                "Wir übernehmen Auslegung, Inbetriebnahme und Schulung.",
                "Eine Teststellung in unserem Technikum ist möglich.",
            ),
            "model": ("Möglich sind Lizenz, gemeinsame Entwicklung oder Anlagenlieferung.",),
        },
    ),
    ("request", "zh"): Frames(
        titles=(
            "寻求{x}技术合作",
            "征集{x}解决方案",
            "需要{x}技术支持",
            "求购{x}技术",
            "寻找{x}技术合作伙伴",
            "{x}技术需求",
        ),
        openers=(
            "我公司计划引进{x}技术，现寻求技术合作伙伴。",
            "为提升产品质量，我们需要成熟的{x}解决方案。",
            "我司位于{city}，希望与{target}企业或科研机构在{x}方面开展合作。",
            "现征集{x}相关技术，欢迎具有工程经验的单位联系。",
            "公司正在建设新产线，急需{x}方面的技术支持。",
            "我们对{x}技术有明确需求，可采取技术许可或合作开发方式。",
        ),
        facets={
            "budget": ("项目预算约{budget}。",),
            "timeline": ("计划于{quarter}完成中试。", "项目拟于{quarter}启动。"),
            "scope": ("需提供工艺设计、设备及培训。", "希望对方提供整体解决方案。"),
            "context": ("现有工艺以人工为主，效率较低。", "新技术需与现有产线对接。"),
            "funding": ("可申请地方科技项目资金支持。",),
        },
    ),
    ("offer", "zh"): Frames(
        titles=(
            "{x}技术转让",
            "提供{x}整体解决方案",
            "{x}技术成果推广",
            "成熟的{x}技术寻求合作",
            "{x}技术许可",
            "专业提供{x}技术服务",
        ),
        openers=(
            "我单位自主研发了{x}技术，现寻求产业化合作。",
            "我们在{x}领域拥有多年工程经验。",
            "公司可提供{x}的成套设备和工艺包。",
            "我们的{x}项目已完成中试，现面向企业开展技术转让。",
            "我们希望在{target}寻找{x}技术的应用伙伴。",
            "团队深耕{x}{years}年，服务过多家行业龙头企业。",
        ),
        facets={
            "trl": ("技术成熟度达到TRL {trl}。", "已在{n}家企业成功应用。"),
            "patent": ("拥有自主知识产权。", "已获授权专利{np}项。"),
            "service": ("可提供设计、安装调试及人员培训。", "可在我方中试基地进行样品测试。"),
            "model": ("合作方式包括技术许可、联合开发和设备供货。",),
        },
    ),
    ("request", "en"): Frames(
        titles=(
            "Technology partner wanted for {x}",
            "Seeking a solution for {x}",
            "Know-how needed: {x}",
            "Looking for technology for {x}",
            "Technology transfer request: {x}",
            "Partner wanted: {x}",
        ),
        openers=(
            "We are looking for a technology partner for {x}.",
            "For our plant in {city} we need a proven solution for {x}.",
            "We want to introduce {x} in our production and are looking for know-how "
            "from {target}.",
            "We are looking for a provider with hands-on experience in {x}.",
            "As part of a modernisation project we need support with {x}.",
            "We are interested in licences or joint development around {x}.",
        ),
        facets={
            "budget": ("The budget is about {budget}.",),
            "timeline": (
                "A pilot line should run by {quarter}.",
                "The project starts in {quarter}.",
            ),
            "scope": ("We need a feasibility study, equipment and training.",),
            "context": ("The solution must fit into an existing line.",),
        },
    ),
    ("offer", "en"): Frames(
        titles=(
            "Technology for {x}",
            "Know-how offered: {x}",
            "Licence available: {x}",
            "Proven solution for {x}",
            "Technology transfer: {x}",
            "{x}: technology offer from {city}",
        ),
        openers=(
            "We have developed a process for {x} and offer it for licensing.",
            "Our team has many years of experience in {x}.",
            "We offer turnkey solutions for {x}.",
            "A proven technology for {x} from a completed research project is available.",
            "We are looking for users in {target} who want to apply {x} industrially.",
            "For {years} years we have been developing equipment and software for {x}.",
        ),
        facets={
            "trl": (
                "The technology has reached TRL {trl}.",
                "Reference installations run at {n} customers.",
            ),
            "patent": ("The process is patented.",),
            "service": ("We handle design, commissioning and training.",),
            "model": ("Licensing, joint development or equipment supply are possible.",),
        },
    ),
}

SERVICE: dict[tuple[str, str], Frames] = {
    ("request", "de"): Frames(
        titles=(
            "Dienstleister für {x} gesucht",
            "Anbieter für {x} gesucht",
            "Ausschreibung: {x}",
            "Suche Partner für {x}",
            "Unterstützung gesucht: {x}",
            "Rahmenvertrag für {x} zu vergeben",
        ),
        openers=(
            "Wir suchen einen erfahrenen Dienstleister für {x}.",
            "Für ein aktuelles Projekt suchen wir einen Anbieter für {x}.",
            "Unser Unternehmen aus {city} sucht einen Partner in {target} für {x}.",
            "Gesucht wird ein zuverlässiger Partner für {x} mit Referenzen in unserer Branche.",
            "Wir benötigen kurzfristig Unterstützung für {x}.",
            "Wir möchten einen Rahmenvertrag für {x} abschließen.",
        ),
        facets={
            "scope": (
                "Der Auftrag umfasst zunächst ein Pilotprojekt mit Option auf einen Rahmenvertrag.",
                "Wir rechnen mit regelmäßigem Bedarf über mehrere Jahre.",
            ),
            "timeline": (
                "Start ist für {quarter} geplant.",
                "Der Auftrag soll bis {quarter} vergeben werden.",
            ),
            "language": (
                "Kommunikation auf Deutsch oder Englisch ist Voraussetzung.",
                "Chinesischkenntnisse im Team sind von Vorteil.",
            ),
            "cert": ("Der Dienstleister sollte {cert} nachweisen.",),
            "refs": ("Bitte nennen Sie Referenzen und ein Preismodell.",),
        },
    ),
    ("offer", "de"): Frames(
        titles=(
            "{x} – Ihr Partner in {city}",
            "Wir bieten {x}",
            "Dienstleistung: {x}",
            "Professionelle Unterstützung für {x}",
            "{x} aus einer Hand",
            "Erfahrener Dienstleister für {x}",
        ),
        openers=(
            "Wir bieten {x} für Unternehmen aus {target} an.",
            "Unser Team in {city} ist auf {x} spezialisiert.",
            "Seit {years} Jahren sind wir im Bereich {x} tätig.",
            "Als erfahrener Dienstleister bieten wir {x} zu fairen Konditionen.",
            "Wir haben freie Kapazitäten für {x}.",
            "Wir betreuen bereits zahlreiche Kunden aus {target} und bieten {x} an.",
        ),
        facets={
            "refs": (
                "Zu unseren Kunden zählen {n} mittelständische Unternehmen.",
                "Wir haben über {n0} Projekte erfolgreich abgeschlossen.",
            ),
            "language": (
                "Unser Team spricht Deutsch, Englisch und Chinesisch.",
                "Ansprechpartner mit Chinesischkenntnissen stehen zur Verfügung.",
            ),
            "cert": ("Wir verfügen über {cert}.",),
            "speed": ("Ein erstes Angebot erhalten Sie innerhalb von {days} Werktagen.",),
            "sites": ("Wir haben Niederlassungen in Deutschland und China.",),
        },
    ),
    ("request", "zh"): Frames(
        titles=(
            "寻求{x}服务商",
            "诚征{x}服务",
            "{x}服务需求",
            "寻找{x}合作机构",
            "招标：{x}",
            "需要{x}服务",
        ),
        openers=(
            "我公司需要{x}服务，现寻找有经验的服务商。",
            "因业务拓展，我们希望找到{target}当地的{x}服务机构。",
            "公司位于{city}，现就{x}寻求专业服务。",
            "我们计划将{x}外包给专业机构。",
            "诚邀具备相关资质的机构提供{x}服务。",
            "现就{x}项目征集服务方案。",
        ),
        facets={
            "scope": ("先开展试点合作，后续可签订框架协议。", "需求长期稳定。"),
            "timeline": ("计划于{quarter}启动。",),
            "language": ("需能使用中文沟通。", "服务团队需熟悉{target}相关法规。"),
            "cert": ("服务方须具备{cert}。",),
            "refs": ("请提供报价方案及成功案例。",),
        },
    ),
    ("offer", "zh"): Frames(
        titles=(
            "专业提供{x}",
            "{x}一站式服务",
            "{x}服务",
            "提供{x}，服务{target}客户",
            "{x}，经验丰富",
            "承接{x}业务",
        ),
        openers=(
            "我们为{target}企业提供{x}服务。",
            "公司位于{city}，专业从事{x}。",
            "团队从事{x}已有{years}年。",
            "我司具备相关资质，可承接{x}业务。",
            "现有富余产能，承接{x}订单。",
            "已为众多{target}客户提供{x}服务。",
        ),
        facets={
            "refs": ("已服务{n0}余家企业。",),
            "language": ("团队可使用中、德、英三种语言沟通。",),
            "cert": ("已获得{cert}。",),
            "speed": ("{days}个工作日内提供方案。",),
            "sites": ("在中国和德国均设有服务网点。",),
        },
    ),
    ("request", "en"): Frames(
        titles=(
            "Service provider wanted: {x}",
            "Looking for {x}",
            "Tender: {x}",
            "Partner needed for {x}",
            "Support wanted: {x}",
            "Framework contract for {x}",
        ),
        openers=(
            "We are looking for an experienced provider of {x}.",
            "For a current project we need a partner for {x}.",
            "Our company in {city} is looking for a partner in {target} for {x}.",
            "We need a reliable partner for {x} with references in our industry.",
            "We need support with {x} at short notice.",
            "We would like to sign a framework contract for {x}.",
        ),
        facets={
            "scope": ("The assignment starts with a pilot and may lead to a framework contract.",),
            "timeline": ("The start is planned for {quarter}.",),
            "language": ("Communication in English is required.",),
            "cert": ("The provider should hold {cert}.",),
            "refs": ("Please share references and a pricing model.",),
        },
    ),
    ("offer", "en"): Frames(
        titles=(
            "{x}: your partner in {city}",
            "We offer {x}",
            "Service: {x}",
            "Professional support for {x}",
            "{x} from a single source",
            "Experienced provider of {x}",
        ),
        openers=(
            "We offer {x} for companies from {target}.",
            "Our team in {city} specialises in {x}.",
            "We have been active in {x} for {years} years.",
            "As an experienced provider we offer {x} on fair terms.",
            "We have free capacity for {x}.",
            "We already serve many clients from {target} and offer {x}.",
        ),
        facets={
            "refs": ("We have completed more than {n0} projects.",),
            "language": ("Our team speaks English, German and Chinese.",),
            "cert": ("We hold {cert}.",),
            "speed": ("You will receive a first quote within {days} working days.",),
            "sites": ("We have offices in Germany and China.",),
        },
    ),
}
