"""The compositional parts of cooperation, investment, event and space topics."""

from __future__ import annotations

from .._model import Tri

# Cooperation types: (id, de, zh, en); "{f}" is the field.
COOP_TYPES: tuple[tuple[str, str, str, str, str], ...] = (
    (
        "rd",
        "F&E-Kooperation im Bereich {f}",
        "{f}领域研发合作",
        "R&D cooperation in {f}",
        "eine F&E-Kooperation im Bereich {f}",
    ),
    (
        "jv",
        "Joint Venture im Bereich {f}",
        "{f}领域合资合作",
        "joint venture in {f}",
        "ein Joint Venture im Bereich {f}",
    ),
    (
        "distribution",
        "Vertriebskooperation im Bereich {f}",
        "{f}产品渠道代理合作",
        "distribution partnership in {f}",
        "eine Vertriebskooperation im Bereich {f}",
    ),
    (
        "licensing",
        "Lizenzvergabe und Technologietransfer im Bereich {f}",
        "{f}技术许可与转让",
        "licensing and technology transfer in {f}",
        "Lizenzvergabe und Technologietransfer im Bereich {f}",
    ),
    (
        "pilot",
        "gemeinsames Pilotprojekt im Bereich {f}",
        "{f}示范项目合作",
        "joint pilot project in {f}",
        "ein gemeinsames Pilotprojekt im Bereich {f}",
    ),
    (
        "talent",
        "Fachkräfteaustausch im Bereich {f}",
        "{f}人才交流与联合培养",
        "skilled-worker exchange in {f}",
        "einen Fachkräfteaustausch im Bereich {f}",
    ),
)

# Investment stages: (id, de, zh, en, German with article); "{f}" is the field.
INVEST_STAGES: tuple[tuple[str, str, str, str, str], ...] = (
    (
        "seed",
        "Seed-Finanzierung im Bereich {f}",
        "{f}领域种子轮融资",
        "seed funding in {f}",
        "eine Seed-Finanzierung im Bereich {f}",
    ),
    (
        "series_a",
        "Series-A-Finanzierung im Bereich {f}",
        "{f}领域A轮融资",
        "Series A funding in {f}",
        "eine Series-A-Finanzierung im Bereich {f}",
    ),
    (
        "growth",
        "Wachstumskapital im Bereich {f}",
        "{f}领域成长期股权融资",
        "growth capital in {f}",
        "Wachstumskapital im Bereich {f}",
    ),
    (
        "bridge",
        "Brückenfinanzierung im Bereich {f}",
        "{f}领域过桥融资",
        "bridge financing in {f}",
        "eine Brückenfinanzierung im Bereich {f}",
    ),
    (
        "project",
        "Projektfinanzierung im Bereich {f}",
        "{f}领域项目融资",
        "project finance in {f}",
        "eine Projektfinanzierung im Bereich {f}",
    ),
)

# Event types: (id, de, zh, en, German accusative with article, German dative with article).
EVENT_TYPES: tuple[tuple[str, str, str, str, str, str], ...] = (
    (
        "fair",
        "Gemeinschaftsstand auf einer Fachmesse zum Thema {f}",
        "{f}专业展会联合参展",
        "joint stand at a trade fair on {f}",
        "einen Gemeinschaftsstand auf einer Fachmesse zum Thema {f}",
        "einem Gemeinschaftsstand auf einer Fachmesse zum Thema {f}",
    ),
    (
        "delegation",
        "Delegationsreise zum Thema {f}",
        "{f}主题企业考察团",
        "business delegation on {f}",
        "eine Delegationsreise zum Thema {f}",
        "einer Delegationsreise zum Thema {f}",
    ),
    (
        "matchmaking",
        "B2B-Matchmaking zum Thema {f}",
        "{f}企业对接会",
        "B2B matchmaking on {f}",
        "ein B2B-Matchmaking zum Thema {f}",
        "einem B2B-Matchmaking zum Thema {f}",
    ),
    (
        "webinar",
        "Webinar zum Thema {f}",
        "{f}线上研讨会",
        "webinar on {f}",
        "ein Webinar zum Thema {f}",
        "einem Webinar zum Thema {f}",
    ),
    (
        "conference",
        "Fachkonferenz zum Thema {f}",
        "{f}产业论坛",
        "industry conference on {f}",
        "eine Fachkonferenz zum Thema {f}",
        "einer Fachkonferenz zum Thema {f}",
    ),
    (
        "workshop",
        "Praxis-Workshop zum Thema {f}",
        "{f}实操培训班",
        "hands-on workshop on {f}",
        "einen Praxis-Workshop zum Thema {f}",
        "einem Praxis-Workshop zum Thema {f}",
    ),
)

# Space types: (id, NACE divisions, (de, zh, en), German with article, size unit, size range).
SPACE_TYPES: tuple[tuple[str, tuple[str, ...], Tri, str, str, tuple[int, int]], ...] = (
    (
        "hall",
        ("L68", "C28"),
        ("Produktionshalle", "生产厂房", "production hall"),
        "eine Produktionshalle",
        "m2",
        (1500, 20000),
    ),
    (
        "warehouse",
        ("L68", "H52"),
        ("Lager- und Logistikfläche", "仓储物流用房", "warehouse and logistics space"),
        "eine Lager- und Logistikfläche",
        "m2",
        (2000, 30000),
    ),
    (
        "office",
        ("L68", "N82"),
        ("Büroflächen", "写字楼办公空间", "office space"),
        "Büroflächen",
        "m2",
        (150, 2000),
    ),
    (
        "lab",
        ("L68", "M72"),
        ("Laborflächen", "研发实验室用房", "laboratory space"),
        "Laborflächen",
        "m2",
        (200, 3000),
    ),
    (
        "cleanroom",
        ("L68", "C21"),
        ("Reinraumflächen", "洁净厂房", "cleanroom space"),
        "Reinraumflächen",
        "m2",
        (300, 5000),
    ),
    (
        "plot",
        ("L68", "O84"),
        ("Gewerbegrundstück", "工业用地", "industrial plot"),
        "ein Gewerbegrundstück",
        "ha",
        (1, 25),
    ),
)
