"""Write the three notebooks of this folder (outputs cleared) from the cells below.

    python notebooks/make_notebooks.py

Edit the cells here, not the .ipynb files, so that the committed notebooks stay
reviewable and output-free (a test compares them with this script's output).
The notebooks import isa_match and define no core logic; they read two
environment variables:

* ``ISA_NOTEBOOK_INDEX``: a saved sample index (``isa-match index
  data/sample/listings.jsonl --today 2026-11-01 --out DIR``); without it each
  notebook builds one with the default encoder (use-m3, about 20-30 s).
* ``ISA_NOTEBOOK_OUT``: where notebooks 02 and 03 write their config and model
  (default: ``models/``; the tests pass a temporary folder).
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

HERE = Path(__file__).resolve().parent
Cells = list[nbformat.NotebookNode]


def md(text: str) -> nbformat.NotebookNode:
    """A markdown cell from an indented triple-quoted string."""
    return new_markdown_cell(textwrap.dedent(text).strip())


def code(text: str) -> nbformat.NotebookNode:
    """A code cell from an indented triple-quoted string."""
    return new_code_cell(textwrap.dedent(text).strip())


SETUP = code(
    """
    import os
    from datetime import date
    from pathlib import Path

    import matplotlib.pyplot as plt
    import numpy as np
    import pandas as pd

    from isa_match import Matcher, load_listings, read_pairs
    from isa_match.cli import sample_paths
    from isa_match.rank.config import default_config_path

    TODAY = date(2026, 11, 1)  # the sample corpus's reference date
    LISTINGS, PAIRS = sample_paths()
    INDEX = os.environ.get("ISA_NOTEBOOK_INDEX")  # a saved sample index, or None: build one
    OUT = Path(os.environ.get("ISA_NOTEBOOK_OUT") or default_config_path().parent)  # models/

    listings = load_listings(LISTINGS, today=TODAY).listings
    pairs = read_pairs(PAIRS)
    if INDEX:
        matcher = Matcher.load(INDEX)
    else:  # the default encoder (use-m3) and FAISS, as `isa-match index` builds it
        matcher = Matcher.build(listings, reference_date=TODAY)
        getattr(matcher.encoder, "close", lambda: None)()  # stop use-m3's worker processes
    print(
        f"{len(listings)} listings, {len(pairs)} labelled pairs, "
        f"index: {len(matcher)} listings encoded with {matcher.encoder_info.name}"
    )
    """
)


def explore() -> Cells:
    """01: the corpus and the embedding space."""
    return [
        md(
            """
            # 01 Explore the corpus

            The embedded sample corpus (`data/sample`): who posts what, in which language,
            from where, in which sector; how long the texts are; and a 2-D map of the
            embedding space (the default encoder use-m3), coloured by language and by
            sector, to see whether German and Chinese listings about the same things meet.
            """
        ),
        SETUP,
        md("## Counts by language, country, category, sector and city"),
        code(
            """
            from isa_match import corpus_stats
            from isa_match.reference import cities, sectors

            stats = corpus_stats(listings, today=TODAY)
            print(f"{stats.total} listings, {stats.expired} expired on {TODAY}")
            tables = {
                "language": stats.by_language,
                "country": stats.by_country,
                "kind": stats.by_kind,
                "category": stats.by_category,
                "organisation type": stats.by_org_type,
            }
            fig, axes = plt.subplots(1, len(tables), figsize=(16, 3))
            for ax, (title, counts) in zip(axes, tables.items()):
                pd.Series(counts).plot.bar(ax=ax, title=title, color="tab:blue")
            plt.tight_layout()
            """
        ),
        code(
            """
            sections = pd.Series(
                {f"{s} {sectors().label(s, 'en')[:30]}": n for s, n in stats.by_section.items()}
            )
            towns = pd.Series({cities().get(c).name("en"): n for c, n in stats.by_city.items()})
            fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(16, 5))
            sections.plot.barh(ax=ax1, title="listings naming each NACE section")
            towns.head(20).plot.barh(ax=ax2, title="the 20 member cities with most listings")
            ax1.invert_yaxis()
            ax2.invert_yaxis()
            plt.tight_layout()
            pd.DataFrame({"listings per city": towns}).describe().T
            """
        ),
        md(
            """
            ## Text lengths

            Characters per title and description. A Chinese character carries about as
            much as a German word, so compare lengths within a language, not across.
            """
        ),
        code(
            """
            texts = pd.DataFrame(
                {
                    "language": [x.language.value for x in listings],
                    "category": [x.category.value for x in listings],
                    "title": [len(x.title) for x in listings],
                    "description": [len(x.description) for x in listings],
                }
            )
            fig, axes = plt.subplots(1, 2, figsize=(14, 3.5))
            for ax, column in zip(axes, ["title", "description"]):
                for lang, group in texts.groupby("language"):
                    ax.hist(group[column], bins=40, alpha=0.5, label=lang)
                ax.set_title(f"{column} length (characters)")
                ax.legend()
            texts.groupby("language")[["title", "description"]].describe().round(0)
            """
        ),
        md(
            """
            ## The embedding space

            The document vectors the dense index holds (title + description, mixed with
            the title vector), projected on their first two principal components.
            """
        ),
        code(
            """
            from sklearn.decomposition import PCA

            ids = [x.id for x in listings]
            vectors = np.asarray(matcher.dense.vectors(ids), dtype=np.float64)
            xy = PCA(n_components=2, random_state=0).fit_transform(vectors)
            language = np.array([x.language.value for x in listings])
            section = np.array([x.sector[0][0] if x.sector else "?" for x in listings])
            top = pd.Series(section).value_counts().index[:6]
            section = np.where(np.isin(section, top), section, "other")
            fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(15, 6))
            for lang in ["de", "zh", "en"]:
                m = language == lang
                ax1.scatter(xy[m, 0], xy[m, 1], s=5, alpha=0.5, label=f"{lang} ({m.sum()})")
            ax1.set_title("coloured by language")
            ax1.legend(markerscale=3)
            for sec in [*top, "other"]:
                m = section == sec
                label = sec if sec == "other" else f"{sec} {sectors().label(sec, 'en')[:25]}"
                ax2.scatter(xy[m, 0], xy[m, 1], s=5, alpha=0.5, label=label)
            ax2.set_title("coloured by (first) NACE section")
            ax2.legend(markerscale=3, fontsize=8)
            plt.tight_layout()
            """
        ),
        md(
            """
            ### Do German and Chinese listings mix?

            A 2-D projection can hide or invent structure, so measure in the full space:
            for every German (Chinese) listing, the share of its 10 nearest neighbours that
            are Chinese (German), against that language's share of the corpus; and the
            cosine of labelled cross-language partners against random German-Chinese pairs.
            """
        ),
        code(
            """
            sims = vectors @ vectors.T
            np.fill_diagonal(sims, -np.inf)
            neighbours = np.argsort(-sims, axis=1)[:, :10]
            rows = []
            for lang, other in [("de", "zh"), ("zh", "de")]:
                mine = language == lang
                rows.append(
                    {
                        "listings": lang,
                        "neighbours in": other,
                        "share of 10 nearest": (language[neighbours[mine]] == other).mean(),
                        "share of corpus": (language == other).mean(),
                    }
                )
            display(pd.DataFrame(rows).round(3))

            pos = {x: i for i, x in enumerate(ids)}
            langs = {x.id: x.language.value for x in listings}
            cross = [(a, b) for a, b in pairs if {langs[a], langs[b]} == {"de", "zh"}]
            partner = np.array([sims[pos[a], pos[b]] for a, b in cross])
            rng = np.random.default_rng(0)
            de, zh = np.flatnonzero(language == "de"), np.flatnonzero(language == "zh")
            random_pairs = sims[rng.choice(de, 2000), rng.choice(zh, 2000)]
            plt.figure(figsize=(7, 3.5))
            plt.hist(random_pairs, bins=40, alpha=0.6, density=True, label="random DE-ZH pairs")
            plt.hist(partner, bins=40, alpha=0.6, density=True,
                     label=f"labelled DE-ZH partners ({len(cross)})")
            plt.xlabel("cosine similarity")
            plt.legend()
            print(f"median cosine: partners {np.median(partner):.3f}, "
                  f"random DE-ZH pairs {np.median(random_pairs):.3f}")
            """
        ),
        md(
            """
            Read the figures together: if the neighbour shares are far below the corpus
            shares, the space still clusters by language, and the ranking's other
            components (category, cross-border, sector, BM25 on shared Latin tokens) have to
            bridge the gap; the partner histogram shows how far cross-lingual similarity
            alone gets.
            """
        ),
    ]


def tune_ranking() -> Cells:
    """02: weight search on a train/validation split of the pairs; a saved config."""
    return [
        md(
            """
            # 02 Tune the ranking weights

            Search the weights of `models/ranking.toml` against the labelled pairs with a
            proper split: half of the pairs (both directions) to search on, the other half
            to check. Retrieval does not depend on the weights, so `tune.collect` keeps
            every candidate's components once and each weighting is re-scored in
            milliseconds. The notebook writes the chosen config to
            `models/ranking_tuned.json` (`ISA_NOTEBOOK_OUT` moves it).
            """
        ),
        SETUP,
        code(
            """
            from dataclasses import asdict

            from isa_match.rank import tune
            from isa_match.rank.config import RankConfig, load_config

            TRIALS = int(os.environ.get("ISA_NOTEBOOK_TRIALS", "300"))  # random-search steps
            SEED = 0
            shipped = load_config(None)  # models/ranking.toml
            order = np.random.default_rng(SEED).permutation(len(pairs))
            train_pairs = [pairs[i] for i in order[: len(pairs) // 2]]
            valid_pairs = [pairs[i] for i in order[len(pairs) // 2 :]]
            train_data = tune.collect(matcher, train_pairs, today=TODAY)
            valid_data = tune.collect(matcher, valid_pairs, today=TODAY)
            everything = train_data + valid_data
            found = sum(q.target is not None for q in everything)
            print(f"{len(train_data)} training and {len(valid_data)} validation queries; "
                  f"retrieval reaches the partner in {found} of {len(everything)}")
            """
        ),
        code(
            """
            def metrics_row(name, data, weights):
                m = tune.rank_metrics(data, weights)
                return {"weights": name, "queries": m.queries, "R@1": m.recall_at_1,
                        "R@5": m.recall_at_5, "R@10": m.recall_at_10, "MRR": m.mrr,
                        "nDCG@10": m.ndcg_at_10}


            pd.DataFrame([
                metrics_row("shipped, training half", train_data, shipped.weights),
                metrics_row("shipped, validation half", valid_data, shipped.weights),
            ]).round(3)
            """
        ),
        md(
            """
            ## Recall@k and MRR against the main weights

            One weight at a time, the others as shipped (dense stays 1: only ratios matter).
            """
        ),
        code(
            """
            MAIN = ["category", "cross_border", "sector", "location", "lexical", "reciprocity",
                    "freshness", "location_mismatch"]
            factors = [0, 0.03, 0.1, 0.3, 1, 3, 10, 30]
            rows = []
            for name in MAIN:
                base = getattr(shipped.weights, name)
                for f in factors:
                    w = shipped.with_weights(**{name: base * f}).weights
                    for split, data in [("train", train_data), ("valid", valid_data)]:
                        m = tune.rank_metrics(data, w)
                        rows.append({"weight": name, "factor": f, "split": split, "MRR": m.mrr,
                                     "R@1": m.recall_at_1, "R@5": m.recall_at_5,
                                     "R@10": m.recall_at_10})
            sweep = pd.DataFrame(rows)
            fig, axes = plt.subplots(2, 4, figsize=(18, 8), sharey=True)
            styles = [("MRR", "-"), ("R@1", "--"), ("R@5", ":"), ("R@10", "-.")]
            for ax, name in zip(axes.flat, MAIN):
                part = sweep[sweep.weight == name]
                for metric, style in styles:
                    for split, colour in [("train", "tab:blue"), ("valid", "tab:orange")]:
                        p = part[part.split == split]
                        ax.plot(p.factor + 0.01, p[metric], style, color=colour,
                                label=f"{metric} {split}")
                ax.axvline(1.01, color="grey", lw=0.5)
                ax.set_xscale("log")
                ax.set_title(f"{name} (shipped {getattr(shipped.weights, name):g})")
                ax.set_xlabel("factor on the shipped weight (+0.01)")
            axes[0, 0].legend(fontsize=7)
            plt.tight_layout()
            """
        ),
        md(
            """
            ## Random search on the training half, checked on the validation half

            `tune.random_search` perturbs all weights at once (log-uniform factors) and
            keeps the best training MRR. A search this flexible overfits easily: only a
            validation gain counts.
            """
        ),
        code(
            """
            tuned, _ = tune.random_search(train_data, shipped, trials=TRIALS, seed=SEED)
            display(pd.DataFrame([
                metrics_row("shipped, train", train_data, shipped.weights),
                metrics_row("tuned, train", train_data, tuned),
                metrics_row("shipped, valid", valid_data, shipped.weights),
                metrics_row("tuned, valid", valid_data, tuned),
            ]).round(3))
            pd.DataFrame({"shipped": asdict(shipped.weights), "tuned": asdict(tuned)}).round(3)
            """
        ),
        md(
            """
            ## Save a config the command and the service read

            The tuned weights are kept only when they beat the shipped ones on the
            validation half; otherwise the shipped weights are written unchanged. Use the
            file with `isa-match index data/sample/listings.jsonl --config
            models/ranking_tuned.json --out idx` (then `isa-match evaluate --index idx
            --pairs data/sample/pairs.jsonl`) and in the service with
            `ISA_RANKING_CONFIG=models/ranking_tuned.json isa-match serve`; copy the weights
            into `models/ranking.toml` to make them the default.
            """
        ),
        code(
            """
            import json

            def valid_mrr(weights):
                return tune.rank_metrics(valid_data, weights).mrr

            gain = valid_mrr(tuned) - valid_mrr(shipped.weights)
            chosen = shipped.with_weights(**asdict(tuned)) if gain > 0 else shipped
            OUT.mkdir(parents=True, exist_ok=True)
            path = OUT / "ranking_tuned.json"
            path.write_text(json.dumps(chosen.as_dict(), indent=2) + "\\n", encoding="utf-8")
            again = RankConfig.load(path)  # what `--config` and ISA_RANKING_CONFIG read
            assert again == chosen
            kept = "tuned" if gain > 0 else "shipped"
            print(f"validation MRR gain of the tuned weights: {gain:+.3f}; "
                  f"wrote the {kept} weights to {path}")
            print(f"validation MRR of the saved config: {valid_mrr(again.weights):.3f}")
            """
        ),
    ]


def learn_from_feedback() -> Cells:
    """03: simulated staff decisions, the learned ranker against the hand-set weights."""
    return [
        md(
            """
            # 03 Learn the ranking from staff decisions

            Staff approve or reject suggestions in the service's match lists; the export
            (`GET /api/v1/matchlists/decisions`) carries each pair's ranking components at
            decision time. The sample corpus has no staff, so `simulate_decisions` plays
            them (seeded, documented in `docs/learning.md`): for both members of every
            labelled pair it reviews the top 10 suggestions, approves the labelled partner
            (95 %), plausible partners (same category, other country, shared NACE division:
            30 %) and others (3 %), and finds a missing partner by hand half of the time.
            `train` fits a pairwise logistic regression and compares it with the hand-set
            weights on held-out queries. The same as `isa-match simulate-decisions` and
            `isa-match train`.
            """
        ),
        SETUP,
        code(
            """
            from isa_match.rank import tune
            from isa_match.rank.learn import (
                LearnedRanker,
                StaffRule,
                read_decisions,
                simulate_decisions,
                train,
                write_decisions,
            )

            OUT.mkdir(parents=True, exist_ok=True)
            records = simulate_decisions(matcher, pairs, rule=StaffRule(seed=7), today=TODAY)
            write_decisions(records, OUT / "simulated_decisions.jsonl")
            found = read_decisions(OUT / "simulated_decisions.jsonl")  # the export's reader
            pd.Series(found.summary())
            """
        ),
        md("## What the simulated staff approved, by position in the match list"),
        code(
            """
            partner = {**dict(pairs), **{b: a for a, b in pairs}}
            frame = pd.DataFrame(
                [
                    {"rank": d.rank, "approved": d.approved,
                     "partner": partner.get(d.listing_id) == d.suggested_id}
                    for d in found.decisions
                    if d.rank is not None
                ]
            )
            by_rank = frame.groupby("rank").agg(
                approved=("approved", "mean"), partner=("partner", "mean")
            )
            by_rank.plot.bar(figsize=(8, 3), title="share approved / share that is the partner")
            by_rank.round(3).T
            """
        ),
        md("## Train and compare with the hand-set weights"),
        code(
            """
            result = train(found.decisions, matcher=matcher, pairs=pairs, seed=0, today=TODAY)
            print(result.report.table())
            """
        ),
        code(
            """
            report = result.report.as_dict()
            fig, axes = plt.subplots(1, 2, figsize=(14, 3.5))
            dec = pd.DataFrame(report["heldout_decisions"]).T
            dec = dec[["mrr", "recall_at_1", "recall_at_5", "ndcg_at_10", "auc"]]
            dec.T.plot.bar(ax=axes[0], title="held-out decisions", ylim=(0, 1))
            prs = pd.DataFrame(report["pairs_heldout"]).T
            prs = prs[["recall_at_1", "recall_at_5", "recall_at_10", "mrr", "ndcg_at_10"]]
            prs.T.plot.bar(ax=axes[1], title="labelled pairs of held-out queries", ylim=(0, 1))
            plt.tight_layout()
            """
        ),
        md(
            """
            ## The weights

            Both score linearly in the components; divided by their dense weight they are
            comparable. The learned model keeps each weight's sign (a component helps, the
            mismatch penalty hurts) and has the hand-set score as one input, so where
            decisions carry no information it keeps the hand-set proportions.
            """
        ),
        code(
            """
            hand = tune.weight_vector(matcher.config.weights)
            learned = result.model.weights
            weights = pd.DataFrame(
                {"hand-set": hand / hand[0], "learned": learned / learned[0]},
                index=list(result.model.features),
            )
            ax = weights.plot.barh(figsize=(8, 4), title="weight / dense weight (symlog)")
            ax.set_xscale("symlog", linthresh=0.1)
            weights.round(3).T
            """
        ),
        md(
            """
            ## Is the difference stable?

            Three more splits (seeds) of the queries; model and comparison refitted each
            time.
            """
        ),
        code(
            """
            rows = []
            for seed in [1, 2, 3]:
                r = train(found.decisions, matcher=matcher, pairs=pairs, seed=seed, today=TODAY)
                for name in ["hand-set", "learned"]:
                    rows.append({
                        "seed": seed,
                        "ranker": name,
                        "decisions MRR": r.report.decisions[name].mrr,
                        "decisions AUC": r.report.decisions[name].auc,
                        "pairs MRR (held out)": r.report.pairs_heldout[name].mrr,
                    })
            pd.DataFrame(rows).pivot(index="seed", columns="ranker").round(3)
            """
        ),
        md("## One query, ranked both ways"),
        code(
            """
            request, offer = pairs[0]
            qc = tune.collect(matcher, [(request, offer)], today=TODAY)[0]
            both = pd.DataFrame({"id": qc.ids, "hand-set": qc.X @ hand,
                                 "learned": result.model.score_matrix(qc.X)})
            both["partner"] = both.id == offer
            for name in ["hand-set", "learned"]:
                both[f"{name} rank"] = both[name].rank(ascending=False, method="first").astype(int)
            both["title"] = [matcher.get(i).title[:50] for i in both.id]
            print(matcher.get(request).title)
            both.sort_values("learned rank").head(8)
            """
        ),
        md(
            """
            ## Save the model

            A small JSON file (weights and metadata, no pickle). The ranker uses it only
            when a ranking config names it, `learned = "learned_ranker.json"` next to the
            config (see `docs/learning.md`); compare the tables above before doing that.
            """
        ),
        code(
            """
            path = OUT / "learned_ranker.json"
            result.model.save(path)
            loaded = LearnedRanker.load(path)
            assert np.allclose(loaded.score_matrix(qc.X), result.model.score_matrix(qc.X))
            print(f"wrote {path} ({path.stat().st_size} bytes)")
            """
        ),
    ]


CELLS: dict[str, Callable[[], Cells]] = {
    "01_explore.ipynb": explore,
    "02_tune_ranking.ipynb": tune_ranking,
    "03_learn_from_feedback.ipynb": learn_from_feedback,
}


def write(name: str, cells: Cells, folder: Path = HERE) -> Path:
    """Write one notebook with cleared outputs and the python3 kernel to ``folder``."""
    nb = new_notebook(cells=[nbformat.from_dict(dict(c)) for c in cells])
    for number, cell in enumerate(nb.cells, start=1):
        cell.id = f"cell-{number:02d}"  # stable ids: regenerating gives the same files
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nb.metadata["language_info"] = {"name": "python"}
    path = folder / name
    nbformat.validate(nb)
    nbformat.write(nb, path)
    return path


def main() -> None:
    """Write all three notebooks."""
    for name, cells in CELLS.items():
        print(f"wrote {write(name, cells())}")


if __name__ == "__main__":
    main()
