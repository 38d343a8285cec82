"""A seeded simulation of staff reviewing match lists, for corpora with labelled pairs.

The alliance's real labels are staff decisions in the service. The sample
corpus has none, so this module plays the staff: for both members of every
labelled pair, it shows the current ranker's top ``k`` suggestions (what a
match list shows) and decides each by a documented, noisy rule that knows
the held-out ground truth (the labelled partner) and what a reviewer sees:

* the labelled partner, when suggested, is approved with probability
  ``partner_approve`` (else rejected: a reviewer's slip);
* a *plausible* partner, one of the same category, from the other country and
  with a shared NACE division (:func:`isa_match.rank.features.sector_fit`),
  is approved with probability ``plausible_approve`` (reviewers often accept
  a company of the right trade even when it is not the perfect fit);
* any other suggestion is approved with probability ``other_approve``;
* when the partner is not among the ``k`` suggestions, staff find it
  themselves with probability ``manual_find`` and approve it as a ``manual``
  decision without components, as the service stores such finds.

Every random draw is a hash of (seed, query, candidate, purpose), so a pair's
decision does not depend on the order of queries or on other pairs. The
output has the layout of the service's export and is read by the same reader
(:func:`isa_match.rank._decisions.read_decisions`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, time
from typing import TYPE_CHECKING

from isa_match.rank._decisions import Decision, Status, decision_record
from isa_match.rank.features import sector_fit

if TYPE_CHECKING:
    from isa_match.rank.matcher import Matcher
    from isa_match.schema import Listing


@dataclass(frozen=True, slots=True)
class StaffRule:
    """How the simulated staff decide (see the module docstring)."""

    k: int = 10
    partner_approve: float = 0.95
    plausible_approve: float = 0.3
    other_approve: float = 0.03
    manual_find: float = 0.5
    seed: int = 7

    def __post_init__(self) -> None:
        if not 1 <= self.k <= 1000:
            raise ValueError(f"k must be from 1 to 1000, got {self.k}")
        for name in ("partner_approve", "plausible_approve", "other_approve", "manual_find"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"{name} is a probability in [0, 1], got {value}")


def _draw(seed: int, *parts: str) -> float:
    """A uniform number in [0, 1) from the hash of ``seed`` and ``parts``."""
    key = "|".join((str(seed), *parts)).encode("utf-8")
    return int.from_bytes(hashlib.sha256(key).digest()[:8], "big") / 2.0**64


def plausible(query: Listing, candidate: Listing) -> bool:
    """Same category, the other country and a shared NACE division."""
    return (
        query.category == candidate.category
        and query.country != candidate.country
        and sector_fit(query, candidate).kind == "division"
    )


def simulate_decisions(
    matcher: Matcher,
    pairs: Sequence[tuple[str, str]],
    *,
    rule: StaffRule | None = None,
    today: date | None = None,
) -> list[dict[str, object]]:
    """Simulated decisions on both directions of ``pairs`` as export records.

    Args:
        matcher: the ranker whose suggestions staff review (hand-set weights).
        pairs: labelled ``(request_id, offer_id)`` pairs (the ground truth).
        rule: the staff rule (default :class:`StaffRule`).
        today: the review day (default: the matcher's reference date, else today).

    Returns:
        Records in the layout of the service's export (``DecisionOut``), for
        :func:`isa_match.rank._decisions.write_decisions`.
    """
    rule = rule or StaffRule()
    day = today or matcher.reference_date or date.today()
    at = datetime.combine(day, time(9, 0), tzinfo=UTC).isoformat()
    note = f"simulated (isa_match StaffRule {asdict(rule)})"
    out: list[dict[str, object]] = []

    def add(d: Decision) -> None:
        reason = None if d.approved else "simulated: not a fit"
        out.append(decision_record(d, len(out) + 1, at=at, reason=reason, note=note))

    seen: set[str] = set()
    for a, b in [*pairs, *[(y, x) for x, y in pairs]]:
        if a in seen:  # a listing in two pairs gets one match list, its first partner
            continue
        seen.add(a)
        query = matcher.get(a)
        shown = matcher.suggest(a, k=rule.k, today=day, explain=False)
        for rank, match in enumerate(shown, start=1):
            if match.id == b:
                p, why = rule.partner_approve, "partner"
            elif plausible(query, match.listing):
                p, why = rule.plausible_approve, "plausible"
            else:
                p, why = rule.other_approve, "other"
            status: Status = "approve" if _draw(rule.seed, a, match.id, why) < p else "reject"
            comps = {k: round(v, 6) for k, v in match.components.items()}
            add(Decision(a, match.id, status, comps, "suggested", rank, round(match.score, 6)))
        if all(m.id != b for m in shown) and _draw(rule.seed, a, b, "manual") < rule.manual_find:
            add(Decision(a, b, "approve", None, "manual"))
    return out
