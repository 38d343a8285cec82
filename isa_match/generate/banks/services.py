"""Service topics: a service type for one object or market (siblings share the type)."""

from __future__ import annotations

from .._model import Tri

# (group, family, NACE divisions, certificate, short name, variants (id, de, zh, en))
ServiceGroup = tuple[str, str, tuple[str, ...], str, Tri, tuple[tuple[str, str, str, str], ...]]

SERVICE_GROUPS: tuple[ServiceGroup, ...] = (
    (
        "ce",
        "testing",
        ("M71",),
        "",
        ("CE-Kennzeichnung", "CE认证", "CE marking"),
        (
            (
                "ce_machines",
                "CE-Kennzeichnung von Maschinen nach Maschinenrichtlinie",
                "机械设备CE认证",
                "CE marking of machinery under the Machinery Directive",
            ),
            (
                "ce_mdr",
                "Zulassung von Medizinprodukten nach MDR",
                "医疗器械欧盟MDR认证",
                "approval of medical devices under the MDR",
            ),
            (
                "ce_toys",
                "CE-Konformitätsbewertung von Spielzeug nach EN 71",
                "玩具CE认证（EN 71）",
                "CE conformity assessment of toys to EN 71",
            ),
        ),
    ),
    (
        "cn_cert",
        "testing",
        ("M71",),
        "",
        ("Zulassung in China", "中国认证", "approval in China"),
        (
            (
                "ccc",
                "CCC-Zertifizierung für Elektrogeräte",
                "电器产品3C认证",
                "CCC certification for electrical appliances",
            ),
            (
                "nmpa",
                "NMPA-Registrierung von Medizinprodukten",
                "医疗器械NMPA注册",
                "NMPA registration of medical devices",
            ),
            (
                "cn_food_reg",
                "Registrierung ausländischer Lebensmittelhersteller beim chinesischen Zoll",
                "进口食品境外生产企业海关注册",
                "registration of foreign food producers with China Customs",
            ),
        ),
    ),
    (
        "freight",
        "logistics",
        ("H52", "H50"),
        "",
        ("Fracht", "货运", "freight"),
        (
            (
                "dg_sea",
                "Seefracht von Lithiumbatterien als Gefahrgut",
                "锂电池危险品海运",
                "sea freight of lithium batteries as dangerous goods",
            ),
            (
                "rail_freight",
                "Bahnfracht China–Europa im Containerzug",
                "中欧班列铁路运输",
                "China–Europe rail freight by container train",
            ),
            (
                "heavy_lift",
                "Schwerguttransporte für Großmaschinen",
                "大型设备大件运输",
                "heavy-lift transport of large machinery",
            ),
        ),
    ),
    (
        "coldchain",
        "logistics",
        ("H52", "H49"),
        "gdp",
        ("Kühlkette", "冷链", "cold chain"),
        (
            (
                "cold_pharma",
                "temperaturgeführte Logistik für Arzneimittel",
                "医药冷链物流",
                "temperature-controlled logistics for pharmaceuticals",
            ),
            (
                "cold_food",
                "Tiefkühllogistik für Meeresfrüchte",
                "水产品冷链物流",
                "frozen logistics for seafood",
            ),
        ),
    ),
    (
        "customs",
        "logistics",
        ("H52",),
        "",
        ("Zollabwicklung", "报关", "customs clearance"),
        (
            (
                "customs_machines",
                "Zollabwicklung für Maschinenimporte nach China",
                "进口机械设备清关",
                "customs clearance of machinery imports into China",
            ),
            (
                "customs_ecom",
                "Zollabwicklung für E-Commerce-Sendungen in die EU",
                "跨境电商欧盟清关",
                "customs clearance of e-commerce parcels into the EU",
            ),
        ),
    ),
    (
        "cnc",
        "precision",
        ("C25",),
        "iso9001",
        ("CNC-Bearbeitung", "CNC加工", "CNC machining"),
        (
            (
                "cnc_alu_housing",
                "CNC-Fräsen von Aluminiumgehäusen",
                "铝合金外壳CNC铣削加工",
                "CNC milling of aluminium housings",
            ),
            (
                "cnc_titanium",
                "CNC-Bearbeitung von Titanimplantaten",
                "钛合金植入物CNC精密加工",
                "CNC machining of titanium implants",
            ),
            (
                "cnc_turning",
                "CNC-Drehteile aus Messing in Großserie",
                "大批量黄铜CNC车削件",
                "high-volume CNC-turned brass parts",
            ),
        ),
    ),
    (
        "casting",
        "automotive_parts",
        ("C24", "C25"),
        "iatf",
        ("Guss", "铸造", "casting"),
        (
            (
                "die_casting_alu",
                "Aluminium-Druckguss für Getriebegehäuse",
                "变速箱壳体铝合金压铸加工",
                "aluminium die casting of gearbox housings",
            ),
            (
                "investment_casting",
                "Feinguss von Turbinenschaufeln",
                "涡轮叶片熔模精密铸造",
                "investment casting of turbine blades",
            ),
            (
                "iron_casting",
                "Sphäroguss für Pumpengehäuse",
                "泵体球墨铸铁铸造",
                "ductile iron casting of pump housings",
            ),
        ),
    ),
    (
        "contract_mfg",
        "plastics",
        ("C22", "C26"),
        "iso13485",
        ("Lohnfertigung", "代工生产", "contract manufacturing"),
        (
            (
                "oem_moulding_med",
                "Spritzguss-Lohnfertigung für Medizinprodukte",
                "医疗器械注塑代工",
                "contract injection moulding for medical devices",
            ),
            (
                "sheet_metal",
                "Blechbearbeitung für Schaltschränke",
                "电控柜钣金加工",
                "sheet-metal fabrication for control cabinets",
            ),
            (
                "smt_small",
                "SMT-Bestückung in Kleinserien",
                "小批量SMT贴片加工",
                "small-batch SMT assembly",
            ),
            (
                "cosmetics_oem",
                "Lohnabfüllung von Kosmetika",
                "化妆品代加工灌装",
                "contract filling of cosmetics",
            ),
        ),
    ),
    (
        "testing",
        "testing",
        ("M71",),
        "iso17025",
        ("Prüflabor", "检测服务", "testing"),
        (
            (
                "weld_testing",
                "Werkstoffprüfung von Schweißverbindungen",
                "焊接接头材料检测",
                "materials testing of welded joints",
            ),
            ("emc", "EMV-Prüfung von Elektronik", "电子产品EMC测试", "EMC testing of electronics"),
            (
                "pesticides",
                "Rückstandsanalytik für Pflanzenschutzmittel in Lebensmitteln",
                "食品农药残留检测",
                "pesticide residue analysis of food",
            ),
            (
                "battery_testing",
                "Sicherheitsprüfung von Batteriemodulen",
                "电池模组安全测试",
                "safety testing of battery modules",
            ),
        ),
    ),
    (
        "market_entry",
        "consulting",
        ("M70",),
        "",
        ("Markteintritt", "市场进入", "market entry"),
        (
            (
                "entry_cn_machinery",
                "Markteintrittsberatung China für Maschinenbauer",
                "机械制造企业进入中国市场咨询",
                "China market entry consulting for machine builders",
            ),
            (
                "entry_de_ev",
                "Markteintrittsberatung Deutschland für Elektromobilitätsfirmen",
                "新能源汽车企业进入德国市场咨询",
                "Germany market entry consulting for e-mobility companies",
            ),
            (
                "gmbh_setup",
                "GmbH-Gründung in Deutschland",
                "在德国设立有限责任公司（GmbH）",
                "setting up a GmbH in Germany",
            ),
            (
                "wfoe_setup",
                "WFOE-Gründung in China",
                "在华设立外商独资企业（WFOE）",
                "setting up a WFOE in China",
            ),
        ),
    ),
    (
        "ip",
        "legal",
        ("M69",),
        "",
        ("Schutzrechte", "知识产权", "intellectual property"),
        (
            ("cn_patent", "Patentanmeldung in China", "中国专利申请代理", "patent filing in China"),
            (
                "eu_trademark",
                "Markenanmeldung in der EU",
                "欧盟商标注册",
                "EU trademark registration",
            ),
            (
                "ip_enforcement",
                "Patentdurchsetzung gegen Produktpiraterie in China",
                "在华专利维权与打假",
                "patent enforcement against counterfeits in China",
            ),
        ),
    ),
    (
        "people",
        "consulting",
        ("N78", "M74"),
        "",
        ("Personal und Sprache", "人才与语言", "staff and language"),
        (
            (
                "recruit_engineers",
                "Rekrutierung von Ingenieurinnen und Ingenieuren in Deutschland",
                "在德国招聘工程师",
                "recruiting engineers in Germany",
            ),
            (
                "fair_interpreting",
                "Dolmetschen Deutsch–Chinesisch auf Fachmessen",
                "展会德中口译",
                "German–Chinese interpreting at trade fairs",
            ),
            (
                "doc_translation",
                "Übersetzung technischer Dokumentation Deutsch–Chinesisch",
                "技术文档德中翻译",
                "translation of technical documentation German–Chinese",
            ),
        ),
    ),
    (
        "training",
        "vocational",
        ("P85",),
        "",
        ("Weiterbildung", "培训", "training"),
        (
            (
                "dual_training",
                "duale Ausbildung für Mechatroniker",
                "机电一体化双元制培训",
                "dual vocational training for mechatronics technicians",
            ),
            (
                "welding_training",
                "Schweißerausbildung nach EN ISO 9606",
                "EN ISO 9606焊工培训",
                "welder training to EN ISO 9606",
            ),
            (
                "plc_training",
                "SPS-Schulungen für Instandhalter",
                "维修人员PLC编程培训",
                "PLC training for maintenance staff",
            ),
        ),
    ),
    (
        "it_services",
        "data_centres",
        ("J63", "J62"),
        "iso27001",
        ("IT-Dienste", "信息技术服务", "IT services"),
        (
            (
                "colocation",
                "Colocation im Rechenzentrum",
                "数据中心机柜托管",
                "data centre colocation",
            ),
            (
                "erp_rollout",
                "SAP-Einführung für Tochtergesellschaften",
                "子公司SAP系统实施",
                "SAP roll-out for subsidiaries",
            ),
            (
                "cross_border_shop",
                "Betrieb von Onlineshops für den chinesischen Markt",
                "面向中国市场的网店代运营",
                "running online shops for the Chinese market",
            ),
        ),
    ),
)
