"""The core API behaviour, run against SQLite and PostgreSQL (fixture ``api``)."""

from __future__ import annotations

from typing import Any

from svc_helpers import ADMIN, COMPANY_CN, COMPANY_DE, STAFF_KOELN, Api


def _own(api: Api, email: str) -> list[dict[str, Any]]:
    r = api.get("/api/v1/listings", email, params={"per_page": 100})
    assert r.status_code == 200, r.text
    items: list[dict[str, Any]] = r.json()["items"]
    assert items, f"{email} owns no listing"
    return items


def _ids(result: dict[str, Any]) -> set[str]:
    """Suggested ids, including near-duplicates collapsed into a suggestion."""
    out = set()
    for item in result["items"]:
        out.add(item["id"])
        out.update(item["duplicates"])
    return out


def _counterpart_of(listing: dict[str, Any]) -> dict[str, Any]:
    """A new listing that answers ``listing``: same subject, the other kind."""
    return {
        "kind": "offer" if listing["kind"] == "request" else "request",
        "category": listing["category"],
        "title": listing["title"],
        "description": listing["description"],
        "sector": listing["sector"],
        "keywords": listing["keywords"],
        "contact_email": "partner.test@firma-cn.example",
        "contact_phone": "+86 20 5550 1234",
    }


def test_login_me_and_bad_logins(api: Api) -> None:
    me = api.get("/api/v1/auth/me", COMPANY_DE).json()
    assert me["role"] == "company"
    assert me["organization"]["city"] == "koeln" and me["city"] == "koeln"
    wrong = api.client.post(
        "/api/v1/auth/token", data={"username": COMPANY_DE, "password": "not-the-password"}
    )
    unknown = api.client.post(
        "/api/v1/auth/token", data={"username": "nobody@isa.example", "password": "x" * 12}
    )
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json() == {"detail": "wrong user name or password"}
    assert api.client.get("/api/v1/auth/me").status_code == 401
    bad = api.client.get("/api/v1/auth/me", headers={"Authorization": "Bearer abc.def.ghi"})
    assert bad.status_code == 401 and "not valid" in bad.json()["detail"]


def test_scope_outside_answers_404(api: Api) -> None:
    de = _own(api, COMPANY_DE)
    cn = _own(api, COMPANY_CN)
    de_org = de[0]["organization_id"]
    assert all(x["organization_id"] == de_org for x in de)
    other = cn[0]["id"]
    missing = api.get("/api/v1/listings/NO-SUCH-ID", COMPANY_DE)
    assert missing.status_code == 404
    for response in (
        api.get(f"/api/v1/listings/{other}", COMPANY_DE),
        api.patch(f"/api/v1/listings/{other}", COMPANY_DE, json={"title": "Übernommen"}),
        api.delete(f"/api/v1/listings/{other}", COMPANY_DE),
        api.get(f"/api/v1/listings/{other}/suggestions", COMPANY_DE),
    ):
        assert response.status_code == 404, response.text
        assert "not found" in response.json()["detail"]
    # still there and unchanged for its owner
    assert api.get(f"/api/v1/listings/{other}", COMPANY_CN).json()["status"] == "active"
    # staff of Köln: Köln listings yes (without contact), Chinese ones no
    staff_view = api.get(f"/api/v1/listings/{de[0]['id']}", STAFF_KOELN)
    assert staff_view.status_code == 200 and staff_view.json()["contact"] is None
    assert api.get(f"/api/v1/listings/{other}", STAFF_KOELN).status_code == 404
    staff_list = api.get("/api/v1/listings", STAFF_KOELN, params={"per_page": 100}).json()
    assert staff_list["total"] >= len(de) and all(x["city"] == "koeln" for x in staff_list["items"])
    # admin: everything, never contact data of others
    for item in (de[0], cn[0]):
        view = api.get(f"/api/v1/listings/{item['id']}", ADMIN)
        assert view.status_code == 200 and view.json()["contact"] is None
    # the owner sees its own contact data
    assert api.get(f"/api/v1/listings/{de[0]['id']}", COMPANY_DE).json()["contact"] is not None


def test_extra_fields_and_bad_values_are_422(api: Api) -> None:
    body = {"kind": "offer", "category": "product", "title": "Ventile", "sector": ["C28"]}
    r = api.post("/api/v1/listings", COMPANY_DE, json={**body, "owner": "someone else"})
    assert r.status_code == 422
    assert any(e["loc"][-1] == "owner" for e in r.json()["detail"])
    listing = _own(api, COMPANY_DE)[0]
    r = api.patch(f"/api/v1/listings/{listing['id']}", COMPANY_DE, json={"organization": "X"})
    assert r.status_code == 422
    r = api.post("/api/v1/search", COMPANY_DE, json={"text": "Ventile", "limit": 5})
    assert r.status_code == 422
    r = api.post("/api/v1/listings", COMPANY_DE, json={**body, "sector": ["Z99"]})
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"] == ["body", "sector"] and r.json()["detail"][0]["fix"]
    r = api.post("/api/v1/listings", COMPANY_DE, json={**body, "title": "x" * 201})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "title"]


