"""The review workflow: match lists, decisions and their export, interests and contact
reveal, the audit log and account administration."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from svc_helpers import ADMIN, COMPANY_CN, COMPANY_DE, STAFF_KOELN, Api
from test_service_authz_matrix import OTHER_ORG, ensure_user

from service import review
from service.limits import RateLimiter

API = "/api/v1"
ML = f"{API}/matchlists"


def _rows(api: Api, email: str, **params: Any) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Every row of a match list (paging through it) and the first page's envelope."""
    rows: list[dict[str, Any]] = []
    first: dict[str, Any] = {}
    page = 1
    while True:
        r = api.get(ML, email, params={**params, "page": page, "page_size": 100})
        assert r.status_code == 200, r.text
        body = r.json()
        first = first or body
        assert body["total"] == first["total"]
        rows += body["items"]
        if len(rows) >= body["total"] or not body["items"]:
            return rows, first
        page += 1


def _pair(row: dict[str, Any]) -> tuple[str, str]:
    return row["listing"]["id"], row["suggestion"]["id"]


def _pending(api: Api, n: int) -> list[dict[str, Any]]:
    rows, _ = _rows(api, STAFF_KOELN, status="pending")
    assert len(rows) >= n
    return rows[:n]


def _recent(stamp: str) -> bool:
    at = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    return abs(datetime.now(UTC) - at) < timedelta(minutes=5)


