"""The interface strings of the review pages in German, Chinese and English.

Every string a page shows comes from :data:`CATALOGUE` (key → ``(de, zh, en)``);
templates call ``t("key")`` and :class:`Translator` looks it up. Placeholders use
:meth:`str.format` names (``{n}``). Labels of reference data (member cities,
NACE sectors) come from :mod:`isa_match.reference` in the interface language;
categories, kinds, countries and statuses are in the catalogue under
``category.<value>``, ``kind.<value>`` ... Messages of the API (validation
errors) are shown as the API words them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from isa_match.reference import UnknownCityError, UnknownSectorError, cities, sectors

UiLang = Literal["de", "zh", "en"]
LANGS: tuple[UiLang, ...] = ("de", "zh", "en")
DEFAULT_LANG: UiLang = "de"
LANG_NAMES: dict[UiLang, str] = {"de": "Deutsch", "zh": "中文", "en": "English"}
HTML_LANG: dict[str, str] = {"de": "de", "zh": "zh-Hans", "en": "en"}

# fmt: off
CATALOGUE: dict[str, tuple[str, str, str]] = {
    # frame
    "app.name": ("ISA Match", "ISA 配对", "ISA Match"),
    "app.tagline": ("Partnersuche der Chinesisch-Deutschen Industriestädteallianz",
                    "中德工业城市联盟合作伙伴推荐", "Partner finder of the Chinese-German "
                    "Industrial Cities Alliance"),
    "nav.review": ("Vorschlagsliste", "配对清单", "Match list"),
    "nav.overview": ("Stadtübersicht", "城市概览", "City overview"),
    "nav.company": ("Meine Einträge", "我的发布", "My listings"),
    "nav.new_listing": ("Neuer Eintrag", "发布新信息", "New listing"),
    "nav.admin": ("Verwaltung", "管理", "Administration"),
    "nav.logout": ("Abmelden", "退出", "Log out"),
    "nav.language": ("Sprache", "语言", "Language"),
    "nav.signed_in_as": ("Angemeldet als {email} ({role})", "当前用户 {email}({role})",
                         "Signed in as {email} ({role})"),
    "role.company": ("Unternehmen", "企业", "company"),
    "role.staff": ("Stadtverwaltung", "城市工作人员", "city staff"),
    "role.admin": ("Administration", "管理员", "admin"),
    # login
    "login.title": ("Anmelden", "登录", "Log in"),
    "login.email": ("E-Mail", "电子邮箱", "E-mail"),
    "login.password": ("Passwort", "密码", "Password"),
    "login.submit": ("Anmelden", "登录", "Log in"),
    "login.failed": ("E-Mail oder Passwort ist falsch.", "电子邮箱或密码错误。",
                     "Wrong e-mail or password."),
    "login.too_many": ("Zu viele Versuche; bitte in {seconds} s erneut versuchen.",
                       "尝试次数过多,请 {seconds} 秒后再试。",
                       "Too many attempts; try again in {seconds} s."),
    "login.demo": ("Demo-Modus: Diese Konten sind dokumentiert (service/README.md).",
                   "演示模式:以下账户已公开(service/README.md)。",
                   "Demo mode: these accounts are documented (service/README.md)."),
    "logout.done": ("Sie sind abgemeldet.", "您已退出。", "You are logged out."),
    # errors
    "error.title": ("Fehler {status}", "错误 {status}", "Error {status}"),
    "error.403": ("Diese Seite ist für Ihre Rolle nicht vorgesehen.", "您的角色无权访问此页面。",
                  "This page is not for your role."),
    "error.404": ("Nicht gefunden (oder nicht in Ihrem Zuständigkeitsbereich).",
                  "未找到(或不在您的权限范围内)。", "Not found (or not in your scope)."),
    "error.409": ("Der Zustand des Objekts lässt das nicht zu.", "对象当前状态不允许此操作。",
                  "The object's state does not allow this."),
    "error.422": ("Die Eingabe ist ungültig.", "输入无效。", "The input is not valid."),
    "error.429": ("Zu viele Anfragen; bitte später erneut versuchen.", "请求过多,请稍后再试。",
                  "Too many requests; try again later."),
    "error.503": ("Der Index wird gerade aufgebaut; bitte gleich erneut versuchen.",
                  "索引正在构建,请稍后再试。", "The index is being built; try again shortly."),
    "error.csrf": ("Das Formular ist abgelaufen oder ungültig (CSRF). Bitte Seite neu laden.",
                   "表单已过期或无效(CSRF),请刷新页面。",
                   "The form has expired or is not valid (CSRF). Reload the page."),
    "error.other": ("Die Anfrage konnte nicht ausgeführt werden.", "请求无法完成。",
                    "The request could not be completed."),
    "error.home": ("Zur Startseite", "返回首页", "Back to the start page"),
    # listing fields
    "field.title": ("Titel", "标题", "Title"),
    "field.description": ("Beschreibung", "描述", "Description"),
    "field.kind": ("Art", "类型", "Kind"),
    "field.category": ("Kategorie", "类别", "Category"),
    "field.sector": ("Branchen (NACE)", "行业(NACE)", "Sectors (NACE)"),
    "field.keywords": ("Stichwörter", "关键词", "Keywords"),
    "field.language": ("Sprache des Textes", "文本语言", "Language of the text"),
    "field.expires_at": ("Gültig bis", "有效期至", "Valid until"),
    "field.created_at": ("Erstellt", "发布日期", "Created"),
    "field.contact_name": ("Ansprechperson", "联系人", "Contact person"),
    "field.contact_email": ("E-Mail", "电子邮箱", "E-mail"),
    "field.contact_phone": ("Telefon", "电话", "Phone"),
    "field.organization": ("Organisation", "机构", "Organisation"),
    "field.city": ("Stadt", "城市", "City"),
    "field.country": ("Land", "国家", "Country"),
    "field.status": ("Status", "状态", "Status"),
    "field.score": ("Wert", "得分", "Score"),
    "field.rank": ("Rang", "排名", "Rank"),
    "field.reasons": ("Gründe", "推荐理由", "Reasons"),
    "field.reason": ("Begründung", "理由", "Reason"),
    "field.note": ("Notiz", "备注", "Note"),
    "field.decided_by": ("Entschieden von", "决定人", "Decided by"),
    "field.decided_at": ("Entschieden am", "决定时间", "Decided at"),
    "field.id": ("Kennung", "编号", "ID"),
    "field.original_text": ("Originaltext", "原文", "Original text"),
    "lang.auto": ("automatisch erkennen", "自动识别", "detect automatically"),
    "lang.de": ("Deutsch", "德语", "German"),
    "lang.zh": ("Chinesisch", "中文", "Chinese"),
    "lang.en": ("Englisch", "英语", "English"),
    "kind.offer": ("Angebot", "供应", "Offer"),
    "kind.request": ("Gesuch", "需求", "Request"),
    "category.product": ("Produkt", "产品", "Product"),
    "category.technology": ("Technologie", "技术", "Technology"),
    "category.space": ("Flächen", "场地", "Space"),
    "category.event": ("Veranstaltung", "活动", "Event"),
    "category.cooperation": ("Kooperation", "合作", "Cooperation"),
    "category.investment": ("Investition", "投资", "Investment"),
    "category.service": ("Dienstleistung", "服务", "Service"),
    "country.DE": ("Deutschland", "德国", "Germany"),
    "country.CN": ("China", "中国", "China"),
    "org_type.company": ("Unternehmen", "企业", "Company"),
    "org_type.research": ("Forschung", "科研机构", "Research"),
    "org_type.public": ("Öffentliche Einrichtung", "公共机构", "Public body"),
    "status.pending": ("offen", "待审核", "pending"),
    "status.approved": ("bestätigt", "已批准", "approved"),
    "status.rejected": ("abgelehnt", "已拒绝", "rejected"),
    "status.all": ("alle", "全部", "all"),
    "status.active": ("aktiv", "有效", "active"),
    "status.withdrawn": ("zurückgezogen", "已撤回", "withdrawn"),
    # review page
    "review.title": ("Vorschlagsliste {city}", "{city} 配对清单", "Match list {city}"),
    "review.summary": ("{total} vorgeschlagene Paare für {listings} Einträge · Seite {page} "
                       "von {pages}",
                       "{listings} 条信息共 {total} 个推荐配对 · 第 {page}/{pages} 页",
                       "{total} suggested pairs for {listings} listings · page {page} of {pages}"),
    "review.choose_city": ("Bitte eine Mitgliedsstadt wählen.", "请选择一个成员城市。",
                           "Choose a member city."),
    "review.empty": ("Keine Paare für diese Filter.", "没有符合筛选条件的配对。",
                     "No pairs for these filters."),
    "review.own_listing": ("Eintrag der Stadt", "本市信息", "City listing"),
    "review.partner": ("Vorgeschlagener Partner", "推荐合作伙伴", "Suggested partner"),
    "review.approve": ("Bestätigen", "批准", "Approve"),
    "review.reject": ("Ablehnen", "拒绝", "Reject"),
    "review.reason_hint": ("Begründung (für Ablehnung nötig)", "理由(拒绝时必填)",
                           "Reason (needed to reject)"),
    "review.bulk_approve": ("Ausgewählte bestätigen", "批准所选", "Approve selected"),
    "review.select_all": ("Alle auf dieser Seite wählen", "全选本页", "Select all on this page"),
    "review.select_pair": ("Paar auswählen", "选择此配对", "Select pair"),
    "review.bulk_none": ("Kein Paar ausgewählt.", "未选择任何配对。", "No pair selected."),
    "review.saved": ("Entscheidung gespeichert.", "决定已保存。", "Decision saved."),
    "review.saved_bulk": ("{n} Paare bestätigt.", "已批准 {n} 个配对。", "{n} pairs approved."),
    "review.decision": ("{status} von {who} am {at}", "{who} 于 {at} {status}",
                        "{status} by {who} on {at}"),
    "review.export_csv": ("Export CSV", "导出 CSV", "Export CSV"),
    "review.export_xlsx": ("Export XLSX", "导出 XLSX", "Export XLSX"),
    "review.export_hint": ("alle {total} Paare dieser Ansicht", "本视图全部 {total} 个配对",
                           "all {total} pairs of this view"),
    "filter.status": ("Status", "状态", "Status"),
    "filter.sector": ("Branche", "行业", "Sector"),
    "filter.category": ("Kategorie", "类别", "Category"),
    "filter.country": ("Land des Partners", "合作方国家", "Partner's country"),
    "filter.min_score": ("Mindestwert", "最低得分", "Minimum score"),
    "filter.sort": ("Sortierung", "排序", "Sort"),
    "filter.page_size": ("Pro Seite", "每页", "Per page"),
    "filter.city": ("Stadt", "城市", "City"),
    "filter.any": ("alle", "全部", "any"),
    "filter.apply": ("Anwenden", "应用", "Apply"),
    "filter.reset": ("Zurücksetzen", "重置", "Reset"),
    "sort.score": ("nach Wert", "按得分", "by score"),
    "sort.date": ("nach Datum", "按日期", "by date"),
    "page.prev": ("Zurück", "上一页", "Previous"),
    "page.next": ("Weiter", "下一页", "Next"),
    # company page
    "company.title": ("Einträge von {org}", "{org} 的发布", "Listings of {org}"),
    "company.none": ("Noch keine Einträge.", "尚无发布。", "No listings yet."),
    "company.edit": ("Bearbeiten", "编辑", "Edit"),
    "company.suggestions": ("Vorgeschlagene Partner", "推荐合作伙伴", "Suggested partners"),
    "company.no_suggestions": ("Derzeit keine Vorschläge.", "暂无推荐。",
                               "No suggestions at the moment."),
    "company.interested": ("Interessiert", "感兴趣", "Interested"),
    "company.interest_sent": ("Interesse gesendet", "已表达兴趣", "Interest sent"),
    "company.withdraw_interest": ("Interesse zurückziehen", "撤回兴趣", "Withdraw interest"),
    "company.mutual": ("Beidseitiges Interesse", "双方互有兴趣", "Mutual interest"),
    "company.show_contact": ("Kontaktdaten anzeigen", "查看联系方式", "Show contact details"),
    "company.incoming": ("Interesse an Ihren Einträgen", "对您发布信息的兴趣",
                         "Interest in your listings"),
    "company.incoming_none": ("Noch kein Interesse von anderen.", "暂无他方表达兴趣。",
                              "No interest from others yet."),
    "company.incoming_for": ("interessiert an Ihrem Eintrag „{title}“", "对您的“{title}”感兴趣",
                             "interested in your listing “{title}”"),
    "company.reciprocate": ("Ebenfalls interessiert", "我也感兴趣", "Interested too"),
    "company.mutual_list": ("Beidseitiges Interesse: Kontakt möglich", "双方互有兴趣:可以联系",
                            "Mutual interest: contact possible"),
    "company.interest_saved": ("Interesse gespeichert.", "兴趣已保存。", "Interest saved."),
    "company.interest_mutual": ("Beidseitiges Interesse! Die Kontaktdaten sind jetzt sichtbar.",
                                "双方互有兴趣!现在可以查看联系方式。",
                                "Mutual interest! The contact details are now visible."),
    "company.interest_withdrawn": ("Interesse zurückgezogen.", "兴趣已撤回。",
                                   "Interest withdrawn."),
    "contact.title": ("Kontaktdaten des Partners", "合作伙伴联系方式", "Partner's contact details"),
    "contact.audited": ("Diese Anzeige wird im Prüfprotokoll vermerkt.",
                        "此次查看已记录在审计日志中。", "This view is recorded in the audit log."),
    "contact.none": ("Keine Kontaktdaten hinterlegt.", "未提供联系方式。",
                     "No contact details on file."),
    "contact.back": ("Zurück zu meinen Einträgen", "返回我的发布", "Back to my listings"),
    # listing form
    "form.new_title": ("Neuen Eintrag veröffentlichen", "发布新信息", "Post a new listing"),
    "form.edit_title": ("Eintrag bearbeiten", "编辑信息", "Edit listing"),
    "form.save": ("Speichern", "保存", "Save"),
    "form.cancel": ("Abbrechen", "取消", "Cancel"),
    "form.errors": ("Bitte die markierten Felder korrigieren.", "请更正标出的字段。",
                    "Please correct the marked fields."),
    "form.sector_hint": ("NACE-Codes, durch Komma getrennt, z. B. C28, M71",
                         "NACE 代码,用逗号分隔,例如 C28, M71",
                         "NACE codes separated by commas, e.g. C28, M71"),
    "form.keywords_hint": ("durch Komma getrennt", "用逗号分隔", "separated by commas"),
    "form.contact_hint": ("Nur sichtbar für Ihre Organisation und – nach beidseitigem "
                          "Interesse – für den Partner.",
                          "仅您的机构可见;双方互有兴趣后合作伙伴可见。",
                          "Visible to your organisation only and, after mutual interest, "
                          "to the partner."),
    "form.contact_legend": ("Ihre Kontaktdaten", "您的联系方式", "Your contact details"),
    "form.created": ("Eintrag veröffentlicht.", "信息已发布。", "Listing published."),
    "form.updated": ("Eintrag gespeichert.", "信息已保存。", "Listing saved."),
    "form.warnings": ("Hinweise: {text}", "提示:{text}", "Notes: {text}"),
    # overview
    "overview.title": ("Übersicht {city}", "{city} 概览", "Overview {city}"),
    "overview.listings": ("Aktive Einträge", "有效信息", "Active listings"),
    "overview.organizations": ("Organisationen", "机构", "Organisations"),
    "overview.approved": ("Bestätigte Paare", "已批准配对", "Approved pairs"),
    "overview.rejected": ("Abgelehnte Paare", "已拒绝配对", "Rejected pairs"),
    "chart.listings_by_sector": ("Aktive Einträge nach Branche", "按行业划分的有效信息",
                                 "Active listings per sector"),
    "chart.approved_by_sector": ("Bestätigte Paare nach Branche", "按行业划分的已批准配对",
                                 "Approved pairs per sector"),
    "chart.approved_by_city": ("Bestätigte Paare nach Partnerstadt", "按合作城市划分的已批准配对",
                               "Approved pairs per partner city"),
    "chart.suggested_by_city": ("Vorgeschlagene Paare nach Partnerstadt",
                                "按合作城市划分的推荐配对", "Suggested pairs per partner city"),
    "chart.other": ("weitere zusammen: {n}", "其他合计:{n}", "others together: {n}"),
    "chart.empty": ("Noch keine Daten.", "暂无数据。", "No data yet."),
    # admin
    "admin.title": ("Verwaltung", "管理", "Administration"),
    "admin.cities": ("Mitgliedsstädte", "成员城市", "Member cities"),
    "admin.accounts": ("Konten", "账户", "Accounts"),
    "admin.region": ("Region", "地区", "Region"),
    "admin.names": ("Namen", "名称", "Names"),
    "admin.listings": ("aktive Einträge", "有效信息", "active listings"),
    "admin.staff": ("Personal", "工作人员", "staff"),
    "admin.email": ("E-Mail", "电子邮箱", "E-mail"),
    "admin.role": ("Rolle", "角色", "Role"),
    "admin.active": ("aktiv", "有效", "active"),
    "admin.demo": ("Demo", "演示", "demo"),
    "admin.yes": ("ja", "是", "yes"),
    "admin.no": ("nein", "否", "no"),
    "admin.total_accounts": ("{n} Konten", "共 {n} 个账户", "{n} accounts"),
}
# fmt: on


@dataclass(frozen=True, slots=True)
class Translator:
    """The catalogue in one language: ``t("key", name=value)``."""

    lang: UiLang

    def __call__(self, key: str, **values: object) -> str:
        """The text of ``key`` in this language with ``values`` filled in.

        Raises:
            KeyError: ``key`` is not in the catalogue (a template bug, found by the tests).
        """
        text = CATALOGUE[key][LANGS.index(self.lang)]
        return text.format(**values) if values else text

    def label(self, group: str, value: object) -> str:
        """The label of a code (``category``, ``kind``, ``country`` ...); the code itself
        when the catalogue has no entry for it."""
        key = f"{group}.{value}"
        return self(key) if key in CATALOGUE else str(value)

    def city(self, city_id: str) -> str:
        """A member city's name in this language (the id for an unknown one)."""
        try:
            return cities().display_name(city_id, self.lang)
        except UnknownCityError:
            return city_id

    def sector(self, code: str) -> str:
        """A NACE section or division title in this language (the code if unknown)."""
        try:
            return sectors().label(code, self.lang)
        except UnknownSectorError:
            return code

    def sector_labels(self, codes: Iterable[str]) -> list[str]:
        """``"C28 Maschinenbau"`` for every code."""
        return [f"{code} {self.sector(code)}" for code in codes]


def as_lang(value: str | None) -> UiLang | None:
    """``value`` if it names an interface language, else None."""
    for lang in LANGS:
        if value == lang:
            return lang
    return None


def from_accept_language(header: str | None) -> UiLang:
    """The first interface language an ``Accept-Language`` header names, by its weights."""
    ranked: list[tuple[float, int, UiLang]] = []
    for pos, part in enumerate((header or "").split(",")):
        tag, _, params = part.strip().partition(";")
        lang = as_lang(tag.strip().lower()[:2])
        if lang is None:
            continue
        weight = 1.0
        params = params.strip()
        if params.startswith("q="):
            try:
                weight = float(params[2:])
            except ValueError:
                weight = 0.0
        ranked.append((-weight, pos, lang))
    return min(ranked)[2] if ranked else DEFAULT_LANG
