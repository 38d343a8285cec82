"""Sentences that make the *type* of a composed topic explicit (cooperation type,
investment stage, event format), per side and language, so that siblings that share
the field differ in more than one word."""

from __future__ import annotations

# type id -> (kind, lang) -> alternative sentences
TypeSentences = dict[str, dict[tuple[str, str], tuple[str, ...]]]

COOP_SENTENCES: TypeSentences = {
    "rd": {
        ("request", "de"): (
            "Ziel sind gemeinsame Entwicklungsprojekte bis zum Prototyp.",
            "Wir möchten Forschungsergebnisse gemeinsam in neue Produkte überführen.",
        ),
        ("offer", "de"): (
            "Wir bringen unsere Entwicklungsabteilung und Versuchsanlagen in "
            "gemeinsame Projekte ein.",
            "Gemeinsame Forschungsprojekte mit Industriepartnern sind unser Kerngeschäft.",
        ),
        ("request", "zh"): (
            "希望与对方联合开展技术研发，共同开发新产品。",
            "双方可共建联合实验室。",
        ),
        ("offer", "zh"): (
            "我方可投入研发团队和中试平台，与合作方联合攻关。",
            "欢迎共建联合研发中心。",
        ),
        ("request", "en"): ("We aim at joint development projects up to a prototype.",),
        ("offer", "en"): (
            "We contribute our development team and test facilities to joint projects.",
        ),
    },
    "jv": {
        ("request", "de"): (
            "Angedacht ist eine gemeinsame Gesellschaft mit Kapitalbeteiligung beider Partner.",
            "Wir denken an eine Gemeinschaftsfirma mit Produktion vor Ort.",
        ),
        ("offer", "de"): (
            "Wir sind bereit, uns mit Kapital an einer gemeinsamen Gesellschaft zu beteiligen.",
            "Für eine Gemeinschaftsgründung bringen wir Standort, Personal und Kapital ein.",
        ),
        ("request", "zh"): ("拟共同出资设立合资公司。", "希望双方共同投资、共担风险、共享收益。"),
        ("offer", "zh"): ("我方可出资参股合资公司。", "可提供厂房和团队，与外方共同设立合资企业。"),
        ("request", "en"): (
            "We have a jointly owned company with equity from both partners in mind.",
        ),
        ("offer", "en"): ("We are ready to hold equity in a jointly owned company.",),
    },
    "distribution": {
        ("request", "de"): (
            "Gesucht wird ein Partner, der unsere Produkte vor Ort vertreibt und Kunden betreut.",
            "Wir suchen einen Händler oder Importeur mit eigenem Vertriebsnetz.",
        ),
        ("offer", "de"): (
            "Wir übernehmen Import, Vertrieb und Kundendienst für ausländische Hersteller.",
            "Als Händler erreichen wir Kunden in ganz {home}.",
        ),
        ("request", "zh"): (
            "寻找具有销售网络的代理商或经销商，负责当地市场销售与售后。",
            "希望对方作为我方产品在当地的独家代理。",
        ),
        ("offer", "zh"): (
            "我方可担任区域代理，负责进口、销售和售后服务。",
            "我方拥有覆盖全国的销售渠道，可代理外国品牌。",
        ),
        ("request", "en"): ("We need a distributor or importer with its own sales network.",),
        ("offer", "en"): ("We handle import, sales and after-sales service for foreign makers.",),
    },
    "licensing": {
        ("request", "de"): (
            "Wir möchten eine bewährte Technologie in Lizenz übernehmen.",
            "Gesucht ist ein Lizenzgeber, der auch beim Anlauf der Fertigung hilft.",
        ),
        ("offer", "de"): (
            "Wir vergeben Lizenzen an unseren Patenten und begleiten den Transfer.",
            "Lizenznehmer erhalten Dokumentation, Schulung und Anlaufbetreuung.",
        ),
        ("request", "zh"): (
            "希望引进成熟技术并获得专利许可。",
            "需要许可方提供技术资料和投产指导。",
        ),
        ("offer", "zh"): (
            "我方可就相关专利进行许可，并提供技术转移服务。",
            "被许可方可获得全套技术资料和培训。",
        ),
        ("request", "en"): ("We want to license a proven technology.",),
        ("offer", "en"): ("We license our patents and support the transfer.",),
    },
    "pilot": {
        ("request", "de"): (
            "Wir wollen die Lösung zunächst in einer Demonstrationsanlage erproben.",
            "Gesucht ist ein Partner für einen Feldtest unter realen Bedingungen.",
        ),
        ("offer", "de"): (
            "Wir stellen eine Pilotlinie für gemeinsame Versuche zur Verfügung.",
            "Ein Testfeld für Demonstrationsprojekte ist vorhanden.",
        ),
        ("request", "zh"): ("希望先建设示范线进行验证。", "寻找可共同开展试点应用的伙伴。"),
        ("offer", "zh"): ("我方可提供示范应用场景和试验场地。", "可合作建设示范工程。"),
        ("request", "en"): ("We want to test the solution in a demonstration plant first.",),
        ("offer", "en"): ("We provide a pilot line for joint trials.",),
    },
    "talent": {
        ("request", "de"): (
            "Geplant sind Praktika, Hospitationen und gemeinsame Schulungen.",
            "Wir möchten Auszubildende und Ingenieure für einige Monate austauschen.",
        ),
        ("offer", "de"): (
            "Wir bieten Hospitationen und Trainingsplätze für Fachkräfte aus dem Ausland.",
            "Unsere Ausbildungswerkstatt steht für Austauschprogramme offen.",
        ),
        ("request", "zh"): ("计划互派技术人员进行交流和培训。", "希望开展工程师互访和联合培养。"),
        ("offer", "zh"): (
            "我方可接收外方技术人员进行培训和实习。",
            "可提供实训基地用于人才交流项目。",
        ),
        ("request", "en"): ("We plan internships, job shadowing and joint training.",),
        ("offer", "en"): (
            "We offer job shadowing and training places for skilled workers from abroad.",
        ),
    },
}