def test_match_list_pages_filters_and_sorts(sqlite_api: Api, monkeypatch: Any) -> None:
    api = sqlite_api
    rows, first = _rows(api, STAFF_KOELN, lang="en")
    assert first["k"] == review.DEFAULT_MATCHLIST_K and first["listings"] >= 3
    assert len(rows) == first["total"] > 10
    assert all(r["listing"]["city"] == "koeln" and r["listing"]["status"] == "active" for r in rows)
    assert all(
        r["suggestion"]["listing"]["organization"] != r["listing"]["organization"] for r in rows
    )
    scores = [r["suggestion"]["score"] for r in rows]
    assert scores == sorted(scores, reverse=True)
    assert len(set(map(_pair, rows))) == len(rows)
    reason = rows[0]["suggestion"]["reasons"][0]
    assert reason["en"] and reason["de"] is None and reason["zh"] is None
    # pages are slices of one order
    p1 = api.get(ML, STAFF_KOELN, params={"page_size": 7}).json()
    p2 = api.get(ML, STAFF_KOELN, params={"page_size": 7, "page": 2}).json()
    assert [_pair(r) for r in p1["items"] + p2["items"]] == [_pair(r) for r in rows[:14]]
    beyond = api.get(ML, STAFF_KOELN, params={"page": 10_000}).json()
    assert beyond["items"] == [] and beyond["total"] == first["total"]
    # sort by date: newest listing first, each listing's suggestions in rank order
    by_date, _ = _rows(api, STAFF_KOELN, sort="date")
    keys = [(r["listing"]["created_at"], r["listing"]["id"], -r["rank"]) for r in by_date]
    assert [k[0] for k in keys] == sorted((k[0] for k in keys), reverse=True)
    assert sorted(map(_pair, by_date)) == sorted(map(_pair, rows))
    # partner-side filters
    cn, _ = _rows(api, STAFF_KOELN, country="China")
    assert cn and all(r["suggestion"]["listing"]["country"] == "CN" for r in cn)
    assert len(cn) == sum(r["suggestion"]["listing"]["country"] == "CN" for r in rows)
    cut = scores[len(scores) // 2]
    high, _ = _rows(api, STAFF_KOELN, min_score=cut)
    assert len(high) == sum(s >= cut for s in scores) and all(
        r["suggestion"]["score"] >= cut for r in high
    )
    # listing-side filters: a section letter accepts its divisions
    section = rows[0]["listing"]["sector"][0][0]
    in_section, _ = _rows(api, STAFF_KOELN, sector=section)
    assert in_section and all(
        any(s.startswith(section) for s in r["listing"]["sector"]) for r in in_section
    )
    category = rows[0]["listing"]["category"]
    same, _ = _rows(api, STAFF_KOELN, category=category)
    assert same and len(same) == sum(r["listing"]["category"] == category for r in rows)
    # city: staff their own (any spelling); others 404; unknown names 422
    assert api.get(ML, STAFF_KOELN, params={"city": "Cologne"}).json()["total"] == first["total"]
    assert api.get(ML, STAFF_KOELN, params={"city": "Ma'anshan"}).status_code == 404
    bad = api.get(ML, STAFF_KOELN, params={"city": "Atlantis"})
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["query", "city"]
    assert api.get(ML, STAFF_KOELN, params={"sort": "random"}).status_code == 422
    assert api.get(ML, ADMIN, params={"city": "koeln"}).json()["total"] == first["total"]
    everything = api.get(ML, ADMIN, params={"page_size": 1}).json()
    assert everything["listings"] > first["listings"]
    # the second identical request is served from the cache
    cache = api.app.state.matchlist_cache
    hits = cache.hits
    assert api.get(ML, STAFF_KOELN, params={"page_size": 7}).json() == p1
    assert cache.hits >= hits + first["listings"]
    # too many listings for one list: name a city or narrow it
    monkeypatch.setattr(review, "MAX_MATCHLIST_LISTINGS", 2)
    r = api.get(ML, ADMIN)
    assert r.status_code == 422 and "name a city" in r.json()["detail"][0]["msg"]


def test_decisions_keep_history_latest_wins_and_export(api: Api) -> None:
    row = _pending(api, 1)[0]
    listing_id, suggested_id = _pair(row)
    body = {"listing_id": listing_id, "suggested_id": suggested_id}
    r = api.post(f"{ML}/decisions", STAFF_KOELN, json={**body, "status": "approve", "note": "gut"})
    assert r.status_code == 201, r.text
    first = r.json()
    assert first["user_email"] == STAFF_KOELN and _recent(first["at"])
    assert first["source"] == "suggested" and first["rank"] == row["rank"]
    assert first["score"] == pytest.approx(row["suggestion"]["score"])
    assert first["components"] == row["suggestion"]["components"]
    # a rejection needs a reason
    r = api.post(f"{ML}/decisions", STAFF_KOELN, json={**body, "status": "reject"})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "reason"]
    r = api.post(f"{ML}/decisions", STAFF_KOELN, json={**body, "status": "reject", "reason": "  "})
    assert r.status_code == 422
    r = api.post(
        f"{ML}/decisions", ADMIN, json={**body, "status": "reject", "reason": "Wettbewerber"}
    )
    assert r.status_code == 201
    second = r.json()
    assert second["id"] > first["id"] and second["user_email"] == ADMIN
    # the match list shows the latest decision
    rejected, _ = _rows(api, STAFF_KOELN, status="rejected")
    shown = [x for x in rejected if _pair(x) == (listing_id, suggested_id)]
    assert len(shown) == 1 and shown[0]["decision"]["reason"] == "Wettbewerber"
    assert shown[0]["decision"]["id"] == second["id"]
    approved, _ = _rows(api, STAFF_KOELN, status="approved")
    pending, _ = _rows(api, STAFF_KOELN, status="pending")
    assert (listing_id, suggested_id) not in set(map(_pair, approved + pending))
    # the export keeps both, marks the latest, and carries the features
    export = api.get(f"{ML}/decisions", STAFF_KOELN, params={"listing_id": listing_id}).json()
    mine = [d for d in export["items"] if d["suggested_id"] == suggested_id]
    assert [d["id"] for d in mine][-2:] == [first["id"], second["id"]]
    assert [d["latest"] for d in mine][-2:] == [False, True]
    assert mine[-1]["components"] == first["components"] and mine[-1]["reason"] == "Wettbewerber"
    latest = api.get(
        f"{ML}/decisions", STAFF_KOELN, params={"listing_id": listing_id, "latest_only": True}
    ).json()
    assert [d["id"] for d in latest["items"] if d["suggested_id"] == suggested_id] == [second["id"]]
    rejects = api.get(f"{ML}/decisions", ADMIN, params={"status": "reject"}).json()
    assert rejects["total"] >= 1 and all(d["status"] == "reject" for d in rejects["items"])
    # decisions and exports are audited
    log = api.get(f"{API}/admin/audit", ADMIN, params={"action": "decision.create"}).json()
    assert log["items"][0]["object_id"] == str(second["id"])
    assert log["items"][0]["details"]["suggested_id"] == suggested_id
    log = api.get(f"{API}/admin/audit", ADMIN, params={"action": "decisions.export"}).json()
    assert log["items"][0]["user_email"] == ADMIN
    assert log["items"][0]["details"]["filters"]["status"] == "reject"


