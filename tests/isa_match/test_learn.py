"""Learning to rank from staff decisions: the decisions reader, the model file, training,
the metrics, and (on the sample with the real encoder) simulation and evaluation."""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from isa_match.rank import tune
from isa_match.rank._learn_eval import DecisionQuery, decision_metrics, pair_metrics
from isa_match.rank.config import Weights
from isa_match.rank.learn import (
    FEATURES,
    Decision,
    DecisionsError,
    LearnedRanker,
    LearnedRankerError,
    StaffRule,
    TrainingError,
    decision_features,
    load_for_config,
    pair_components,
    read_decisions,
    simulate_decisions,
    split_queries,
    train,
    write_decisions,
)
from isa_match.rank.matcher import Matcher

# -- helpers -----------------------------------------------------------------------------


def comps(**values: float) -> dict[str, float]:
    """A full component dict: zeros except ``values``."""
    out = dict.fromkeys(FEATURES, 0.0)
    out.update(values)
    return out


def record(listing: str, suggested: str, status: str, **c: float) -> dict[str, object]:
    return {
        "listing_id": listing,
        "suggested_id": suggested,
        "status": status,
        "source": "suggested",
        "components": comps(**c),
    }


def synthetic_decisions(n_queries: int = 150, seed: int = 0) -> list[Decision]:
    """Staff approve with probability sigmoid(-3 + 2 dense + 6 sector): a known rule."""
    rng = np.random.default_rng(seed)
    out: list[Decision] = []
    for q in range(n_queries):
        for i in range(10):
            c = comps(
                dense=float(rng.uniform(0, 1)),
                sector=float(rng.uniform(0, 1)),
                category=1.0,
                cross_border=1.0,
                freshness=float(rng.uniform(0.5, 1.0)),
            )
            p = 1 / (1 + math.exp(3 - 2 * c["dense"] - 6 * c["sector"]))
            status = "approve" if rng.uniform() < p else "reject"
            out.append(Decision(f"Q{q:03d}", f"C{q:03d}-{i}", status, c))  # type: ignore[arg-type]
    return out


# -- the decisions reader ------------------------------------------------------------------


def test_read_the_service_export_page_jsonl_and_csv(tmp_path: Path) -> None:
    items = [
        record("L1", "L2", "approve", dense=0.8, category=1.0),
        record("L1", "L3", "reject", dense=0.4),
        {
            "listing_id": "L1",
            "suggested_id": "L9",
            "status": "approve",
            "source": "manual",
            "components": None,
            "rank": None,
            "score": None,
        },
    ]
    page = tmp_path / "export.json"
    page.write_text(json.dumps({"items": items, "total": 3, "page": 1, "page_size": 1000}))
    got = read_decisions(page)
    assert [d.suggested_id for d in got.decisions] == ["L2", "L3", "L9"]
    assert got.decisions[0].approved and not got.decisions[1].approved
    assert got.decisions[0].components is not None
    assert got.decisions[0].components["dense"] == 0.8
    assert got.decisions[2].components is None and got.decisions[2].source == "manual"
    assert got.decisions[1].where == "export.json, item 2"
    for name in ("d.jsonl", "d.csv"):
        write_decisions(items, tmp_path / name)
        again = read_decisions(tmp_path / name)
        assert again.decisions == tuple(
            Decision(
                d.listing_id,
                d.suggested_id,
                d.status,
                d.components,
                d.source,
                d.rank,
                d.score,
                again.decisions[i].where,
            )
            for i, d in enumerate(got.decisions)
        )


def test_a_csv_with_a_json_components_column(tmp_path: Path) -> None:
    path = tmp_path / "d.csv"
    body = json.dumps(comps(dense=0.5)).replace('"', '""')
    path.write_text(f'listing_id,suggested_id,status,components\nL1,L2,Rejected,"{body}"\n')
    (d,) = read_decisions(path).decisions
    assert d.status == "reject" and d.components == comps(dense=0.5)


