"""Templates for event and space listings.

Events: ``{x}``/``{xa}``/``{xd}`` bare/accusative/dative phrase, ``{date}``,
``{place}`` (city or "online"), ``{period}`` (loose window). Space: ``{x}``/``{xa}``,
``{loc}`` (where the space is), ``{size}``, ``{range}``, ``{min_size}``, ``{price}``.
"""

from __future__ import annotations

from .._model import Frames

EVENT: dict[tuple[str, str], Frames] = {
    ("request", "de"): Frames(
        titles=(
            "{x} in {target} gesucht",
            "Wir suchen {xa} in {target}",
            "Teilnahmemöglichkeit gesucht: {x}",
            "Gesucht: {x}",
            "Teilnahme an Veranstaltung gesucht: {x}",
            "Veranstaltung gesucht: {x}",
        ),
        openers=(
            "Wir suchen {xa} in {target}, um dort Partner kennenzulernen.",
            "Unser Unternehmen möchte {period} an {xd} in {target} teilnehmen.",
            "Für eine Gruppe von Unternehmen aus {city} suchen wir {xa}.",
            "Wir möchten {period} den Markt in {target} erkunden und suchen dafür {xa}.",
            "Gibt es {period} {xa} in {target}? Wir würden gern mit mehreren Teilnehmenden kommen.",
            "Wir interessieren uns für die Teilnahme an {xd} in {target}.",
        ),
        facets={
            "group": ("Wir planen mit {n} Teilnehmenden.",),
            "timing": ("Ideal wäre ein Termin {period}.",),
            "goal": ("Ziel ist es, potenzielle Kunden und Kooperationspartner zu treffen.",),
            "language": ("Eine Dolmetschbegleitung wäre hilfreich.",),
            "budget": ("Ein Teilnahmebeitrag ist grundsätzlich möglich.",),
        },
    ),
    ("offer", "de"): Frames(
        titles=(
            "Einladung: {x}",
            "{x} am {date}",
            "Jetzt anmelden: {x}",
            "{x} ({place})",
            "Wir organisieren {xa}",
            "Save the Date: {x}",
        ),
        openers=(
            "Am {date} veranstalten wir {xa} ({place}).",
            "Wir laden Unternehmen aus {target} herzlich zu {xd} ein.",
            "Wir organisieren {xa} und suchen noch Teilnehmende aus {target}.",
            "Unter dem Titel „{x}“ bringen wir Anbieter und Anwender zusammen.",
            "Die Veranstaltung „{x}“ findet am {date} statt ({place}).",
            "Im Rahmen der ISA-Städtepartnerschaft bieten wir {xa} an.",
        ),
        facets={
            "program": (
                "Auf dem Programm stehen Fachvorträge, Betriebsbesichtigungen und Einzelgespräche.",
            ),
            "places": ("Es stehen {n} Plätze zur Verfügung.",),
            "fee": ("Die Teilnahme ist kostenfrei.", "Die Teilnahmegebühr beträgt {fee} EUR."),
            "language": ("Simultanübersetzung Deutsch–Chinesisch wird angeboten.",),
            "deadline": ("Anmeldeschluss ist vier Wochen vor Beginn.",),
        },
    ),
    ("request", "zh"): Frames(
        titles=(
            "寻找{target}{x}",
            "希望参加{x}",
            "征集{x}信息",
            "{x}参会需求",
            "寻求参加{x}的机会",
            "求推荐：{target}{x}",
        ),
        openers=(
            "我公司希望{period}参加在{target}举办的{x}。",
            "为拓展{target}市场，我们正在寻找{x}。",
            "我们计划组织本地企业参加{x}，现寻求合作主办方。",
            "请推荐{period}在{target}举办的{x}。",
            "我们位于{city}，希望通过{x}结识潜在客户和合作伙伴。",
            "我们计划{period}赴{target}，希望参加{x}。",
        ),
        facets={
            "group": ("预计参加人数{n}人。",),
            "timing": ("时间最好安排在{period}。",),
            "goal": ("希望与潜在客户和合作伙伴面对面交流。",),
            "language": ("需要提供中德翻译。",),
            "budget": ("可承担合理的参会费用。",),
        },
    ),
    ("offer", "zh"): Frames(
        titles=(
            "邀请函：{x}",
            "{date}：{x}",
            "{x}报名开启",
            "{x}（{place}）",
            "诚邀参加{x}",
            "{x}火热招募中",
        ),
        openers=(
            "我们将于{date}组织{x}（{place}）。",
            "诚邀{target}企业参加{x}。",
            "{x}现面向{target}企业招募参会代表。",
            "本次{x}将汇聚行业内的供需双方。",
            "{x}定于{date}举行（{place}）。",
            "依托ISA城市合作平台，我们组织{x}。",
        ),
        facets={
            "program": ("活动包括专题报告、企业参观和一对一洽谈。",),
            "places": ("名额{n}个。",),
            "fee": ("免费参加。", "参会费{fee_rmb}元。"),
            "language": ("现场提供中德同声传译。",),
            "deadline": ("请于活动开始前四周报名。",),
        },
    ),
    ("request", "en"): Frames(
        titles=(
            "Looking for {xa} in {target}",
            "Wanted: {x}",
            "Event request: {x}",
            "Seeking to join {xa}",
            "Participation wanted: {x}",
            "Is there {xa} in {target}?",
        ),
        openers=(
            "We are looking for {xa} in {target} to meet potential partners.",
            "Our company would like to join {xa} in {target} {period}.",
            "For a group of companies from {city} we are looking for {xa}.",
            "We want to explore the market in {target} {period} and are looking for {xa}.",
            "Is there {xa} in {target} {period}? We would come with several participants.",
            "We are interested in taking part in {xa} in {target}.",
        ),
        facets={
            "group": ("We plan to come with {n} participants.",),
            "timing": ("Ideally the event takes place {period}.",),
            "goal": ("We want to meet potential customers and partners.",),
            "language": ("Interpreting support would be helpful.",),
        },
    ),
    ("offer", "en"): Frames(
        titles=(
            "Invitation: {x}",
            "{x} on {date}",
            "Register now: {x}",
            "{x} ({place})",
            "We are organising {xa}",
            "Save the date: {x}",
        ),
        openers=(
            "On {date} we are hosting {xa} ({place}).",
            "We invite companies from {target} to {xa}.",
            "We are organising {xa} and still welcome participants from {target}.",
            "Under the title “{X}” we bring suppliers and users together.",
            "The event “{X}” takes place on {date} ({place}).",
            "As part of the ISA city partnership we offer {xa}.",
        ),
        facets={
            "program": ("The programme includes talks, company visits and one-to-one meetings.",),
            "places": ("{n} places are available.",),
            "fee": ("Participation is free of charge.", "The fee is EUR {fee}."),
            "language": ("Interpreting German–Chinese is provided.",),
        },
    ),
}