def test_decision_scope_and_manual_pairs(api: Api) -> None:
    koeln = api.get(f"{API}/listings", STAFF_KOELN, params={"per_page": 100}).json()["items"]
    cn = api.get(f"{API}/listings", COMPANY_CN).json()["items"][0]
    a = api.get(f"{API}/listings", COMPANY_DE).json()["items"][0]
    url = f"{ML}/decisions"

    def decide(suggested: str, listing: str = a["id"], **extra: Any) -> Any:
        body = {"listing_id": listing, "suggested_id": suggested, "status": "approve", **extra}
        return api.post(url, STAFF_KOELN, json=body)

    # a listing outside the caller's scope, or a missing partner: 404
    r = decide(a["id"], listing=cn["id"])
    assert r.status_code == 404 and r.json()["detail"] == f"listing {cn['id']!r} not found"
    assert decide("NOPE").status_code == 404
    assert decide(cn["id"], status="maybe").status_code == 422
    assert decide(cn["id"], by=1).status_code == 422
    # a partner of the listing's own organisation
    sibling = api.post(
        f"{API}/listings",
        COMPANY_DE,
        json={"kind": "offer", "category": "service", "title": "Lagerlogistik", "sector": ["H52"]},
    ).json()["id"]
    try:
        r = decide(sibling)
        assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "suggested_id"]
    finally:
        assert api.delete(f"{API}/listings/{sibling}", COMPANY_DE).status_code == 200
    assert decide(sibling).status_code == 404  # withdrawn partners are gone
    # a pair the engine did not suggest may be approved: stored as a manual find
    top = api.get(f"{API}/listings/{a['id']}/suggestions", ADMIN, params={"k": 10}).json()
    shown = {m["id"] for m in top["items"]} | {d for m in top["items"] for d in m["duplicates"]}
    manual = next(
        x for x in koeln if x["organization_id"] != a["organization_id"] and x["id"] not in shown
    )
    r = decide(manual["id"], note="auf der Messe kennengelernt")
    assert r.status_code == 201
    assert r.json()["source"] == "manual" and r.json()["components"] is None
    assert r.json()["rank"] is None and r.json()["score"] is None
    suggested = decide(top["items"][0]["id"]).json()
    assert suggested["source"] == "suggested" and suggested["rank"] == 1


def test_bulk_decisions_all_or_nothing(sqlite_api: Api) -> None:
    api = sqlite_api
    rows = _pending(api, 6)
    items = [
        {
            "listing_id": r["listing"]["id"],
            "suggested_id": r["suggestion"]["id"],
            "status": "approve",
        }
        for r in rows
    ]
    before = api.get(f"{ML}/decisions", ADMIN, params={"page_size": 1}).json()["total"]
    # one bad item stops them all
    bad = [*items[:3], {**items[3], "status": "reject"}, *items[4:]]
    r = api.post(f"{ML}/decisions/bulk", STAFF_KOELN, json={"decisions": bad})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == [
        "body",
        "decisions",
        3,
        "reason",
    ]
    outside = api.get(f"{API}/listings", COMPANY_CN).json()["items"][0]["id"]
    wrong = [*items[:2], {**items[2], "listing_id": outside}]
    r = api.post(f"{ML}/decisions/bulk", STAFF_KOELN, json={"decisions": wrong})
    assert r.status_code == 404 and r.json()["detail"].startswith("decisions[2]:")
    r = api.post(f"{ML}/decisions/bulk", STAFF_KOELN, json={"decisions": [items[0]] * 501})
    assert r.status_code == 422
    assert api.post(f"{ML}/decisions/bulk", STAFF_KOELN, json={"decisions": []}).status_code == 422
    assert api.get(f"{ML}/decisions", ADMIN, params={"page_size": 1}).json()["total"] == before
    # all good: all stored
    r = api.post(f"{ML}/decisions/bulk", STAFF_KOELN, json={"decisions": items})
    assert r.status_code == 201, r.text
    stored = r.json()["items"]
    assert [(d["listing_id"], d["suggested_id"]) for d in stored] == list(map(_pair, rows))
    assert all(d["status"] == "approve" and d["source"] == "suggested" for d in stored)
    approved, _ = _rows(api, STAFF_KOELN, status="approved")
    assert set(map(_pair, rows)) <= set(map(_pair, approved))
    assert api.get(f"{ML}/decisions", ADMIN, params={"page_size": 1}).json()["total"] == before + 6
    log = api.get(f"{API}/admin/audit", ADMIN, params={"action": "decision.create"}).json()
    assert [e["details"]["bulk"] for e in log["items"][:6]] == [True] * 6


