"""Fixtures of the index test suite (defined in ``index_helpers``), plus the Milvus backends.

The contract suite (``test_index_contract.py``) runs against every backend of
``index_helpers.BACKENDS`` and the Milvus Lite variants of ``milvus_helpers.MILVUS``; the
other modules keep ``index_helpers.BACKENDS`` (their tests check files that
only the in-process backends write: ``vectors.npy``, ``index.faiss``, mmap).
Milvus Lite runs in this process on a data folder under pytest's temporary
directory, one collection per index, dropped after each test.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from index_helpers import BACKENDS, DIM, corpus, filled
from milvus_helpers import MILVUS, FlushingMilvusIndex, milvus_missing

from isa_match.index import MilvusIndex
from isa_match.index._common import StoreIndex

__all__ = ["corpus", "filled"]


@pytest.fixture(scope="session")
def milvus_uri(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A Milvus Lite data file shared by the session (each index has its own collection)."""
    reason = milvus_missing()
    if reason is not None:
        print(f"skipping Milvus tests: {reason}")
        pytest.skip(reason)
    return str(tmp_path_factory.mktemp("milvus") / "contract.db")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """``make_index`` over every backend; the contract module over the Milvus variants too."""
    if "make_index" in metafunc.fixturenames:
        names = [*BACKENDS]
        if metafunc.module.__name__ == "test_index_contract":
            names += [*MILVUS]
        metafunc.parametrize("make_index", sorted(names), indirect=True)


@pytest.fixture
def make_index(request: pytest.FixtureRequest) -> Iterator[Callable[[], StoreIndex]]:
    """A factory of empty indexes of the backend named by the test's parameter."""
    name = str(request.param)
    if name not in MILVUS:
        yield BACKENDS[name]
        return
    uri = request.getfixturevalue("milvus_uri")
    options = dict(MILVUS[name])
    cls = FlushingMilvusIndex if options.pop("flushing", False) else MilvusIndex
    made: list[MilvusIndex] = []

    def factory() -> StoreIndex:
        index = cls(DIM, uri=uri, **options)
        made.append(index)
        return index

    yield factory
    for index in made:
        index.drop()
