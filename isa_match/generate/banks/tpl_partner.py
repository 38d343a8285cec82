"""Templates for cooperation and investment listings.

``{x}`` is the bare phrase (for titles), ``{xa}`` the German phrase with its
article (for running text); in Chinese and English both are the same.
"""

from __future__ import annotations

from .._model import Frames

COOPERATION: dict[tuple[str, str], Frames] = {
    ("request", "de"): Frames(
        titles=(
            "Partner gesucht: {x}",
            "{x} – Partner aus {target} gesucht",
            "Suche Partner für {xa}",
            "Kooperationsanfrage: {x}",
            "Wir suchen Partner aus {target}: {x}",
            "Gesucht: Partner für {xa}",
        ),
        openers=(
            "Wir suchen einen Partner aus {target} für {xa}.",
            "Für {xa} suchen wir ein innovatives Unternehmen oder eine Forschungseinrichtung.",
            "Unser Haus in {city} möchte sich international vernetzen und sucht Partner für {xa}.",
            "Wir sind offen für {xa} und suchen passende Partner in {target}.",
            "Im Rahmen unserer Internationalisierung planen wir {xa}.",
            "Wir planen {xa} mit einem Partner aus {target}.",
        ),
        facets={
            "profile": (
                "Wir bringen {years} Jahre Erfahrung und eigene Entwicklungskapazitäten ein.",
                "Wir verfügen über ein Vertriebsnetz in ganz {home}.",
            ),
            "duration": ("Geplant ist eine Zusammenarbeit über zunächst {m} Jahre.",),
            "funding": ("Eine gemeinsame Beantragung von Fördermitteln ist möglich.",),
            "timeline": ("Ein erstes Treffen ist für {quarter} vorgesehen.",),
            "partner": (
                "Idealerweise verfügt der Partner über eine eigene Fertigung.",
                "Der Partner sollte Zugang zu Kunden in {target} haben.",
            ),
        },
    ),
    ("offer", "de"): Frames(
        titles=(
            "Kooperationsangebot: {x}",
            "Wir bieten {xa}",
            "{x} – wir stehen als Partner bereit",
            "Angebot zur Zusammenarbeit: {x}",
            "Offen für {xa}",
            "Partner aus {city} bietet {xa}",
        ),
        openers=(
            "Wir bieten Unternehmen aus {target} {xa} an.",
            "Als etablierter Akteur in {city} stehen wir für {xa} zur Verfügung.",
            "Wir bringen Know-how und Infrastruktur in {xa} ein.",
            "Unser Haus sucht Partner aus {target} und bietet {xa} an.",
            "Wir haben Erfahrung aus {n} internationalen Projekten und bieten {xa} an.",
            "Für {xa} stellen wir Personal, Labore und Kundenkontakte bereit.",
        ),
        facets={
            "assets": (
                "Wir bringen eigene Labore und Prüfstände ein.",
                "Wir verfügen über ein Kundennetz in ganz {home}.",
            ),
            "refs": ("Wir haben bereits {nk} internationale Kooperationen umgesetzt.",),
            "model": ("Die Ausgestaltung der Zusammenarbeit ist flexibel.",),
            "language": ("Ansprechpartner mit Chinesischkenntnissen sind vorhanden.",),
        },
    ),
    ("request", "zh"): Frames(
        titles=(
            "寻求{x}伙伴",
            "诚邀{target}企业开展{x}",
            "{x}需求",
            "拟开展{x}",
            "{x}意向征集",
            "{target}合作伙伴招募：{x}",
        ),
        openers=(
            "我公司希望与{target}企业开展{x}。",
            "为拓展国际业务，我们正在寻找开展{x}的伙伴。",
            "我们位于{city}，拟开展{x}，诚邀有意者洽谈。",
            "我们计划与{target}伙伴共同推进{x}。",
            "现面向ISA成员城市征集{x}意向。",
            "我们希望在{x}方面与{target}同行深化交流。",
        ),
        facets={
            "profile": (
                "我方拥有{years}年行业经验和自有研发团队。",
                "我方在国内拥有完善的销售网络。",
            ),
            "duration": ("合作期初定{m}年。",),
            "funding": ("可共同申请政府科技合作项目。",),
            "timeline": ("希望于{quarter}前确定合作伙伴。",),
            "partner": ("希望合作方具备自有生产能力。",),
        },
    ),
    ("offer", "zh"): Frames(
        titles=(
            "可提供{x}",
            "开放{x}机会",
            "{x}机会",
            "欢迎开展{x}",
            "{x}：诚邀{target}伙伴",
            "提供{x}",
        ),
        openers=(
            "我方愿与{target}企业开展{x}。",
            "我们在{city}拥有完善的研发和生产条件，可开展{x}。",
            "现开放{x}，欢迎洽谈。",
            "我们可为{target}合作方提供开展{x}所需的场地、人员和客户资源。",
            "凭借{n}个国际项目的经验，我们可开展{x}。",
            "作为行业骨干单位，我们欢迎{x}。",
        ),
        facets={
            "assets": ("拥有省级工程技术中心和检测平台。", "在全国拥有{n0}余家经销商。"),
            "refs": ("已与{nk}家外国企业开展合作。",),
            "model": ("合作模式灵活，可面议。",),
            "language": ("有德语和英语沟通团队。",),
        },
    ),
    ("request", "en"): Frames(
        titles=(
            "Partner wanted: {x}",
            "{x}: partner from {target} wanted",
            "Seeking a partner for {xa}",
            "Cooperation request: {x}",
            "Looking for partners in {target}: {x}",
            "Call for partners: {x}",
        ),
        openers=(
            "We are looking for a partner from {target} for {xa}.",
            "For {xa} we are looking for an innovative company or research institute.",
            "Based in {city}, we want to build international links and seek partners for {xa}.",
            "We are open to {xa} and are looking for suitable partners in {target}.",
            "As part of our internationalisation we are planning {xa}.",
            "We plan {xa} together with a partner from {target}.",
        ),
        facets={
            "profile": ("We bring {years} years of experience and our own R&D team.",),
            "duration": ("The cooperation is planned for an initial {m} years.",),
            "funding": ("A joint application for public funding is possible.",),
            "timeline": ("A first meeting is planned for {quarter}.",),
            "partner": ("Ideally the partner has its own production.",),
        },
    ),
    ("offer", "en"): Frames(
        titles=(
            "Cooperation offer: {x}",
            "We offer {xa}",
            "{x}: we are ready to partner",
            "Open for {xa}",
            "Partner from {city} offers {xa}",
            "Opportunity: {x}",
        ),
        openers=(
            "We offer companies from {target} {xa}.",
            "As an established player in {city} we are available for {xa}.",
            "We contribute know-how and infrastructure to {xa}.",
            "We are looking for partners from {target} and offer {xa}.",
            "With experience from {n} international projects we offer {xa}.",
            "For {xa} we provide staff, laboratories and customer contacts.",
        ),
        facets={
            "assets": ("We have our own laboratories and test benches.",),
            "refs": ("We have completed {nk} international cooperations.",),
            "model": ("The form of cooperation is flexible.",),
            "language": ("Our contact persons speak Chinese and German.",),
        },
    ),
}

