"""The notebooks run top to bottom on the sample corpus (nbclient, the venv's python3 kernel).

One sample index is built for all three (real encoder use-m3) and handed to them through
``ISA_NOTEBOOK_INDEX``; what they write goes to a temporary folder (``ISA_NOTEBOOK_OUT``),
never to ``models/``. The committed notebooks must be the generator's output: cells as in
``notebooks/make_notebooks.py`` and no outputs.
"""

from __future__ import annotations

import importlib.util
import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from types import ModuleType

import nbformat
import pytest
from nbclient import NotebookClient

from isa_match import load_listings
from isa_match.cli import sample_paths
from isa_match.rank.config import RankConfig
from isa_match.rank.learn import LearnedRanker
from isa_match.rank.matcher import Matcher

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
NAMES = ["01_explore.ipynb", "02_tune_ranking.ipynb", "03_learn_from_feedback.ipynb"]


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The whole sample with the default encoder, saved once for the three notebooks."""
    from isa_match.embed import get_encoder

    listings = load_listings(sample_paths()[0], today=date(2026, 11, 1)).listings
    encoder = get_encoder("use-m3")
    try:
        matcher = Matcher.build(listings, encoder=encoder, reference_date=date(2026, 11, 1))
    finally:
        close = getattr(encoder, "close", None)
        if close is not None:
            close()
    folder = tmp_path_factory.mktemp("notebook-index") / "sample"
    matcher.save(folder)
    yield folder


def execute(name: str, work: Path) -> nbformat.NotebookNode:
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    client = NotebookClient(
        nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(work)}}
    )
    client.execute()
    return nb


def text_of(nb: nbformat.NotebookNode) -> str:
    parts = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            parts.append(out.get("text", ""))
            parts.append(out.get("data", {}).get("text/plain", ""))
    return "\n".join(parts)


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_notebook_runs_top_to_bottom(
    name: str, index_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    monkeypatch.setenv("ISA_NOTEBOOK_INDEX", str(index_dir))
    monkeypatch.setenv("ISA_NOTEBOOK_OUT", str(out))
    models = sorted(p.name for p in (ROOT / "models").iterdir())
    nb = execute(name, tmp_path)  # raises CellExecutionError on the first failing cell
    assert sorted(p.name for p in (ROOT / "models").iterdir()) == models  # models/ untouched
    text = text_of(nb)
    assert "index: 2000 listings encoded with use-m3" in text
    images = sum("image/png" in o.get("data", {}) for c in nb.cells for o in c.get("outputs", []))
    assert images >= 1, "every notebook draws its plots"
    if name.startswith("01"):
        assert "share of 10 nearest" in text and "median cosine: partners" in text
    elif name.startswith("02"):
        config = RankConfig.load(out / "ranking_tuned.json")  # what --config reads
        assert config.encoder == "use-m3" and config.weights.dense == 1.0
        assert "validation MRR of the saved config" in text
    else:
        model = LearnedRanker.load(out / "learned_ranker.json")
        assert model.metadata["data"]["decisions"] > 5000
        assert (out / "simulated_decisions.jsonl").stat().st_size > 0
        assert "held-out decisions" in text


def load_generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_notebooks", NOTEBOOKS / "make_notebooks.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_committed_notebooks_are_the_generators_output_without_outputs(tmp_path: Path) -> None:
    generator = load_generator()
    for name in NAMES:
        committed = json.loads((NOTEBOOKS / name).read_text(encoding="utf-8"))
        for cell in committed["cells"]:
            assert cell.get("outputs", []) == [] and cell.get("execution_count") is None, name
        fresh = generator.write(name, generator.CELLS[name](), tmp_path)
        assert json.loads(fresh.read_text(encoding="utf-8")) == committed, (
            f"{name} differs from notebooks/make_notebooks.py: run it to regenerate"
        )