def test_flat_component_columns_are_named_in_messages(tmp_path: Path) -> None:
    path = tmp_path / "d.csv"
    write_decisions([record("L1", "L2", "approve", dense=0.5)], path)
    text = path.read_text(encoding="utf-8-sig").replace("0.5", "viel", 1)
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DecisionsError, match=r"d.csv, row 2, field 'components.dense'"):
        read_decisions(path)
    bare = tmp_path / "bare.csv"
    bare.write_text("listing_id,suggested_id,status,dense\nL1,L2,approve,0.5\n")
    with pytest.raises(DecisionsError, match=r"bare.csv, row 2, field 'sector': missing"):
        read_decisions(bare)


def test_the_latest_decision_of_a_pair_wins_and_is_counted(tmp_path: Path) -> None:
    path = tmp_path / "d.jsonl"
    rows = [
        record("L1", "L2", "reject"),
        record("L1", "L3", "reject"),
        record("L1", "L2", "approve"),
    ]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    got = read_decisions(path)
    assert [(d.suggested_id, d.status) for d in got.decisions] == [
        ("L3", "reject"),
        ("L2", "approve"),
    ]
    assert got.rows == 3 and got.superseded == 1
    assert got.summary()["approved"] == 1


def test_several_export_pages_are_read_in_order(tmp_path: Path) -> None:
    first, second = tmp_path / "page1.json", tmp_path / "page2.jsonl"
    first.write_text(json.dumps({"items": [record("L1", "L2", "reject")]}))
    second.write_text(json.dumps(record("L1", "L2", "approve")) + "\n")
    got = read_decisions([first, second])
    assert [d.status for d in got.decisions] == ["approve"] and got.superseded == 1
    (tmp_path / "bad.jsonl").write_text('{"status": "approve"}\n')
    with pytest.raises(DecisionsError) as info:
        read_decisions([first, tmp_path / "bad.jsonl", tmp_path / "gone.csv"])
    message = str(info.value)
    assert "bad.jsonl, line 1, field 'listing_id'" in message
    assert "gone.csv: no such file" in message


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ({**record("L1", "L2", "approve"), "status": "maybe"}, "line 1, field 'status'"),
        ({**record("L1", "L2", "approve"), "listing_id": ""}, "field 'listing_id': missing"),
        (record("L1", "L1", "approve"), "is the listing itself"),
        (
            {**record("L1", "L2", "approve"), "components": {**comps(), "dense": 1.7}},
            "field 'components.dense': components lie in [0, 1]",
        ),
        (
            {**record("L1", "L2", "approve"), "components": {**comps(), "dense": "x"}},
            "field 'components.dense': must be a number",
        ),
        (
            {**record("L1", "L2", "approve"), "components": {"dense": 0.1}},
            "field 'components.sector': missing",
        ),
        (
            {**record("L1", "L2", "approve"), "components": {**comps(), "magic": 1}},
            "unknown component(s)",
        ),
        ({**record("L1", "L2", "approve"), "source": "oracle"}, "field 'source'"),
        ({**record("L1", "L2", "approve"), "rank": 0}, "field 'rank'"),
    ],
)
def test_bad_rows_name_row_and_field(tmp_path: Path, row: dict[str, object], expected: str) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text(json.dumps(row) + "\n" + json.dumps(record("L5", "L6", "reject")) + "\n")
    with pytest.raises(DecisionsError) as info:
        read_decisions(path)
    assert expected in str(info.value)
    assert "bad.jsonl" in str(info.value)


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("e.jsonl", "", "file is empty"),
        ("e.json", "{not json", "not valid JSON"),
        ("e.json", '{"listings": []}', 'expected the export page {"items": [...]}'),
        ("e.json", '{"items": []}', "holds no decisions"),
        ("e.json", "[1, 2]", "item 1: expected a decision object"),
        ("e.jsonl", '{"a": 1\n', "line 1: not valid JSON"),
        ("e.txt", "x", "unsupported file type"),
    ],
)
def test_bad_files(tmp_path: Path, name: str, content: str, expected: str) -> None:
    path = tmp_path / name
    path.write_text(content)
    with pytest.raises(DecisionsError, match=None) as info:
        read_decisions(path)
    assert expected in str(info.value)
    with pytest.raises(DecisionsError, match="no such file"):
        read_decisions(tmp_path / "missing.jsonl")


