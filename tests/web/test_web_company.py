"""Company pages through TestClient: interest from both sides and the audited contact
page, and the listing form with the API's messages next to its fields."""

from __future__ import annotations

import html
import re
import uuid

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from web_helpers import (
    COMPANY_CN,
    COMPANY_DE,
    STAFF_KOELN,
    bearer,
    csrf_of,
    new_listing,
    token_of,
    user_client,
)

from service.models import AuditEntry

API = "/api/v1"


def _flash(text: str) -> list[str]:
    found = re.findall(r'class="flash flash-(?:ok|error)"[^>]*>([^<]*)<', text)
    return [html.unescape(m) for m in found]


def _field_errors(text: str, field: str) -> list[str]:
    found = re.findall(rf'id="error-{field}" role="alert">([^<]*)<', text)
    return [html.unescape(m) for m in found]


def test_company_interest_becomes_mutual_and_reveals_the_contact(web_app: FastAPI) -> None:
    tag = uuid.uuid4().hex[:6]
    de = new_listing(
        web_app,
        COMPANY_DE,
        kind="request",
        title=f"Suche Lieferant für Aluminiumprofile {tag}",
        contact_email=f"einkauf.{tag}@koch.example",
    )
    cn = new_listing(
        web_app,
        COMPANY_CN,
        title=f"供应铝型材 {tag}",
        description="我们供应工业铝型材,可出口德国。",
        contact_name="王芳",
        contact_email=f"wang.{tag}@maanshan.example",
    )
    company = user_client(web_app, COMPANY_DE)
    partner = user_client(web_app, COMPANY_CN)
    r = company.post(
        "/company/interest",
        data={"from_listing": de, "to_listing": cn, "csrf_token": token_of(company, "/company")},
    )
    assert r.status_code == 200 and _flash(r.text) == ["Interesse gespeichert."]
    assert f"wang.{tag}@maanshan.example" not in r.text
    # the partner sees the interest and answers it
    page = partner.get("/company").text
    assert f"Suche Lieferant für Aluminiumprofile {tag}" in page
    assert "Ebenfalls interessiert" in page and f"einkauf.{tag}@koch.example" not in page
    interest_id = int(re.search(r'data-interest="(\d+)"', page)[1])  # type: ignore[index]
    assert partner.get(f"/company/interests/{interest_id}/contact").status_code == 409
    r = partner.post(
        "/company/interest",
        data={"from_listing": cn, "to_listing": de, "csrf_token": csrf_of(page)},
    )
    assert "Beidseitiges Interesse!" in _flash(r.text)[0]
    # both sides reach the other's contact through the audited page
    text = company.get("/company").text
    link = re.search(r'href="(/company/interests/(\d+)/contact)"', text)
    assert link is not None
    contact = company.get(link[1])
    assert contact.status_code == 200
    assert f"wang.{tag}@maanshan.example" in contact.text and "王芳" in contact.text
    with web_app.state.database.session() as db:
        audited = (
            db.execute(
                select(AuditEntry).where(
                    AuditEntry.action == "contact.reveal", AuditEntry.object_id == cn
                )
            )
            .scalars()
            .all()
        )
    assert audited and audited[-1].details["for_listing"] == de
    # another company cannot open it
    other = user_client(web_app, STAFF_KOELN)
    assert other.get(link[1]).status_code == 403
    # withdrawing ends the mutual state
    r = company.post(f"/company/interests/{link[2]}/withdraw", data={"csrf_token": csrf_of(text)})
    assert _flash(r.text) == ["Interesse zurückgezogen."]
    assert company.get(link[1]).status_code in (404, 409)


def test_listing_form_shows_the_api_messages_next_to_the_fields(web_app: FastAPI) -> None:
    company = user_client(web_app, COMPANY_DE)
    token = token_of(company, "/company/listings/new")
    bad = {"title": "x" * 300, "sector": "C25", "description": "kurz"}
    r = company.post("/company/listings/new", data={**bad, "csrf_token": token})
    assert r.status_code == 422
    api = TestClient(web_app).post(
        f"{API}/listings",
        json={**bad, "sector": ["C25"]},
        headers=bearer(web_app, COMPANY_DE),
    )
    assert api.status_code == 422
    for item in api.json()["detail"]:
        field = item["loc"][1]
        shown = _field_errors(r.text, field)
        assert item["msg"] in shown, (field, item["msg"], shown)
    assert 'value="kurz"' not in r.text and ">kurz</textarea>" in r.text  # input kept
    # the core's own checks (after the request model), with their fix
    bad = {"kind": "offer", "category": "product", "title": "Schrauben", "sector": "C99"}
    r = company.post("/company/listings/new", data={**bad, "csrf_token": token})
    api = TestClient(web_app).post(
        f"{API}/listings", json={**bad, "sector": ["C99"]}, headers=bearer(web_app, COMPANY_DE)
    )
    item = api.json()["detail"][0]
    shown = _field_errors(r.text, "sector")
    assert r.status_code == 422 and shown == [f"{item['msg']} – {item['fix']}"]
    # a good form publishes, with the contact fields stored
    good = {
        "kind": "offer",
        "category": "technology",
        "title": "Prüfstand für Elektromotoren",
        "description": "Wir bieten Prüfstände für E-Motoren bis 300 kW.",
        "sector": "C28, M71",
        "keywords": "Prüfstand, E-Motor",
        "contact_name": "Jana Koch",
        "csrf_token": token,
    }
    r = company.post("/company/listings/new", data=good, follow_redirects=False)
    assert r.status_code == 303
    listing_id = r.headers["location"].split("#listing-")[1]
    edit = company.get(f"/company/listings/{listing_id}/edit").text
    assert 'value="C28, M71"' in edit and 'value="Jana Koch"' in edit
    # edit: a stale version answers 412 with the service's message
    version = re.search(r'name="version" value="(\d+)"', edit)[1]  # type: ignore[index]
    changed = {**good, "title": "Prüfstände für Elektromotoren", "version": version}
    assert company.post(f"/company/listings/{listing_id}/edit", data=changed).status_code == 200
    r = company.post(f"/company/listings/{listing_id}/edit", data=changed)
    assert r.status_code == 412 and "read it again" in r.text
