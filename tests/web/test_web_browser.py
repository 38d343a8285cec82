"""The review pages in a real browser: headless Chromium (Debian's package) through
Playwright against the app served by uvicorn on 127.0.0.1.

Every test opens fresh browser contexts (own cookies) and saves screenshots of the
pages it visits (``$ISA_TEST_ARTIFACTS``, copied to /tmp/web_screens/). Without
/usr/bin/chromium the tests are skipped with the reason printed.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
from web_helpers import (
    ADMIN,
    COMPANY_CN,
    COMPANY_DE,
    DEMO_CN_LISTING,
    DEMO_DE_LISTING,
    STAFF_KOELN,
    LiveServer,
    password_of,
)

from service.models import ListingRow
from service.web.security import CSP

Shoot = Callable[[Any, str], Path]
NewContext = Callable[[], Any]


def _expect() -> Any:
    from playwright.sync_api import expect

    return expect


def _login(context: Any, email: str, start: str = "/") -> Any:
    """A page of ``context`` logged in as ``email`` through the login form."""
    page = context.new_page()
    page.goto(start)
    page.wait_for_url(re.compile(r"/login"))
    page.fill("#username", email)
    page.fill("#password", password_of(email))
    page.click("form.stack button[type=submit]")
    page.wait_for_url(lambda url: "/login" not in url)
    return page


def _flash(page: Any) -> str:
    text: str = page.locator("p.flash").first.inner_text()
    return text


def test_staff_filters_decides_and_exports(
    new_context: NewContext, live: LiveServer, screenshots: Shoot, tmp_path: Path
) -> None:
    expect = _expect()
    context = new_context()
    page = context.new_page()
    response = page.goto("/review")
    assert response.status == 200 and "/login?next=/review" in page.url
    screenshots(page, "01-login")
    page.fill("#username", STAFF_KOELN)
    page.fill("#password", password_of(STAFF_KOELN))
    page.click("form.stack button[type=submit]")
    page.wait_for_url(re.compile(r"/review$"))
    expect(page.locator("h1")).to_have_text("Vorschlagsliste Köln")
    assert page.locator("li.pair").count() == 20
    screenshots(page, "02-staff-review")

    # filter: pending pairs with a Chinese partner
    page.select_option("select[name=country]", "CN")
    page.click("#filters button[type=submit]")
    page.wait_for_url(re.compile(r"country=CN"))
    partners = page.locator("li.pair .listing:nth-child(2) .country")
    assert partners.count() > 3
    assert set(partners.all_inner_texts()) == {"China"}

    # approve the first pair with a note
    first = page.locator("li.pair").first
    first_id = first.get_attribute("id")
    first.locator("input[name=note]").fill("passt gut")
    first.locator("button.approve").click()
    expect(page.locator("p.flash")).to_have_text("Entscheidung gespeichert.")
    expect(page.locator(f"#{first_id}")).to_have_count(0)  # no longer pending

    # reject: the reason is asked for before anything is sent, then stored
    second = page.locator("li.pair").first
    second_id = second.get_attribute("id")
    url = page.url
    second.locator("button.reject").click()
    expect(second.locator("input[name=reason]")).to_have_attribute("aria-invalid", "true")
    assert page.url == url  # nothing was sent
    expect(second).to_have_attribute("data-status", "pending")
    second.locator("input[name=reason]").fill("kein passender Bedarf")
    second.locator("button.reject").click()
    expect(page.locator("p.flash")).to_have_text("Entscheidung gespeichert.")

    # bulk approve: "select all" ticks every pair of the page (script), two are kept
    page.check("#select-all")
    boxes = page.locator("input[name=pair]")
    assert boxes.count() > 2
    assert all(boxes.nth(i).is_checked() for i in range(boxes.count()))
    page.uncheck("#select-all")
    bulk_ids = [boxes.nth(i).get_attribute("value") for i in (0, 1)]
    boxes.nth(0).check()
    boxes.nth(1).check()
    page.click("#bulk-approve")
    expect(page.locator("p.flash")).to_have_text("2 Paare bestätigt.")

    # the decided pairs with their state in the "all" view
    page.select_option("select[name=status]", "all")
    page.click("#filters button[type=submit]")
    page.wait_for_url(re.compile(r"status=all"))
    expect(page.locator(f"#{first_id}")).to_have_attribute("data-status", "approved")
    expect(page.locator(f"#{second_id}")).to_have_attribute("data-status", "rejected")
    expect(page.locator(f"#{second_id} .decision")).to_contain_text("kein passender Bedarf")
    screenshots(page, "03-staff-review-decided")

    # export the view: CSV and XLSX, read back
    with page.expect_download() as csv_download:
        page.click("#export-csv")
    rows = list(
        csv.reader(io.StringIO(Path(csv_download.value.path()).read_text(encoding="utf-8-sig")))
    )
    head, body = rows[0], rows[1:]
    status = head.index("Status")
    pair_of = {(r[0], r[9]): r for r in body}
    first_pair = tuple(first_id.removeprefix("pair-").split("-", 1))  # type: ignore[union-attr]
    assert len(first_pair) == 2
    decided = {k: v[status] for k, v in pair_of.items()}
    assert "bestätigt" in decided.values() and "abgelehnt" in decided.values()
    for value in bulk_ids:
        assert decided[tuple(value.split("|"))] == "bestätigt"  # type: ignore[union-attr]
    assert {r[head.index("Vorgeschlagener Partner: Land")] for r in body} == {"China"}
    with page.expect_download() as xlsx_download:
        page.click("#export-xlsx")
    saved = tmp_path / xlsx_download.value.suggested_filename
    assert re.fullmatch(r"matchlist-koeln-\d{8}-\d{4}\.xlsx", saved.name)
    xlsx_download.value.save_as(saved)
    sheet = openpyxl.load_workbook(saved).active
    assert sheet is not None
    cells = [[c.value for c in row] for row in sheet.iter_rows()]
    assert [str(v) for v in cells[0]] == head and len(cells) == len(rows)

    # security: CSP on the page; a form post without the CSRF token is refused
    response = page.goto("/review")
    assert response.headers["content-security-policy"] == CSP
    listing_id, suggested_id = bulk_ids[0].split("|")  # type: ignore[union-attr]
    refused = context.request.post(
        f"{live.base_url}/review/decide",
        form={"listing_id": listing_id, "suggested_id": suggested_id, "status": "reject"},
    )
    assert refused.status == 403 and "CSRF" in refused.text()

    # the city overview with its charts
    page.click("nav.main-nav a[href='/overview']")
    page.wait_for_url(re.compile(r"/overview"))
    assert page.locator("figure.chart svg").count() == 4
    assert int(page.inner_text("#n-approved")) >= 3
    screenshots(page, "04-staff-overview")


def test_language_switch_shows_chinese_labels(
    new_context: NewContext, live: LiveServer, screenshots: Shoot
) -> None:
    expect = _expect()
    page = _login(new_context(), STAFF_KOELN, "/review?status=all")
    expect(page.locator("h1")).to_have_text("Vorschlagsliste Köln")
    page.click("button[data-lang=zh]")
    expect(page.locator("h1")).to_have_text("科隆 配对清单")
    assert "status=all" in page.url  # back on the same view
    assert page.locator("html").get_attribute("lang") == "zh-Hans"
    expect(page.locator("li.pair button.approve").first).to_have_text("批准")
    sectors = " ".join(page.locator(".sectors li").all_inner_texts())
    assert re.search(r"[\u4e00-\u9fff]", sectors)  # NACE labels in Chinese
    screenshots(page, "05-staff-review-zh")
    page.reload()
    expect(page.locator("nav.main-nav a[href='/overview']")).to_have_text("城市概览")
    page.goto("/overview")
    expect(page.locator("figure.chart figcaption").first).to_have_text("按行业划分的有效信息")
    screenshots(page, "06-staff-overview-zh")
    page.click("button[data-lang=en]")
    expect(page.locator("h1")).to_have_text("Overview Cologne")


def test_companies_declare_interest_and_see_the_contact(
    new_context: NewContext, live: LiveServer, screenshots: Shoot
) -> None:
    expect = _expect()
    with live.app.state.database.session() as db:
        de_row, cn_row = db.get(ListingRow, DEMO_DE_LISTING), db.get(ListingRow, DEMO_CN_LISTING)
        assert de_row is not None and cn_row is not None
        de_contact, cn_contact = de_row.contact_email, cn_row.contact_email
    assert de_contact and cn_contact
    german = _login(new_context(), COMPANY_DE)
    expect(german.locator("h1")).to_contain_text("Koch Lebensmittel")
    suggestion = german.locator(f"#s-{DEMO_DE_LISTING}-{DEMO_CN_LISTING}")
    expect(suggestion).to_have_count(1)  # the labelled partner is among the suggestions
    assert cn_contact not in german.content()
    screenshots(german, "07-company-de")
    suggestion.locator("button.interested").click()
    expect(german.locator("p.flash")).to_have_text("Interesse gespeichert.")
    expect(suggestion.locator(".badge.sent")).to_have_text("Interesse gesendet")

    chinese = _login(new_context(), COMPANY_CN)
    chinese.click("button[data-lang=zh]")
    incoming = chinese.locator("#incoming .incoming-item")
    expect(incoming).to_have_count(1)
    expect(incoming.locator("h3")).to_have_text(de_row.title)
    assert de_contact not in chinese.content()
    screenshots(chinese, "08-company-cn-incoming-zh")
    incoming.locator("button.primary").click()
    expect(chinese.locator("p.flash")).to_contain_text("双方互有兴趣")
    chinese.click("#mutual a.contact-link")
    expect(chinese.locator("dd.contact-email")).to_have_text(de_contact)
    screenshots(chinese, "09-contact-cn-zh")

    german.goto("/company")
    expect(suggestion.locator(".badge.mutual")).to_have_text("Beidseitiges Interesse")
    suggestion.locator("a.contact-link").click()
    expect(german.locator("dd.contact-email")).to_have_text(cn_contact)
    expect(german.locator("dd.contact-name")).to_have_text(cn_row.contact_name or "")
    screenshots(german, "10-contact-de")


def test_listing_form_errors_and_a_script_title_shown_as_text(
    new_context: NewContext, live: LiveServer, screenshots: Shoot
) -> None:
    expect = _expect()
    page = _login(new_context(), COMPANY_DE)
    page.click("nav.main-nav a[href='/company/listings/new']")
    page.wait_for_url(re.compile(r"/company/listings/new"))
    page.fill("#f-title", "x" * 250)
    page.click("form.listing-form button[type=submit]")
    expect(page.locator("#error-title")).to_contain_text("at most 200 characters")
    for field in ("kind", "category", "sector"):
        expect(page.locator(f"#error-{field}")).to_have_text("Field required")
        assert page.locator(f"#f-{field}").get_attribute("aria-invalid") == "true"
    screenshots(page, "11-listing-form-errors")
    title = "<script>window.__pwned = 1</script> Laserschneiden <b>Edelstahl</b>"
    page.select_option("#f-kind", "offer")
    page.select_option("#f-category", "technology")
    page.fill("#f-title", title)
    page.fill("#f-description", "Wir bieten Laserschneiden von Edelstahlblechen bis 20 mm.")
    page.fill("#f-sector", "C25")
    page.click("form.listing-form button[type=submit]")
    page.wait_for_url(re.compile(r"/company#listing-"))
    expect(page.locator("p.flash")).to_have_text("Eintrag veröffentlicht.")
    expect(
        page.locator(".own-listing h3.listing-title", has_text="Laserschneiden").first
    ).to_have_text(title)
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert page.locator("b", has_text="Edelstahl").count() == 0
    assert page.locator("script").count() == 1  # only /static/app.js


def test_admin_sees_cities_and_accounts(
    new_context: NewContext, live: LiveServer, screenshots: Shoot
) -> None:
    expect = _expect()
    page = _login(new_context(), ADMIN)
    assert page.url.endswith("/admin")
    expect(page.locator("#cities tbody tr")).to_have_count(41)
    expect(page.locator("#accounts tbody")).to_contain_text(COMPANY_CN)
    screenshots(page, "12-admin")
    page.click("#cities tr[data-city=maanshan] a[href^='/overview']")
    page.wait_for_url(re.compile(r"/overview\?city=maanshan"))
    expect(page.locator("h1")).to_have_text("Übersicht Ma'anshan")
    screenshots(page, "13-admin-overview-maanshan")