def test_many_problems_are_listed_with_a_limit(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text("".join(json.dumps({"status": "x"}) + "\n" for _ in range(30)))
    with pytest.raises(DecisionsError) as info:
        read_decisions(path)
    assert len(info.value.problems) == 90  # three fields on each of 30 lines
    assert "... and 70 more problem(s)" in str(info.value)


# -- the model file ------------------------------------------------------------------------


def a_model() -> LearnedRanker:
    w = np.array([2.0, 0.5, 1.0, 3.0, 4.0, 0.7, 0.1, -0.25, -6.0])
    return LearnedRanker(w, 0.5, {"data": {"decisions": 7}})


def test_the_model_reads_the_tuning_features() -> None:
    from isa_match.rank import _learned_model

    assert _learned_model.FEATURES == tune.FEATURES == FEATURES


def test_score_is_the_dot_product_of_the_components() -> None:
    model = a_model()
    rng = np.random.default_rng(1)
    X = rng.uniform(0, 1, (5, len(FEATURES)))
    by_name = {f: X[:, j] for j, f in enumerate(FEATURES)}
    expected = X @ model.weights + 0.5
    np.testing.assert_allclose(model.score(by_name), expected)
    np.testing.assert_allclose(model.score_matrix(X), expected)
    assert model.reciprocity_bound == 0.25
    with pytest.raises(ValueError, match="location_mismatch"):
        model.score({f: X[:, j] for j, f in enumerate(FEATURES[:-1])})
    with pytest.raises(ValueError, match="shape"):
        model.score({**by_name, "sector": X[:3, 2]})


def test_save_load_round_trip(tmp_path: Path) -> None:
    model = a_model()
    path = tmp_path / "learned_ranker.json"
    model.save(path)
    data = json.loads(path.read_text())
    assert data["kind"] == "isa_match.learned_ranker" and data["features"] == list(FEATURES)
    back = LearnedRanker.load(path)
    np.testing.assert_array_equal(back.weights, model.weights)
    assert back.bias == model.bias
    assert back.metadata == {"data": {"decisions": 7}}
    assert not list(tmp_path.glob(".*.tmp"))  # the temporary file is gone


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda d: d.update(kind="isa_match.matcher"), "not a learned ranker"),
        (lambda d: d.update(format=2), "format 2"),
        (lambda d: d.update(model="trees"), "model 'trees'"),
        (lambda d: d.update(features=list(FEATURES[:-1])), "train it again"),
        (lambda d: d["weights"].pop("dense"), "'weights' must give a number"),
        (lambda d: d["weights"].update(dense="high"), "weights.dense must be a finite number"),
        (lambda d: d["weights"].update(dense=True), "weights.dense must be a finite number"),
        (lambda d: d.update(bias=None), "'bias' must be a finite number"),
    ],
)
def test_bad_model_files(tmp_path: Path, change: object, expected: str) -> None:
    data = a_model().to_dict()
    change(data)  # type: ignore[operator]
    path = tmp_path / "m.json"
    path.write_text(json.dumps(data))
    with pytest.raises(LearnedRankerError) as info:
        LearnedRanker.load(path)
    assert expected in str(info.value) and str(path) in str(info.value)


def test_unreadable_model_files(tmp_path: Path) -> None:
    with pytest.raises(LearnedRankerError, match="no such learned-ranker file"):
        LearnedRanker.load(tmp_path / "nope.json")
    (tmp_path / "m.json").write_text("[1,")
    with pytest.raises(LearnedRankerError, match="not valid JSON"):
        LearnedRanker.load(tmp_path / "m.json")
    (tmp_path / "n.json").write_text("[1]")
    with pytest.raises(LearnedRankerError, match="expected a JSON object"):
        LearnedRanker.load(tmp_path / "n.json")