def _pair_listings(api: Api, tag: str) -> tuple[dict[str, Any], dict[str, Any]]:
    de = api.post(
        f"{API}/listings",
        COMPANY_DE,
        json={
            "kind": "request",
            "category": "technology",
            "title": f"Suche Partner für Wasserstoff-Elektrolyse {tag}",
            "sector": ["C27"],
            "contact_email": f"h2.{tag}@koch.example",
            "contact_phone": "+49 221 5550 4242",
        },
    ).json()
    cn = api.post(
        f"{API}/listings",
        COMPANY_CN,
        json={
            "kind": "offer",
            "category": "technology",
            "title": f"氢能电解槽技术合作 {tag}",
            "sector": ["C27"],
            "contact_name": "王工",
            "contact_email": f"h2.{tag}@maanshan.example",
        },
    ).json()
    return de, cn


def test_interest_mutual_reveal_audit_and_withdraw(api: Api) -> None:
    tag = uuid.uuid4().hex[:8]
    de, cn = _pair_listings(api, tag)
    url = f"{API}/interests"
    try:
        r = api.post(url, COMPANY_DE, json={"from_listing": de["id"], "to_listing": cn["id"]})
        assert r.status_code == 201, r.text
        mine = r.json()
        assert mine["mutual"] is False and mine["partner"]["id"] == cn["id"]
        assert "contact" not in r.text and f"h2.{tag}@maanshan" not in r.text
        again = api.post(url, COMPANY_DE, json={"from_listing": de["id"], "to_listing": cn["id"]})
        assert again.status_code == 200 and again.json()["id"] == mine["id"]
        # wrong sides: not the caller's listing (404), own organisation (422), withdrawn (404)
        r = api.post(url, COMPANY_DE, json={"from_listing": cn["id"], "to_listing": de["id"]})
        assert r.status_code == 404
        r = api.post(url, COMPANY_DE, json={"from_listing": de["id"], "to_listing": de["id"]})
        assert r.status_code == 422
        r = api.post(url, COMPANY_DE, json={"from_listing": de["id"], "to_listing": "NOPE"})
        assert r.status_code == 404
        contact = f"{url}/{mine['id']}/contact"
        assert api.get(contact, COMPANY_DE).status_code == 409
        incoming = api.get(url, COMPANY_CN).json()["incoming"]
        seen = [i for i in incoming if i["id"] == mine["id"]]
        assert seen and seen[0]["partner"]["id"] == de["id"] and seen[0]["mutual"] is False
        # the other side answers: mutual
        r = api.post(url, COMPANY_CN, json={"from_listing": cn["id"], "to_listing": de["id"]})
        assert r.status_code == 201 and r.json()["mutual"] is True
        theirs = r.json()
        assert [i["id"] for i in api.get(url, COMPANY_DE).json()["mutual"]].count(mine["id"]) == 1
        revealed = api.get(contact, COMPANY_DE)
        assert revealed.status_code == 200
        assert revealed.json()["contact"] == {
            "contact_name": "王工",
            "contact_email": f"h2.{tag}@maanshan.example",
            "contact_phone": None,
        }
        back = api.get(f"{url}/{mine['id']}/contact", COMPANY_CN).json()  # either id works
        assert back["contact"]["contact_email"] == f"h2.{tag}@koch.example"
        assert back["partner_listing_id"] == de["id"] and back["listing_id"] == cn["id"]
        # each reveal is audited without the contact data
        log = api.get(
            f"{API}/admin/audit", ADMIN, params={"action": "contact.*", "page_size": 5}
        ).json()
        top = log["items"][:2]
        assert [(e["action"], e["object_id"], e["user_email"]) for e in top] == [
            ("contact.reveal", de["id"], COMPANY_CN),
            ("contact.reveal", cn["id"], COMPANY_DE),
        ]
        assert f"h2.{tag}" not in str(log)
        # only the sender withdraws; then the contact is hidden again
        assert api.delete(f"{url}/{mine['id']}", COMPANY_CN).status_code == 404
        assert api.delete(f"{url}/{mine['id']}", COMPANY_DE).status_code == 204
        assert api.delete(f"{url}/{mine['id']}", COMPANY_DE).status_code == 404
        assert api.get(contact, COMPANY_DE).status_code == 404
        r = api.get(f"{url}/{theirs['id']}/contact", COMPANY_CN)
        assert r.status_code == 409 and f"h2.{tag}" not in r.text
        assert api.get(url, COMPANY_CN).json()["mutual"] == []
        log = api.get(f"{API}/admin/audit", ADMIN, params={"action": "interest.*"}).json()
        assert log["items"][0]["action"] == "interest.withdraw"
        # a withdrawn listing ends a mutual interest too
        again = api.post(url, COMPANY_DE, json={"from_listing": de["id"], "to_listing": cn["id"]})
        assert again.json()["mutual"] is True
        api.delete(f"{API}/listings/{cn['id']}", COMPANY_CN)
        assert api.get(f"{url}/{again.json()['id']}/contact", COMPANY_DE).status_code == 409
        out = [
            i for i in api.get(url, COMPANY_DE).json()["outgoing"] if i["to_listing_id"] == cn["id"]
        ]
        assert out[0]["mutual"] is False and out[0]["partner_active"] is False
    finally:
        for listing, who in ((de, COMPANY_DE), (cn, COMPANY_CN)):
            api.delete(f"{API}/listings/{listing['id']}", who)


