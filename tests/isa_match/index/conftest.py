"""Fixtures of the index test suite (defined in ``index_helpers``)."""

from index_helpers import corpus, filled, make_index

__all__ = ["corpus", "filled", "make_index"]
