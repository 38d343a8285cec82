"""Session fixtures: the sample corpus and one matcher built on it for real (shared by tests)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sample_helpers import SAMPLE, TODAY

from isa_match import load_listings, read_pairs
from isa_match.rank.matcher import Matcher
from isa_match.schema import Listing


@pytest.fixture(scope="session")
def sample_listings() -> list[Listing]:
    return load_listings(SAMPLE / "listings.jsonl", today=TODAY).listings


@pytest.fixture(scope="session")
def sample_pairs() -> list[tuple[str, str]]:
    return read_pairs(SAMPLE / "pairs.jsonl")


@pytest.fixture(scope="session")
def sample_matcher(sample_listings: list[Listing]) -> Iterator[Matcher]:
    """The whole sample with the real default encoder (use-m3) and FAISS (~15 s, once)."""
    from isa_match.embed import get_encoder

    encoder = get_encoder("use-m3")
    matcher = Matcher.build(sample_listings, encoder=encoder, reference_date=TODAY)
    yield matcher
    close = getattr(encoder, "close", None)
    if close is not None:
        close()


@pytest.fixture(scope="session")
def sample_index_dir(sample_matcher: Matcher, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``sample_matcher`` saved to a folder (for the command's tests)."""
    folder = tmp_path_factory.mktemp("sample") / "sample-index"
    sample_matcher.save(folder)
    return folder