INVEST_SENTENCES: TypeSentences = {
    "seed": {
        ("request", "de"): (
            "Wir stehen kurz vor dem ersten Prototyp.",
            "Das Start-up wurde vor knapp zwei Jahren gegründet.",
        ),
        ("offer", "de"): (
            "Wir begleiten Gründerteams von der Idee bis zum ersten Produkt.",
            "Wir investieren in sehr frühen Phasen.",
        ),
        ("request", "zh"): ("公司成立不久，已完成样机开发。", "团队正处于初创阶段。"),
        ("offer", "zh"): ("专注早期项目，陪伴创业团队从零起步。", "重点投资初创企业。"),
        ("request", "en"): ("We are about to finish our first prototype.",),
        ("offer", "en"): ("We back founding teams from the idea to the first product.",),
    },
    "series_a": {
        ("request", "de"): (
            "Nach erfolgreichen Pilotkunden steht die Markteinführung an.",
            "Das Produkt ist marktreif, erste Kunden sind gewonnen.",
        ),
        ("offer", "de"): (
            "Wir finanzieren den Markteintritt nach ersten Pilotkunden.",
            "Wir steigen ein, wenn das Produkt marktreif ist.",
        ),
        ("request", "zh"): (
            "产品已实现小批量销售，正在扩大市场。",
            "已获得首批客户，即将全面推向市场。",
        ),
        ("offer", "zh"): ("重点关注已有首批客户、进入市场推广期的企业。",),
        ("request", "en"): ("After successful pilot customers we are launching the product.",),
        ("offer", "en"): ("We finance the market launch after the first pilot customers.",),
    },
    "growth": {
        ("request", "de"): (
            "Wir wachsen profitabel und wollen die Fertigungskapazität verdoppeln.",
            "Geplant ist die Expansion in neue Märkte.",
        ),
        ("offer", "de"): (
            "Wir finanzieren Kapazitätsausbau und Internationalisierung etablierter Unternehmen.",
            "Zielunternehmen haben ein bewährtes Geschäftsmodell.",
        ),
        ("request", "zh"): ("企业已实现盈利，计划扩大产能。", "计划拓展新的市场。"),
        ("offer", "zh"): ("投资已实现盈利、处于扩张期的成熟企业。",),
        ("request", "en"): ("We grow profitably and want to double our production capacity.",),
        ("offer", "en"): ("We finance expansion and internationalisation of established firms.",),
    },
    "bridge": {
        ("request", "de"): (
            "Die Mittel sollen die Zeit bis zur nächsten Finanzierungsrunde überbrücken.",
            "Wir benötigen eine kurzfristige Zwischenfinanzierung.",
        ),
        ("offer", "de"): (
            "Wir bieten kurzfristige Zwischenfinanzierungen bis zur nächsten Runde.",
            "Die Laufzeit beträgt in der Regel 6 bis 18 Monate.",
        ),
        ("request", "zh"): ("资金用于衔接下一轮融资前的过渡期。", "需要短期周转资金。"),
        ("offer", "zh"): ("提供下一轮融资前的短期过桥资金。", "期限一般为6至18个月。"),
        ("request", "en"): ("The funds should bridge the time until the next round.",),
        ("offer", "en"): ("We provide short-term interim financing until the next round.",),
    },
    "project": {
        ("request", "de"): (
            "Finanziert werden soll der Bau einer neuen Anlage.",
            "Die Finanzierung ist an ein konkretes Investitionsprojekt gebunden.",
        ),
        ("offer", "de"): (
            "Wir finanzieren Anlagen und Infrastrukturprojekte mit langen Laufzeiten.",
            "Als Sicherheit dienen die finanzierten Anlagen selbst.",
        ),
        ("request", "zh"): ("资金将用于新建生产装置。", "融资与具体投资项目挂钩。"),
        ("offer", "zh"): ("为工厂和基础设施项目提供长期资金。",),
        ("request", "en"): ("The money is for building a new plant.",),
        ("offer", "en"): ("We finance plants and infrastructure projects with long maturities.",),
    },
}