def test_k_is_bounded(api: Api) -> None:
    listing = _own(api, COMPANY_DE)[0]
    url = f"/api/v1/listings/{listing['id']}/suggestions"
    assert api.get(url, COMPANY_DE, params={"k": 101}).status_code == 422
    assert api.get(url, COMPANY_DE, params={"k": 0}).status_code == 422
    assert len(api.get(url, COMPANY_DE, params={"k": 100}).json()["items"]) <= 100
    r = api.post("/api/v1/search", COMPANY_DE, json={"text": "Batterie", "k": 101})
    assert r.status_code == 422


def test_new_listing_is_found_at_once_and_withdrawal_removes_it(api: Api) -> None:
    mine = _own(api, COMPANY_DE)[0]
    created = api.post("/api/v1/listings", COMPANY_CN, json=_counterpart_of(mine))
    assert created.status_code == 201, created.text
    new = created.json()
    assert new["contact"]["contact_email"] == "partner.test@firma-cn.example"
    assert (
        new["organization"] == api.get("/api/v1/auth/me", COMPANY_CN).json()["organization"]["name"]
    )
    url = f"/api/v1/listings/{mine['id']}/suggestions"
    found = api.get(url, COMPANY_DE, params={"k": 10})
    assert found.status_code == 200
    assert new["id"] in _ids(found.json())
    search = api.post(
        "/api/v1/search", COMPANY_DE, json={"text": mine["title"], "kind": mine["kind"], "k": 10}
    )
    assert new["id"] in _ids(search.json())

    gone = api.delete(f"/api/v1/listings/{new['id']}", COMPANY_CN)
    assert gone.status_code == 200 and gone.json()["status"] == "withdrawn"
    assert new["id"] not in _ids(api.get(url, COMPANY_DE, params={"k": 100}).json())
    search = api.post(
        "/api/v1/search", COMPANY_DE, json={"text": mine["title"], "kind": mine["kind"], "k": 100}
    )
    assert new["id"] not in _ids(search.json())
    assert api.get(f"/api/v1/listings/{new['id']}", COMPANY_CN).json()["status"] == "withdrawn"
    again = api.patch(f"/api/v1/listings/{new['id']}", COMPANY_CN, json={"title": "Neu"})
    assert again.status_code == 409


def test_update_is_searchable_and_versioned(api: Api) -> None:
    body = {
        "kind": "offer",
        "category": "technology",
        "title": "Laserschweißen von Aluminiumprofilen",
        "sector": ["C25"],
    }
    new = api.post("/api/v1/listings", COMPANY_DE, json=body).json()
    assert new["version"] == 1
    phrase = "Quarzglas-Mikrofluidik Chips Typ QX9931"
    url = f"/api/v1/listings/{new['id']}"
    r = api.client.patch(
        url, json={"title": phrase}, headers={**api.headers(COMPANY_DE), "If-Match": '"7"'}
    )
    assert r.status_code == 412
    r = api.client.patch(
        url, json={"title": phrase}, headers={**api.headers(COMPANY_DE), "If-Match": '"1"'}
    )
    assert r.status_code == 200, r.text
    assert r.json()["version"] == 2 and r.json()["title"] == phrase
    assert r.headers["ETag"] == '"2"'
    found = api.post("/api/v1/search", COMPANY_CN, json={"text": phrase, "k": 5}).json()
    assert found["items"] and found["items"][0]["id"] == new["id"]
    assert found["items"][0]["listing"]["title"] == phrase


def _csv(rows: list[dict[str, str]]) -> bytes:
    header = list(rows[0])
    lines = [",".join(header)] + [",".join(r[h] for h in header) for r in rows]
    return ("\n".join(lines) + "\n").encode("utf-8")


def _row(org: str, ident: str, **changes: str) -> dict[str, str]:
    row = {
        "id": ident,
        "kind": "request",
        "category": "product",
        "title": "Wir suchen Edelstahlbleche",
        "organization": org,
        "org_type": "company",
        "city": "Köln",
        "sector": "C24",
        "created_at": "2026-10-01",
        "contact_email": "einkauf@example.de",
    }
    row.update(changes)
    return row