def test_load_for_config(tmp_path: Path) -> None:
    config = tmp_path / "ranking.toml"
    config.write_text("candidates = 50\n[weights]\ndense = 1.0\n")
    assert load_for_config(config) is None
    assert load_for_config(tmp_path) is None  # a folder means its ranking.toml
    config.write_text('learned = "learned_ranker.json"\ncandidates = 50\n')
    with pytest.raises(LearnedRankerError, match="no such file"):
        load_for_config(config)
    a_model().save(tmp_path / "learned_ranker.json")
    found = load_for_config(tmp_path)
    assert found is not None and found.bias == 0.5
    other = tmp_path / "tuned.json"
    other.write_text(json.dumps({"learned": "learned_ranker.json"}))
    assert load_for_config(other) is not None
    other.write_text(json.dumps({"learned": 3}))
    with pytest.raises(LearnedRankerError, match="learned must be a file name"):
        load_for_config(other)
    with pytest.raises(LearnedRankerError, match="cannot read the ranking config"):
        load_for_config(tmp_path / "missing.toml")


# -- training on synthetic decisions ---------------------------------------------------------


def test_learned_scores_equal_the_sklearn_estimator() -> None:
    result = train(synthetic_decisions(), test_share=0.25, seed=3)
    X = np.random.default_rng(2).uniform(0, 1, (40, len(FEATURES)))
    sk = result.estimator.decision_function(result.design(X))
    np.testing.assert_allclose(result.model.score_matrix(X), sk, rtol=1e-9, atol=1e-9)
    # and for differences (what the estimator was trained on)
    d = result.estimator.decision_function(result.design(X[:20] - X[20:]))
    s = result.model.score_matrix(X)
    np.testing.assert_allclose(s[:20] - s[20:], d, rtol=1e-9, atol=1e-9)


def test_training_recovers_a_known_rule_and_beats_hand_set_weights() -> None:
    # Pairwise logistic regression is conditional logit: it estimates the rule's
    # coefficients (2 for dense, 6 for sector), up to noise.
    plain = train(synthetic_decisions(), test_share=0.25, seed=3, use_prior=False, c=100.0)
    w = plain.model.coefficients()
    assert 1.2 < w["dense"] < 3.0 and 4.5 < w["sector"] < 8.0
    assert abs(w["freshness"]) < 1.5  # no effect in the rule; a narrow range, so noisy
    result = train(synthetic_decisions(), test_share=0.25, seed=3)
    w = result.model.coefficients()
    assert w["location_mismatch"] <= 0  # sign kept, whatever the data
    dec = result.report.decisions
    # The hand-set weights give sector 0.3 against dense 1.0: clearly worse on this rule.
    assert dec["learned"].auc > dec["hand-set"].auc + 0.05
    assert dec["learned"].mrr >= dec["hand-set"].mrr
    assert result.report.pairs_heldout is None  # no matcher, no pairs
    meta = result.model.metadata
    assert meta["data"]["test_queries"] == len(result.test_queries) == 38
    assert meta["params"]["inputs"][-1] == "hand_set"


def test_signs_are_kept_by_dropping_inputs() -> None:
    # Staff here prefer *older* listings: freshness would get a negative weight.
    rng = np.random.default_rng(5)
    decisions = []
    for q in range(80):
        for i in range(6):
            fresh, dense = float(rng.uniform(0.5, 1)), float(rng.uniform(0, 1))
            ok = dense - 2 * fresh + rng.normal(0, 0.2) > -1.0
            c = comps(dense=dense, freshness=fresh, category=1.0)
            decisions.append(Decision(f"Q{q}", f"C{q}-{i}", "approve" if ok else "reject", c))
    result = train(decisions, use_prior=False)
    w = result.model.coefficients()
    assert w["freshness"] == 0.0 and w["dense"] > 0
    assert "freshness" in result.model.metadata["params"]["dropped_for_sign"]