INVESTMENT: dict[tuple[str, str], Frames] = {
    ("request", "de"): Frames(
        titles=(
            "Investor gesucht: {x}",
            "Kapitalsuche – {x}",
            "{x}: Investoren aus {target} willkommen",
            "Wir suchen {xa}",
            "Beteiligungsanfrage: {x}",
            "Finanzierungsrunde: {x}",
        ),
        openers=(
            "Wir suchen Investoren für {xa}.",
            "Unser Unternehmen aus {city} sucht {xa}.",
            "Für den nächsten Wachstumsschritt suchen wir {xa}.",
            "Wir sind offen für strategische Investoren aus {target} und suchen {xa}.",
            "Gesucht wird ein Investor für {xa}.",
            "Zur Finanzierung unseres Ausbaus planen wir {xa}.",
        ),
        facets={
            "amount": ("Der Kapitalbedarf liegt bei {amount}.", "Gesucht werden rund {amount}."),
            "team": ("Unser Team besteht aus {staff} Mitarbeitenden.",),
            "revenue": ("Der Umsatz lag zuletzt bei rund {revenue}.",),
            "use": ("Die Mittel fließen in Produktion, Vertrieb und Zulassung.",),
            "timeline": ("Der Abschluss ist für {quarter} geplant.",),
        },
    ),
    ("offer", "de"): Frames(
        titles=(
            "Beteiligungskapital: {x}",
            "Wir investieren: {x}",
            "{x} – Kapital für Unternehmen aus {target}",
            "Angebot: {x}",
            "Investor bietet {xa}",
            "Fonds sucht Beteiligungen: {x}",
        ),
        openers=(
            "Wir bieten {xa} für Unternehmen aus {target}.",
            "Unser Fonds stellt {xa} bereit.",
            "Wir suchen Beteiligungsmöglichkeiten und stellen {xa} zur Verfügung.",
            "Als Investor aus {city} bieten wir {xa} an.",
            "Für ausgewählte Unternehmen stellen wir {xa} bereit.",
            "Wir investieren aktiv und bieten {xa}.",
        ),
        facets={
            "ticket": (
                "Die Ticketgröße liegt zwischen {amount_lo} und {amount_hi}.",
                "Wir investieren {amount_lo} bis {amount_hi} je Beteiligung.",
            ),
            "support": (
                "Neben Kapital bieten wir Zugang zu Kunden in {home}.",
                "Wir unterstützen beim Markteintritt in {home}.",
            ),
            "focus": ("Bevorzugt werden Unternehmen mit ersten Umsätzen.",),
            "horizon": ("Unser Anlagehorizont beträgt {m} bis {m2} Jahre.",),
        },
    ),
    ("request", "zh"): Frames(
        titles=(
            "寻求{x}",
            "{x}：寻找投资方",
            "诚邀{target}投资者参与{x}",
            "{x}需求",
            "融资需求：{x}",
            "寻找战略投资者（{x}）",
        ),
        openers=(
            "我公司正在进行{x}，诚邀投资机构洽谈。",
            "公司位于{city}，现寻求{x}。",
            "为扩大产能，我们计划开展{x}。",
            "欢迎{target}战略投资者参与本次{x}。",
            "我们希望通过{x}加快产品研发和市场拓展。",
            "现面向ISA网络寻找{x}的投资方。",
        ),
        facets={
            "amount": ("本轮融资金额约{amount}。", "计划融资{amount}。"),
            "team": ("团队现有{staff}人。",),
            "revenue": ("去年营业收入约{revenue}。",),
            "use": ("资金将用于产能建设和海外市场开拓。",),
            "timeline": ("预计于{quarter}完成交割。",),
        },
    ),
    ("offer", "zh"): Frames(
        titles=(
            "提供{x}",
            "投资机构寻找{x}项目",
            "{x}：寻找优质项目",
            "{x}资金对接",
            "关注{x}机会",
            "面向{target}企业的{x}",
        ),
        openers=(
            "我们为{target}企业提供{x}。",
            "本基金重点关注{x}。",
            "我们位于{city}，可提供{x}。",
            "我们正在寻找{x}项目。",
            "可为优质企业提供{x}及投后增值服务。",
            "本机构积极布局{x}。",
        ),
        facets={
            "ticket": ("单笔投资额{amount_lo}至{amount_hi}。",),
            "support": ("可协助企业开拓{home}市场。",),
            "focus": ("优先考虑已有稳定收入的企业。",),
            "horizon": ("投资期限{m}至{m2}年。",),
        },
    ),
    ("request", "en"): Frames(
        titles=(
            "Investor wanted: {x}",
            "Raising {x}",
            "{x}: investors from {target} welcome",
            "Seeking {x}",
            "Investment request: {x}",
            "Funding round: {x}",
        ),
        openers=(
            "We are looking for investors for {xa}.",
            "Our company in {city} is seeking {xa}.",
            "For our next growth step we are seeking {xa}.",
            "We are open to strategic investors from {target} and are seeking {xa}.",
            "We are looking for an investor for {xa}.",
            "To finance our expansion we are planning {xa}.",
        ),
        facets={
            "amount": ("We are raising about {amount}.",),
            "team": ("Our team has {staff} people.",),
            "revenue": ("Revenue last year was around {revenue}.",),
            "use": ("The funds will go into production, sales and certification.",),
            "timeline": ("Closing is planned for {quarter}.",),
        },
    ),
    ("offer", "en"): Frames(
        titles=(
            "Capital available: {x}",
            "We invest: {x}",
            "{x} for companies from {target}",
            "Offer: {x}",
            "Investor offers {xa}",
            "Fund seeks deals: {x}",
        ),
        openers=(
            "We provide {xa} for companies from {target}.",
            "Our fund provides {xa}.",
            "We are looking for investment opportunities and provide {xa}.",
            "As an investor based in {city} we offer {xa}.",
            "For selected companies we provide {xa}.",
            "We invest actively and offer {xa}.",
        ),
        facets={
            "ticket": ("Ticket size is {amount_lo} to {amount_hi}.",),
            "support": ("Besides capital we offer access to customers in {home}.",),
            "focus": ("We prefer companies with first revenues.",),
            "horizon": ("Our holding period is {m} to {m2} years.",),
        },
    ),
}
