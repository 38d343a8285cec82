"""isa_match: partner recommendation for the Chinese-German Industrial Cities Alliance.

The public API is re-exported here; the heavier parts (encoders in
:mod:`isa_match.embed`, vector indexes in :mod:`isa_match.index`, the corpus
generator in :mod:`isa_match.generate`) are imported from their packages so
that ``import isa_match`` stays cheap and loads no model.
"""

from isa_match.io import (
    ListingValidationError,
    LoadResult,
    RowIssue,
    load_listings,
    read_pairs,
    write_listings,
    write_rows,
)
from isa_match.rank.config import RankConfig, Weights
from isa_match.rank.evaluate import Evaluation, Metrics, evaluate
from isa_match.rank.matcher import Match, Matcher, QueryError
from isa_match.schema import (
    Category,
    Contact,
    Country,
    Filters,
    Kind,
    Language,
    Listing,
    OrgType,
)
from isa_match.stats import CorpusStats, corpus_stats

__version__ = "0.1.0"

__all__ = [
    "Category",
    "Contact",
    "CorpusStats",
    "Country",
    "Evaluation",
    "Filters",
    "Kind",
    "Language",
    "Listing",
    "ListingValidationError",
    "LoadResult",
    "Match",
    "Matcher",
    "Metrics",
    "OrgType",
    "QueryError",
    "RankConfig",
    "RowIssue",
    "Weights",
    "__version__",
    "corpus_stats",
    "evaluate",
    "load_listings",
    "read_pairs",
    "write_listings",
    "write_rows",
]