SPACE: dict[tuple[str, str], Frames] = {
    ("request", "de"): Frames(
        titles=(
            "{x} in {loc} gesucht",
            "Suche {x} in {loc}",
            "Gesucht: {x} in {loc}",
            "{x} für neuen Standort in {loc} gesucht",
            "Standortsuche {loc}: {x}",
            "Wir suchen {xa} in {loc}",
        ),
        openers=(
            "Für unsere geplante Niederlassung in {loc} suchen wir {xa}.",
            "Wir suchen {xa} in {loc} mit {range}.",
            "Im Zuge unserer Expansion nach {target} suchen wir {xa}, bevorzugt in {loc}.",
            "Gesucht wird {xa} in {loc} zur Miete oder zum Kauf.",
            "Unser Unternehmen plant einen Standort in {loc} und benötigt dafür {xa}.",
            "Wir möchten in {loc} Fuß fassen und suchen kurzfristig {xa}.",
        ),
        facets={
            "size": ("Benötigt werden {range}.",),
            "timing": (
                "Bezug ist ab {quarter} geplant.",
                "Der Einzug sollte spätestens {quarter} erfolgen.",
            ),
            "infra": (
                "Wichtig sind eine gute Verkehrsanbindung und eine ausreichende Stromversorgung.",
            ),
            "lease": ("Bevorzugt wird ein Mietvertrag über mindestens fünf Jahre.",),
            "support": ("Unterstützung bei Genehmigungen wäre willkommen.",),
        },
    ),
    ("offer", "de"): Frames(
        titles=(
            "{x} in {loc} verfügbar",
            "{size} {x} in {loc}",
            "Angebot: {x} in {loc}",
            "{x} in {loc} zu vermieten oder zu verkaufen",
            "Standortangebot {loc}: {x}",
            "Ansiedlungsfläche in {loc}: {x}",
        ),
        openers=(
            "In {loc} bieten wir {xa} mit {size} an.",
            "Wir vermarkten {xa} in {loc} mit {size}.",
            "Für Ansiedlungen aus {target} halten wir in {loc} {xa} bereit.",
            "Ab {quarter} können wir in {loc} {xa} mit {size} anbieten.",
            "Unser Gewerbepark in {loc} hat noch Kapazität: {x}, {size}.",
            "Wir vermieten {xa} in {loc} zu attraktiven Konditionen.",
        ),
        facets={
            "size": ("Die Fläche umfasst {size} und ist teilbar ab {min_size}.",),
            "price": (
                "Die Miete liegt bei {price} EUR pro m² und Monat.",
                "Konditionen auf Anfrage.",
            ),
            "infra": (
                "Die Autobahn ist in wenigen Minuten erreichbar.",
                "Ein Gleisanschluss ist vorhanden.",
            ),
            "support": ("Wir unterstützen bei Genehmigungen und Behördengängen.",),
            "avail": ("Die Fläche ist sofort verfügbar.",),
        },
    ),
    ("request", "zh"): Frames(
        titles=(
            "求租{loc}{x}",
            "寻找{loc}{x}",
            "{loc}{x}需求",
            "在{loc}寻找{x}",
            "拟在{loc}落户，寻求{x}",
            "寻求{loc}及周边{x}",
        ),
        openers=(
            "我公司计划在{loc}设立分支机构，现寻找{x}。",
            "为开拓{target}市场，我们拟在{loc}租用{x}，面积{range}。",
            "现求租{loc}{x}，要求交通便利。",
            "我们正在{target}选址，优先考虑{loc}的{x}。",
            "公司拟在{loc}投资建厂，需要{x}。",
            "诚寻{loc}地区{x}，租售均可。",
        ),
        facets={
            "size": ("需求面积{range}。",),
            "timing": ("计划于{quarter}入驻。",),
            "infra": ("要求交通便利、电力充足。",),
            "lease": ("希望签订五年以上租约。",),
            "support": ("希望当地政府在审批方面给予协助。",),
        },
    ),
    ("offer", "zh"): Frames(
        titles=(
            "{loc}{x}招商",
            "{loc}{size}{x}",
            "{loc}优质{x}",
            "{x}招商（{loc}）",
            "{loc}产业园{x}",
            "{loc}{x}，即可入驻",
        ),
        openers=(
            "我们在{loc}提供{size}{x}。",
            "{loc}某产业园现有{x}，面积{size}。",
            "欢迎{target}企业入驻{loc}，现有{x}{size}。",
            "园区位于{loc}，{x}配套齐全。",
            "自{quarter}起，我们可在{loc}提供{size}{x}。",
            "我方在{loc}有{x}可供使用，面积{size}。",
        ),
        facets={
            "size": ("可分割，最小{min_size}。",),
            "price": ("租金约每平方米每月{price_rmb}元。", "价格面议。"),
            "infra": ("临近高速公路和港口。",),
            "support": ("可协助办理工商注册和环评手续。",),
            "avail": ("现房，可随时入驻。",),
        },
    ),
    ("request", "en"): Frames(
        titles=(
            "{x} wanted in {loc}",
            "Looking for {x} in {loc}",
            "Wanted: {x} in {loc}",
            "{x} for a new site in {loc}",
            "Site search {loc}: {x}",
            "Seeking {x} in {loc}",
        ),
        openers=(
            "For our planned subsidiary in {loc} we are looking for {xa}.",
            "We are looking for {xa} in {loc} with {range}.",
            "As part of our expansion to {target} we seek {xa}, preferably in {loc}.",
            "We are looking for {xa} in {loc} to rent or buy.",
            "Our company plans a site in {loc} and needs {xa}.",
            "We want to set up in {loc} and need {xa} at short notice.",
        ),
        facets={
            "size": ("We need {range}.",),
            "timing": ("We plan to move in from {quarter}.",),
            "infra": ("Good transport links and sufficient power supply are important.",),
            "lease": ("A lease of at least five years is preferred.",),
        },
    ),
    ("offer", "en"): Frames(
        titles=(
            "{x} available in {loc}",
            "{size} of {x} in {loc}",
            "Offer: {x} in {loc}",
            "{x} in {loc} for rent or sale",
            "Location offer {loc}: {x}",
            "Site for investors in {loc}: {x}",
        ),
        openers=(
            "In {loc} we offer {xa} with {size}.",
            "We market {xa} in {loc} with {size}.",
            "For investors from {target} we have {xa} available in {loc}.",
            "From {quarter} we can offer {xa} with {size} in {loc}.",
            "Our business park in {loc} still has room: {x}, {size}.",
            "We rent out {xa} in {loc} on attractive terms.",
        ),
        facets={
            "size": ("The space covers {size} and can be divided from {min_size}.",),
            "price": ("Rent is about EUR {price} per m² and month.", "Terms on request."),
            "infra": ("The motorway is a few minutes away.",),
            "support": ("We help with permits and registrations.",),
            "avail": ("The space is available immediately.",),
        },
    ),
}
