"""More service topics (same layout as :mod:`.services`)."""

from __future__ import annotations

from .services import ServiceGroup

# Services tied to one market: the country whose firms offer them (requests come from the other).
SERVICE_PROVIDER_COUNTRY: dict[str, str] = {
    "gmbh_setup": "DE",
    "entry_de_ev": "DE",
    "payroll_de": "DE",
    "hgb_audit": "DE",
    "recruit_engineers": "DE",
    "sem_germany": "DE",
    "stand_de": "DE",
    "fulfilment_eu": "DE",
    "customs_ecom": "DE",
    "ce_machines": "DE",
    "ce_mdr": "DE",
    "ce_toys": "DE",
    "eu_trademark": "DE",
    "wfoe_setup": "CN",
    "entry_cn_machinery": "CN",
    "cn_patent": "CN",
    "ip_enforcement": "CN",
    "ccc": "CN",
    "nmpa": "CN",
    "cn_food_reg": "CN",
    "customs_machines": "CN",
    "wechat_marketing": "CN",
    "web_localisation": "CN",
    "stand_cn": "CN",
    "cross_border_shop": "CN",
}

# Products that come from one country only.
PRODUCT_PROVIDER_COUNTRY: dict[str, str] = {
    "beer": "DE",
    "riesling": "DE",
    "infant_formula": "DE",
    "malt": "DE",
    "tcm_extracts": "CN",
    "frozen_lychee": "CN",
    "lychee_juice": "CN",
    "green_tea": "CN",
}

MORE_SERVICE_GROUPS: tuple[ServiceGroup, ...] = (
    (
        "accounting",
        "consulting",
        ("M69",),
        "",
        ("Rechnungswesen", "财税服务", "accounting"),
        (
            (
                "payroll_de",
                "Buchhaltung und Lohnabrechnung für Tochtergesellschaften in Deutschland",
                "德国子公司记账与薪资代理",
                "bookkeeping and payroll for subsidiaries in Germany",
            ),
            (
                "transfer_pricing",
                "Steuerberatung zu Verrechnungspreisen",
                "转让定价税务咨询",
                "tax advice on transfer pricing",
            ),
            (
                "hgb_audit",
                "Jahresabschlussprüfung nach HGB",
                "德国商法典（HGB）年度审计",
                "statutory audits under the German Commercial Code (HGB)",
            ),
        ),
    ),
    (
        "warehousing",
        "logistics",
        ("H52",),
        "",
        ("Lagerlogistik", "仓储服务", "warehousing"),
        (
            (
                "fulfilment_eu",
                "Fulfillment für Onlinehändler in Europa",
                "欧洲海外仓一件代发",
                "e-commerce fulfilment in Europe",
            ),
            (
                "spare_parts_wh",
                "Ersatzteillager mit 24-Stunden-Versand",
                "备件仓储与24小时发货",
                "spare-parts warehousing with 24-hour dispatch",
            ),
            (
                "bonded_wh",
                "Zolllager für Transitware",
                "保税仓储",
                "bonded warehousing for transit goods",
            ),
        ),
    ),
    (
        "engineering",
        "machinery",
        ("M71",),
        "",
        ("Ingenieurleistungen", "工程服务", "engineering"),
        (
            (
                "paint_line_design",
                "Anlagenplanung für Lackierstraßen",
                "涂装生产线规划设计",
                "plant engineering for painting lines",
            ),
            (
                "hall_structural",
                "Tragwerksplanung für Industriehallen",
                "工业厂房结构设计",
                "structural design of industrial halls",
            ),
            (
                "line_relocation",
                "Verlagerung und Montage gebrauchter Produktionslinien",
                "二手生产线搬迁与安装",
                "relocation and installation of used production lines",
            ),
        ),
    ),
    (
        "maintenance",
        "automation",
        ("C33",),
        "",
        ("Instandhaltung", "维修服务", "maintenance"),
        (
            (
                "imm_service",
                "Instandhaltung von Spritzgießmaschinen",
                "注塑机维修保养",
                "maintenance of injection moulding machines",
            ),
            (
                "cnc_retrofit",
                "Retrofit von CNC-Steuerungen",
                "数控系统改造升级",
                "retrofit of CNC controls",
            ),
            (
                "wind_service",
                "Wartung von Windenergieanlagen",
                "风电机组运维",
                "servicing of wind turbines",
            ),
        ),
    ),
    (
        "marketing",
        "ecommerce",
        ("M73",),
        "",
        ("Marketing", "营销服务", "marketing"),
        (
            (
                "wechat_marketing",
                "Marketing auf WeChat und Xiaohongshu",
                "微信及小红书营销推广",
                "marketing on WeChat and Xiaohongshu",
            ),
            (
                "sem_germany",
                "Suchmaschinenmarketing in Deutschland",
                "德国搜索引擎营销",
                "search engine marketing in Germany",
            ),
            (
                "web_localisation",
                "Lokalisierung von Websites ins Chinesische",
                "网站中文本地化",
                "localisation of websites into Chinese",
            ),
        ),
    ),
    (
        "fair_services",
        "events",
        ("N82",),
        "",
        ("Messeservice", "展会服务", "trade fair services"),
        (
            (
                "stand_de",
                "Messestandbau auf Fachmessen in Deutschland",
                "德国展会展台搭建",
                "stand construction at trade fairs in Germany",
            ),
            (
                "stand_cn",
                "Messestandbau auf Fachmessen in China",
                "中国展会展台搭建",
                "stand construction at trade fairs in China",
            ),
            (
                "visa_service",
                "Visa- und Reiseservice für Geschäftsdelegationen",
                "商务考察团签证与行程服务",
                "visa and travel services for business delegations",
            ),
        ),
    ),
)
