"""Seeded generator of realistic bilingual ISA listings with labelled partner pairs.

Example:
    >>> from isa_match.generate import generate_corpus
    >>> corpus = generate_corpus(200, seed=1)
    >>> len(corpus.rows), len(corpus.pairs)
    (200, 30)
"""

from .api import generate_corpus, iter_rows, stream_corpus, write_corpus
from .core import GeneratedCorpus, ListingInfo

__all__ = [
    "GeneratedCorpus",
    "ListingInfo",
    "generate_corpus",
    "iter_rows",
    "stream_corpus",
    "write_corpus",
]