def test_the_split_keeps_queries_and_pairs_whole() -> None:
    decisions = synthetic_decisions(40)
    pairs = [(f"Q{2 * i:03d}", f"Q{2 * i + 1:03d}") for i in range(20)]
    train_q, test_q = split_queries(decisions, pairs=pairs, test_share=0.3, seed=1)
    assert train_q.isdisjoint(test_q) and len(train_q | test_q) == 40
    for a, b in pairs:
        assert (a in test_q) == (b in test_q)
    assert len(test_q) == 12  # 6 of 20 pair groups
    assert split_queries(decisions, pairs=pairs, seed=1) == (train_q, test_q)
    with pytest.raises(TrainingError, match="test_share"):
        split_queries(decisions, test_share=1.0)


def test_training_errors() -> None:
    with pytest.raises(TrainingError, match="no decisions"):
        train([])
    rejects = [Decision(f"Q{i}", "C", "reject", comps()) for i in range(10)]
    with pytest.raises(TrainingError, match="nothing to learn from"):
        train(rejects)
    manual = [Decision("Q1", "C", "approve", None, "manual", where="d.jsonl, line 4")]
    with pytest.raises(TrainingError, match=r"d.jsonl, line 4.*--index"):
        decision_features(manual)
    with pytest.raises(TrainingError, match="at least 2"):
        split_queries([Decision("Q1", "C", "approve", comps())])


# -- metrics ---------------------------------------------------------------------------------


def test_decision_metrics_known_answer() -> None:
    X = np.array([[3.0], [2.0], [1.0], [0.0]])
    data = [
        DecisionQuery("q1", ("a", "b", "c", "d"), X, np.array([False, True, False, True])),
        DecisionQuery("q2", ("a", "b"), X[:2], np.array([False, False])),  # no approval
    ]
    m = decision_metrics(data, lambda X: X[:, 0])
    assert (m.queries, m.decisions) == (1, 6)
    assert m.mrr == 0.5 and m.recall_at_1 == 0.0 and m.recall_at_5 == 1.0
    ideal = 1 + 1 / math.log2(3)
    assert m.ndcg_at_10 == pytest.approx((1 / math.log2(3) + 1 / math.log2(5)) / ideal)
    assert m.auc == pytest.approx(1 / 4)  # b beats c and d ... only d below c: 1 of 4 pairs
    assert m.auc_queries == 1


def test_pair_metrics_equal_tune_rank_metrics() -> None:
    rng = np.random.default_rng(4)
    data = []
    for q in range(30):
        X = rng.uniform(0, 1, (12, len(FEATURES)))
        X[:, 3] = rng.integers(0, 2, 12)  # ties in category
        target = None if q % 7 == 0 else int(rng.integers(0, 12))
        data.append(tune.QueryCandidates(f"q{q}", tuple(f"c{i:02d}" for i in range(12)), X, target))
    weights = Weights(sector=0.7, category=2.0)
    w = tune.weight_vector(weights)
    assert pair_metrics(data, lambda X: X @ w) == tune.rank_metrics(data, weights)


# -- on the sample, with the real encoder ------------------------------------------------------


@pytest.fixture(scope="module")
def simulated(
    sample_matcher: Matcher, sample_pairs: list[tuple[str, str]]
) -> list[dict[str, object]]:
    return simulate_decisions(sample_matcher, sample_pairs)


