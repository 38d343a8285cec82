"""``isa-match train`` and ``isa-match simulate-decisions``: learning the ranking from decisions.

Argument parsing lives here too (:func:`add_train_commands`, called by
:func:`isa_match.cli.build_parser`) so that the command line module only
registers them.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from isa_match.cli import (
    EXIT_INVALID,
    EXIT_OK,
    CliError,
    _k_value,
    _parse_day,
    print_json,
    sample_paths,
)

if TYPE_CHECKING:
    from isa_match.rank.matcher import Matcher

DEFAULT_OUT = Path("models") / "learned_ranker.json"
DECISION_SUFFIXES = (".json", ".jsonl", ".csv")


def _share(text: str) -> float:
    try:
        value = float(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from exc
    if not 0.0 < value < 1.0:
        raise argparse.ArgumentTypeError(f"must be between 0 and 1, got {value}")
    return value


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from exc
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"must be a positive number, got {value}")
    return value


def add_train_commands(sub: Any) -> None:
    """Register ``train`` and ``simulate-decisions`` on the subparsers ``sub``."""
    train = sub.add_parser(
        "train",
        help="learn the ranking from staff decisions and compare it with the hand-set weights",
        description=(
            "Train a pairwise logistic-regression ranker on staff decisions (the service's "
            "export of GET /api/v1/matchlists/decisions as .json, or .jsonl/.csv; or "
            "`isa-match simulate-decisions`), holding out whole queries, and print hand-set "
            "weights against the learned model on the held-out decisions (and, with --index "
            "and --pairs, on labelled pairs). Writes the model as JSON; a ranking config uses "
            'it with `learned = "learned_ranker.json"` (see docs/learning.md).'
        ),
    )
    train.add_argument(
        "--decisions",
        type=Path,
        required=True,
        nargs="+",
        metavar="PATH",
        help="decisions file(s), e.g. several export pages, oldest first",
    )
    train.add_argument(
        "--index",
        type=Path,
        metavar="DIR",
        help=(
            "index folder: computes the components of decisions that have none (pairs staff "
            "found themselves) and evaluates on --pairs; its config gives the hand-set weights"
        ),
    )
    train.add_argument(
        "--pairs",
        type=Path,
        metavar="PATH",
        help="labelled pairs (JSONL): kept on one side of the split; evaluated with --index",
    )
    train.add_argument(
        "--out",
        type=Path,
        default=DEFAULT_OUT,
        metavar="PATH",
        help=f"model file to write (default: {DEFAULT_OUT})",
    )
    train.add_argument(
        "--test-share",
        type=_share,
        default=0.3,
        metavar="F",
        help="share of queries held out for evaluation (default 0.3)",
    )
    train.add_argument("--seed", type=int, default=0, help="seed of the split (default 0)")
    train.add_argument(
        "--c",
        type=_positive_float,
        default=1.0,
        metavar="C",
        help="inverse regularisation strength of the logistic regression (default 1.0)",
    )
    train.add_argument(
        "--no-prior",
        action="store_true",
        help="do not give the model the hand-set score as an input",
    )
    train.add_argument(
        "--today",
        type=_parse_day,
        metavar="DATE",
        help="day for components computed from the index (default: the index's reference date)",
    )
    train.add_argument("--format", choices=("table", "json"), default="table", help="output format")

    sim = sub.add_parser(
        "simulate-decisions",
        help="simulate staff decisions on the suggestions for labelled pairs (for the sample)",
        description=(
            "Play the staff of the review workflow: for both members of every labelled pair, "
            "review the top K suggestions of the index and approve the labelled partner "
            "(95 %), plausible partners (same category, other country, shared NACE "
            "division: 30 %) and others (3 %), reject the rest; a partner missing from the "
            "list is found by hand half of the time. Seeded and order-independent; written "
            "in the layout of the service's export (.json page, .jsonl or .csv)."
        ),
    )
    sim.add_argument("--index", type=Path, required=True, metavar="DIR", help="index folder")
    sim.add_argument(
        "--pairs",
        type=Path,
        metavar="PATH",
        help="labelled pairs (JSONL; default: the embedded sample's)",
    )
    sim.add_argument(
        "--out", type=Path, required=True, metavar="PATH", help="decisions file to write"
    )
    sim.add_argument(
        "--k", type=_k_value, default=10, metavar="N", help="suggestions reviewed per listing"
    )
    sim.add_argument("--seed", type=int, default=7, help="seed of the decisions (default 7)")
    sim.add_argument(
        "--today",
        type=_parse_day,
        metavar="DATE",
        help="review day (default: the index's reference date)",
    )


def _pairs_for(matcher: Matcher | None, path: Path) -> list[tuple[str, str]]:
    from isa_match.commands_match import read_pairs_file

    pairs = read_pairs_file(path)
    if matcher is not None:
        missing = list(dict.fromkeys(i for p in pairs for i in p if i not in matcher))
        if missing:
            shown = ", ".join(missing[:10]) + (" ..." if len(missing) > 10 else "")
            raise CliError(
                f"{path}: {len(missing)} listing id(s) are not in the index: {shown}",
                EXIT_INVALID,
            )
    return pairs


def run_train(args: argparse.Namespace) -> int:
    """``isa-match train``: fit, evaluate against the hand-set weights, write the model."""
    from isa_match.commands_match import note, open_matcher
    from isa_match.rank.learn import DecisionsError, TrainingError, read_decisions, train

    out: Path = args.out
    if out.suffix.lower() != ".json":
        raise CliError(f"--out {out}: the model is a .json file")
    if not out.parent.is_dir():
        raise CliError(f"--out {out}: no such folder {out.parent}")
    try:
        found = read_decisions(args.decisions)
    except DecisionsError as exc:
        raise CliError(str(exc), EXIT_INVALID) from exc
    matcher = open_matcher(args.index) if args.index is not None else None
    pairs = _pairs_for(matcher, args.pairs) if args.pairs is not None else []
    try:
        result = train(
            found.decisions,
            matcher=matcher,
            pairs=pairs,
            test_share=args.test_share,
            seed=args.seed,
            c=args.c,
            use_prior=not args.no_prior,
            today=args.today,
            summary={"source": ", ".join(map(str, args.decisions)), **found.summary()},
        )
    except TrainingError as exc:
        raise CliError(f"{', '.join(map(str, args.decisions))}: {exc}", EXIT_INVALID) from exc
    try:
        result.model.save(out)
    except OSError as exc:
        raise CliError(f"cannot write {out}: {exc}", EXIT_INVALID) from exc
    report = result.report
    dec = report.decisions
    verdict = "beats or matches" if report.learned_wins() else "does not beat"
    if args.format == "json":
        print_json({"model": str(out), **report.as_dict(), "weights": result.model.coefficients()})
    else:
        summary = found.summary()
        print(
            f"{summary['decisions']} decisions on {summary['queries']} listings "
            f"({summary['approved']} approved; {found.superseded} superseded by a later one); "
            f"trained on {len(result.train_queries)} listings, "
            f"held out {len(result.test_queries)}\n"
        )
        print(report.table())
        weights = ", ".join(f"{k} {v:.3g}" for k, v in result.model.coefficients().items())
        print(f"\nlearned weights: {weights}")
    note(
        "train",
        f"wrote {out}; the learned model {verdict} the hand-set weights on held-out decisions "
        f"(MRR {dec['learned'].mrr:.3f} vs {dec['hand-set'].mrr:.3f}). To rank with it, put "
        f'learned = "{out.name}" in a ranking config in the same folder.',
    )
    return EXIT_OK


def run_simulate(args: argparse.Namespace) -> int:
    """``isa-match simulate-decisions``: seeded simulated staff decisions for labelled pairs."""
    from isa_match.commands_match import note, open_matcher
    from isa_match.rank.learn import StaffRule, simulate_decisions, write_decisions

    out: Path = args.out
    if out.suffix.lower() not in DECISION_SUFFIXES:
        raise CliError(f"--out {out}: write {', '.join(DECISION_SUFFIXES)}")
    if not out.parent.is_dir():
        raise CliError(f"--out {out}: no such folder {out.parent}")
    matcher = open_matcher(args.index)
    pairs = _pairs_for(matcher, args.pairs or sample_paths()[1])
    records = simulate_decisions(
        matcher, pairs, rule=StaffRule(k=args.k, seed=args.seed), today=args.today
    )
    try:
        write_decisions(records, out)
    except (OSError, ValueError) as exc:
        raise CliError(f"cannot write {out}: {exc}", EXIT_INVALID) from exc
    approved = sum(1 for r in records if r["status"] == "approve")
    manual = sum(1 for r in records if r["source"] == "manual")
    note(
        "simulate-decisions",
        f"wrote {len(records)} decisions ({approved} approved, {manual} found by hand) "
        f"on {len({r['listing_id'] for r in records})} listings to {out}",
    )
    return EXIT_OK