EVENT_SENTENCES: TypeSentences = {
    "fair": {
        ("request", "de"): (
            "Wir möchten uns auf einem Gemeinschaftsstand präsentieren, ohne selbst "
            "einen Messestand zu bauen.",
        ),
        ("offer", "de"): ("Auf dem Gemeinschaftsstand stehen Flächen für Mitaussteller bereit.",),
        ("request", "zh"): ("希望以联合展台形式参展，降低参展成本。",),
        ("offer", "zh"): ("联合展台可为参展企业提供标准展位。",),
        ("request", "en"): ("We want to exhibit on a shared stand rather than build our own.",),
        ("offer", "en"): ("The joint stand has space for co-exhibitors.",),
    },
    "delegation": {
        ("request", "de"): ("Geplant ist eine mehrtägige Reise mit Firmenbesuchen.",),
        ("offer", "de"): ("Die Reise umfasst Besuche bei Unternehmen und Behörden vor Ort.",),
        ("request", "zh"): ("希望赴当地考察企业并进行商务洽谈。",),
        ("offer", "zh"): ("考察团将参观当地企业并拜访相关部门。",),
        ("request", "en"): ("We plan a trip of several days with company visits.",),
        ("offer", "en"): ("The trip includes visits to local companies and authorities.",),
    },
    "matchmaking": {
        ("request", "de"): ("Wir wünschen vorab vereinbarte Gespräche mit passenden Firmen.",),
        ("offer", "de"): ("Die Gespräche werden vorab anhand der Firmenprofile vereinbart.",),
        ("request", "zh"): ("希望提前匹配并安排一对一洽谈。",),
        ("offer", "zh"): ("主办方将根据企业需求提前安排一对一对接。",),
        ("request", "en"): ("We would like pre-arranged meetings with suitable companies.",),
        ("offer", "en"): ("Meetings are arranged in advance based on company profiles.",),
    },
    "webinar": {
        ("request", "de"): ("Ein Online-Format wäre ideal, Reisen sind derzeit nicht geplant.",),
        ("offer", "de"): ("Die Teilnahme erfolgt online im Browser.",),
        ("request", "zh"): ("希望以线上方式参加，暂无出行计划。",),
        ("offer", "zh"): ("活动以线上直播形式进行。",),
        ("request", "en"): ("An online format would be ideal; we are not planning to travel.",),
        ("offer", "en"): ("Participation is online in the browser.",),
    },
    "conference": {
        ("request", "de"): ("Wir möchten Fachvorträge hören und gern selbst referieren.",),
        ("offer", "de"): ("Das Programm umfasst Keynotes, Fachvorträge und Podiumsdiskussionen.",),
        ("request", "zh"): ("希望听取专家报告，也可发表演讲。",),
        ("offer", "zh"): ("论坛设主旨演讲、专题报告和圆桌讨论。",),
        ("request", "en"): ("We want to hear expert talks and would like to speak ourselves.",),
        ("offer", "en"): ("The programme has keynotes, talks and panel discussions.",),
    },
    "workshop": {
        ("request", "de"): ("Unsere Techniker sollen praktische Erfahrungen sammeln.",),
        ("offer", "de"): ("In kleinen Gruppen wird an Anlagen und Mustern praktisch gearbeitet.",),
        ("request", "zh"): ("希望技术人员参加实操培训。",),
        ("offer", "zh"): ("学员将分组进行实际操作训练。",),
        ("request", "en"): ("Our technicians should gain hands-on experience.",),
        ("offer", "en"): ("Small groups work hands-on with equipment and samples.",),
    },
}

TYPE_SENTENCES: dict[str, TypeSentences] = {
    "cooperation": COOP_SENTENCES,
    "investment": INVEST_SENTENCES,
    "event": EVENT_SENTENCES,
}