def test_simulation_is_seeded_order_free_and_follows_its_rule(
    sample_matcher: Matcher,
    sample_pairs: list[tuple[str, str]],
    simulated: list[dict[str, object]],
) -> None:
    again = simulate_decisions(sample_matcher, list(reversed(sample_pairs[:40])))

    def key(r: dict[str, object]) -> tuple[object, ...]:
        return (r["listing_id"], r["suggested_id"], r["status"], r["source"])

    assert {key(r) for r in again} <= {key(r) for r in simulated}
    other = simulate_decisions(sample_matcher, sample_pairs[:40], rule=StaffRule(seed=8))
    assert {key(r) for r in other} != {key(r) for r in again}
    partners = {**dict(sample_pairs), **{b: a for a, b in sample_pairs}}
    shown = [r for r in simulated if r["source"] == "suggested"]
    assert len({r["listing_id"] for r in simulated}) == 2 * len(sample_pairs)
    assert all(r["rank"] is not None and r["components"] is not None for r in shown)
    hits = [r for r in shown if partners[str(r["listing_id"])] == r["suggested_id"]]
    rate = sum(r["status"] == "approve" for r in hits) / len(hits)
    assert 0.9 < rate <= 1.0  # partner_approve = 0.95
    others = [r for r in shown if partners[str(r["listing_id"])] != r["suggested_id"]]
    assert 0.03 < sum(r["status"] == "approve" for r in others) / len(others) < 0.3
    manual = [r for r in simulated if r["source"] == "manual"]
    assert all(r["components"] is None and r["status"] == "approve" for r in manual)
    assert all(partners[str(r["listing_id"])] == r["suggested_id"] for r in manual)


def test_pair_components_equal_the_suggestions_components(
    sample_matcher: Matcher, sample_pairs: list[tuple[str, str]]
) -> None:
    query = sample_pairs[3][0]
    shown = sample_matcher.suggest(query, k=8, explain=False)
    far = next(
        x.id
        for x in sample_matcher.listings()[::-1]
        if x.id not in {m.id for m in shown} and x.id != query
    )
    X = pair_components(sample_matcher, query, [m.id for m in shown] + [far])
    for row, match in zip(X, shown, strict=False):
        np.testing.assert_allclose(row, [match.components[f] for f in FEATURES], atol=1e-9)
    assert X.shape == (9, len(FEATURES)) and np.all((X >= 0) & (X <= 1))
    hand = tune.weight_vector(sample_matcher.config.weights)
    np.testing.assert_allclose(X[:8] @ hand, [m.score for m in shown], atol=1e-9)


@pytest.fixture(scope="module")
def trained(
    sample_matcher: Matcher,
    sample_pairs: list[tuple[str, str]],
    simulated: list[dict[str, object]],
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[object, object]]:
    path = tmp_path_factory.mktemp("learn") / "simulated.jsonl"
    write_decisions(simulated, path)
    found = read_decisions(path)  # one reader for the export and the simulation
    yield found, train(found.decisions, matcher=sample_matcher, pairs=sample_pairs)


def test_training_on_simulated_decisions(trained: tuple[object, object]) -> None:
    found, result = trained
    report = result.report  # type: ignore[attr-defined]
    dec = report.decisions
    # What holds on the sample (docs/learning.md): the learned model orders held-out
    # decisions better by AUC and recall@5 (it learns that staff also approve partners
    # of the same trade) ...
    assert dec["learned"].auc > dec["hand-set"].auc
    assert dec["learned"].recall_at_5 >= dec["hand-set"].recall_at_5
    assert dec["learned"].ndcg_at_10 >= dec["hand-set"].ndcg_at_10 - 0.01
    # ... but it does not find the one labelled partner as well as the hand-set weights,
    # which were tuned on those very pairs: no committed model changes the default.
    held = report.pairs_heldout
    assert held["hand-set"].queries == held["learned"].queries > 100
    assert held["learned"].mrr > 0.75
    assert held["hand-set"].mrr >= held["learned"].mrr
    assert report.pairs_all["hand-set"].mrr == pytest.approx(0.863, abs=0.02)
    text = report.table()
    assert "held-out decisions" in text and "labelled pairs of held-out queries" in text


def test_manual_decisions_get_components_from_the_index(
    trained: tuple[object, object], sample_matcher: Matcher
) -> None:
    found, _ = trained
    decisions = found.decisions  # type: ignore[attr-defined]
    manual = [d for d in decisions if d.components is None]
    assert manual, "the simulation finds some partners by hand"
    X = decision_features(manual, sample_matcher)
    assert np.all((X >= 0) & (X <= 1)) and np.all(X[:, FEATURES.index("dense")] > 0)
    with pytest.raises(TrainingError, match="suggested_id"):
        decision_features([Decision(manual[0].listing_id, "NOPE", "approve")], sample_matcher)