def test_bulk_import_strict_and_lenient(api: Api) -> None:
    org = api.get("/api/v1/auth/me", COMPANY_DE).json()["organization"]["name"]
    tag = api.backend
    good = _csv([_row(org, f"IMP-{tag}-1"), _row(org, f"IMP-{tag}-2", title="Suche Kupferdraht")])
    r = api.post(
        "/api/v1/listings/import", COMPANY_DE, files={"file": ("listings.csv", good, "text/csv")}
    )
    assert r.status_code == 200, r.text
    assert r.json()["imported"] == 2 and r.json()["created"] == 2
    assert api.get(f"/api/v1/listings/IMP-{tag}-2", COMPANY_DE).json()["title"] == (
        "Suche Kupferdraht"
    )
    bad = _csv(
        [
            _row(org, f"IMP-{tag}-3"),
            _row(org, f"IMP-{tag}-4", sector="Z99", contact_email="not-an-address"),
        ]
    )
    r = api.post(
        "/api/v1/listings/import", COMPANY_DE, files={"file": ("bad.csv", bad, "text/csv")}
    )
    assert r.status_code == 422
    report = r.json()["report"]
    assert r.json()["detail"].startswith("2 error(s) in bad.csv")
    assert report["imported"] == 0
    fields = {(i["row"], i["field"]) for i in report["issues"] if i["severity"] == "error"}
    assert fields == {(3, "sector"), (3, "contact_email")}
    assert all(i["value"] is None for i in report["issues"] if i["field"] == "contact_email")
    assert api.get(f"/api/v1/listings/IMP-{tag}-3", COMPANY_DE).status_code == 404
    r = api.post(
        "/api/v1/listings/import?mode=lenient",
        COMPANY_DE,
        files={"file": ("bad.csv", bad, "text/csv")},
    )
    assert r.status_code == 200 and r.json()["imported"] == 1 and r.json()["rejected"] == 1
    assert api.get(f"/api/v1/listings/IMP-{tag}-3", COMPANY_DE).status_code == 200
    # a row of another organisation is refused and named
    other = _csv([_row("Fremde GmbH", f"IMP-{tag}-5")])
    r = api.post(
        "/api/v1/listings/import", COMPANY_DE, files={"file": ("o.csv", other, "text/csv")}
    )
    assert r.status_code == 422
    assert r.json()["report"]["issues"][0]["field"] == "organization"
    assert r.json()["report"]["issues"][0]["id"] == f"IMP-{tag}-5"


def test_contact_data_never_reaches_other_members(api: Api) -> None:
    from sqlalchemy import select

    from service.models import ListingRow

    with api.app.state.database.session() as db:
        rows = db.execute(select(ListingRow)).scalars().all()
        secrets = {v for r in rows for v in (r.contact_email, r.contact_phone) if v}
    assert len(secrets) > 100
    de = _own(api, COMPANY_DE)
    bodies = [
        api.get("/api/v1/listings", STAFF_KOELN, params={"per_page": 100}).text,
        api.get("/api/v1/listings", ADMIN, params={"per_page": 100}).text,
        api.get("/api/v1/listings", COMPANY_DE, params={"per_page": 100}).text,
        api.get(f"/api/v1/listings/{de[0]['id']}", ADMIN).text,
        api.get(f"/api/v1/listings/{de[0]['id']}", STAFF_KOELN).text,
    ]
    for item in de:
        bodies.append(
            api.get(
                f"/api/v1/listings/{item['id']}/suggestions", COMPANY_DE, params={"k": 100}
            ).text
        )
    for text in ("Batterie Lithium", "陶瓷", "Software", "Maschinenbau Kooperation"):
        bodies.append(api.post("/api/v1/search", COMPANY_DE, json={"text": text, "k": 100}).text)
    # an invalid request carrying contact data does not echo it
    some = sorted(s for s in secrets if "@" in s)[0]
    bodies.append(api.post("/api/v1/listings", COMPANY_DE, json={"contact_email": some}).text)
    bodies.append(
        api.post(
            "/api/v1/listings",
            COMPANY_DE,
            json={
                "kind": "offer",
                "category": "x",
                "title": "T",
                "sector": ["C"],
                "contact_email": some,
                "contact_phone": "+49 ###",
            },
        ).text
    )
    assert sum(len(b) for b in bodies) > 100_000
    leaked = sorted({s for s in secrets for body in bodies if s in body})
    assert leaked == []
    # the index itself holds no contact data (nothing reading a match can reveal it)
    matches = api.app.state.engine.suggest(text="Kooperation Maschinenbau", k=100)
    assert len(matches) > 50 and all(m.listing.contact is None for m in matches)
