"""Contact shielding: contact fields reach another member only after mutual interest,
and then only through the audited contact route.

Listings with distinctive contact values (one per organisation) are the objects of
a full walk through the API (every route of the authorization matrix as every role,
plus the partner company); every response body is scanned for the values of
organisations other than the caller's own.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from svc_helpers import ADMIN, Api
from test_service_authz_matrix import (
    API,
    ROLES,
    Ctx,
    Outcome,
    cleanup,
    make_ctx,
    roomy_interest_limit,  # noqa: F401 - the fixture, used by name
    walk,
)

CONTACT_ROUTE = ("GET", f"{API}/interests/{{interest_id}}/contact")
PAGE_CONTACT_ROUTE = ("GET", "/company/interests/{interest_id}/contact")
"""The review pages' view of the same audited reveal (service.mutual.reveal_contact)."""
OWNERS = ("company", "partner", "other_company")


def _leaks(ctx: Ctx, outcomes: Iterator[Outcome]) -> tuple[list[str], int, int]:
    """Leaked values (as 'route role: owner's field'), responses scanned, reveals seen."""
    leaks: list[str] = []
    scanned = reveals = 0
    for out in outcomes:
        assert out.status < 500, f"{out.key} as {out.role}: {out.body[:300]}"
        scanned += 1
        for owner in OWNERS:
            if owner == out.role:
                continue  # an organisation may see its own contact data
            allowed = (
                ctx.mutual
                and out.key in (CONTACT_ROUTE, PAGE_CONTACT_ROUTE)
                and {out.role, owner} == {"company", "partner"}
                and out.status == 200
            )
            for name, value in ctx.canaries[owner].items():
                if value in out.body:
                    if allowed:
                        reveals += 1
                    else:
                        leaks.append(f"{out.key[0]} {out.key[1]} as {out.role}: {owner}'s {name}")
    return leaks, scanned, reveals


def _extra_requests(ctx: Ctx) -> Iterator[Outcome]:
    """Requests beyond the matrix walk: errors that carry another member's contact data,
    and the partner's own views of interests."""
    leak = ctx.canaries["partner"]
    key = ("POST", f"{API}/listings")
    r = ctx.call("company", "POST", f"{API}/listings", json={"title": "x" * 300, **leak})
    yield Outcome(key, "company", r.status_code, r.text)
    assert r.status_code == 422
    r = ctx.call(
        "company",
        "POST",
        f"{API}/interests",
        json={"from_listing": ctx.partner, "to_listing": ctx.own},
    )
    yield Outcome(("POST", f"{API}/interests"), "company", r.status_code, r.text)
    assert r.status_code == 404
    r = ctx.call("company", "GET", f"{API}/interests/{ctx.interest}/contact")
    yield Outcome(CONTACT_ROUTE, "company", r.status_code, r.text)
    for method, url in (
        ("GET", f"{API}/interests"),
        ("GET", f"{API}/listings/{ctx.partner}/suggestions?k=100"),
        ("GET", f"{API}/interests/{ctx.interest}/contact"),
    ):
        r = ctx.call("partner", method, url)
        key = CONTACT_ROUTE if url.endswith("/contact") else (method, url.split("?")[0])
        yield Outcome(key, "partner", r.status_code, r.text)


@pytest.mark.usefixtures("roomy_interest_limit")
def test_no_contact_data_anywhere_before_mutual_interest(sqlite_api: Api) -> None:
    ctx = make_ctx(sqlite_api, mutual=False)
    try:
        outcomes = list(walk(ctx, (*ROLES, "partner"))) + list(_extra_requests(ctx))
        # the walk did show the canary listings to other members (public fields only)
        shown = [o for o in outcomes if o.role != "company" and ctx.own in o.body]
        assert len(shown) >= 5
        leaks, scanned, reveals = _leaks(ctx, iter(outcomes))
        assert scanned > len(ROLES) * 25
        assert leaks == []
        assert reveals == 0
        refused = [o for o in outcomes if o.key == CONTACT_ROUTE and o.role == "company"]
        assert refused and all(o.status == 409 for o in refused)
    finally:
        cleanup(ctx)


@pytest.mark.usefixtures("roomy_interest_limit")
def test_contact_only_through_the_audited_route_after_mutual_interest(sqlite_api: Api) -> None:
    ctx = make_ctx(sqlite_api, mutual=True)
    try:
        outcomes = list(walk(ctx, (*ROLES, "partner"))) + list(_extra_requests(ctx))
        leaks, _, reveals = _leaks(ctx, iter(outcomes))
        assert leaks == []
        # company sees partner's three fields and partner company's, each on its reveal
        assert reveals >= 6
        audit = sqlite_api.get(
            f"{API}/admin/audit",
            ADMIN,
            params={"action": "contact.reveal", "object_id": ctx.partner},
        ).json()
        assert audit["total"] >= 2
        entry = audit["items"][0]
        assert entry["user_email"] == ctx.emails["company"]
        assert entry["details"] == {"interest_id": ctx.interest, "for_listing": ctx.own}
        # the log holds no contact value at all
        whole = sqlite_api.get(f"{API}/admin/audit", ADMIN, params={"page_size": 500}).text
        assert not [v for c in ctx.canaries.values() for v in c.values() if v in whole]

        # withdrawing the interest hides the contact again, everywhere
        r = ctx.call("company", "DELETE", f"{API}/interests/{ctx.interest}")
        assert r.status_code == 204
        ctx.mutual = False
        outcomes = list(_extra_requests(ctx))
        for role, url in (
            ("company", f"{API}/interests"),
            ("partner", f"{API}/interests/{ctx.reverse}/contact"),
            ("company", f"{API}/listings/{ctx.own}/suggestions?k=100"),
            ("staff", f"{API}/matchlists?city=koeln&page_size=100"),
            ("admin", f"{API}/admin/audit?page_size=500"),
        ):
            r = ctx.call(role, "GET", url)
            assert r.status_code in (200, 404, 409), r.text
            outcomes.append(Outcome(("GET", url), role, r.status_code, r.text))
        leaks, _, reveals = _leaks(ctx, iter(outcomes))
        assert leaks == [] and reveals == 0
        refused = [o.status for o in outcomes if o.key == CONTACT_ROUTE or "contact" in o.key[1]]
        assert refused and all(code in (404, 409) for code in refused)
        mine = ctx.call("company", "GET", f"{API}/interests").json()
        assert mine["mutual"] == [] and ctx.partner not in [
            i["to_listing_id"] for i in mine["outgoing"]
        ]
        theirs = ctx.call("partner", "GET", f"{API}/interests").json()
        assert [i["mutual"] for i in theirs["outgoing"] if i["to_listing_id"] == ctx.own] == [False]
    finally:
        cleanup(ctx)