def test_interest_rate_limit(sqlite_api: Api) -> None:
    api = sqlite_api
    limiters = api.app.state.limiters
    saved = limiters["interest"]
    limiters["interest"] = RateLimiter(2, 3600)
    try:
        body = {"from_listing": "NOPE-1", "to_listing": "NOPE-2"}
        codes = [api.post(f"{API}/interests", COMPANY_DE, json=body).status_code for _ in range(3)]
        assert codes == [404, 404, 429]
        r = api.post(f"{API}/interests", COMPANY_DE, json=body)
        assert r.status_code == 429 and int(r.headers["Retry-After"]) > 0
        assert api.post(f"{API}/interests", COMPANY_CN, json=body).status_code == 404
    finally:
        limiters["interest"] = saved


def test_role_change_is_audited_and_takes_effect(sqlite_api: Api) -> None:
    api = sqlite_api
    email = f"company.role-{uuid.uuid4().hex[:8]}@isa.example"
    user_id = ensure_user(api, email, "company", org=OTHER_ORG, city="koeln")
    old = api.headers(email)
    assert api.client.get(ML, headers=old).status_code == 403
    users = api.get(f"{API}/admin/users", ADMIN, params={"role": "company", "page_size": 500})
    listed = [u for u in users.json()["items"] if u["id"] == user_id]
    assert listed[0]["organization"]["name"] == OTHER_ORG and "password" not in users.text
    url = f"{API}/admin/users/{user_id}"
    r = api.patch(url, ADMIN, json={"role": "staff", "city": "Köln"})
    assert r.status_code == 200, r.text
    assert r.json()["role"] == "staff" and r.json()["city"] == "koeln"
    assert r.json()["organization"] is None
    # the old token is void; a new login works with the new role
    assert api.client.get(f"{API}/auth/me", headers=old).status_code == 401
    api._tokens.pop(email)
    assert api.get(ML, email, params={"page_size": 1}).status_code == 200
    log = api.get(f"{API}/admin/audit", ADMIN, params={"action": "user.update"}).json()
    entry = log["items"][0]
    assert entry["object_id"] == str(user_id) and entry["user_email"] == ADMIN
    assert entry["details"]["changes"]["role"] == {"from": "company", "to": "staff"}
    assert entry["details"]["changes"]["city"] == {"from": None, "to": "koeln"}
    # invalid changes
    assert api.patch(url, ADMIN, json={"role": "company"}).status_code == 422
    assert api.patch(url, ADMIN, json={"city": "Atlantis"}).status_code == 422
    assert api.patch(url, ADMIN, json={"organization_id": 2**31 - 1}).status_code == 422
    assert api.patch(url, ADMIN, json={"role": "root"}).status_code == 422
    assert api.patch(url, ADMIN, json={"password_hash": "x"}).status_code == 422
    assert api.patch(url, ADMIN, json={}).status_code == 422
    assert api.patch(f"{API}/admin/users/999999", ADMIN, json={"active": True}).status_code == 404
    assert api.patch(f"{API}/admin/users/{2**40}", ADMIN, json={"active": True}).status_code == 422
    me = api.get(f"{API}/auth/me", ADMIN).json()["id"]
    r = api.patch(f"{API}/admin/users/{me}", ADMIN, json={"role": "staff", "city": "Köln"})
    assert r.status_code == 409
    assert api.patch(f"{API}/admin/users/{me}", ADMIN, json={"active": False}).status_code == 409
    # deactivation ends the account's access at once
    token = api.headers(email)
    assert api.patch(url, ADMIN, json={"active": False}).json()["active"] is False
    assert api.client.get(f"{API}/auth/me", headers=token).status_code == 401
    assert api.get(f"{API}/admin/users", ADMIN, params={"active": False}).json()["total"] >= 1
    log = api.get(f"{API}/admin/audit", ADMIN, params={"user": me, "object_id": str(user_id)})
    assert log.json()["items"][0]["details"]["changes"] == {"active": {"from": True, "to": False}}
