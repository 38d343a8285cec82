"""Horizontal bar charts drawn as inline SVG by the templates (no script, no library).

:func:`bar_chart` computes the geometry; ``templates/_charts.html`` draws it.
Labels are text nodes of the SVG, escaped like every other value of a page.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

WIDTH = 640
LABEL_WIDTH = 250
BAR_HEIGHT = 18
GAP = 6
TOP = 8
VALUE_ROOM = 48
MAX_LABEL = 38


@dataclass(frozen=True, slots=True)
class Bar:
    """One bar: its label, value and geometry in SVG units."""

    label: str
    full_label: str
    value: int
    y: int
    width: float


@dataclass(frozen=True, slots=True)
class BarChart:
    """A chart: title, bars (largest first) and the SVG size."""

    title: str
    bars: tuple[Bar, ...]
    width: int
    height: int
    label_width: int
    bar_height: int
    other: int
    """Items beyond the shown bars, summed (0 when all are shown)."""

    @property
    def empty(self) -> bool:
        """True when there is nothing to draw."""
        return not self.bars


def _short(label: str) -> str:
    return label if len(label) <= MAX_LABEL else label[: MAX_LABEL - 1].rstrip() + "…"


def bar_chart(title: str, items: Sequence[tuple[str, int]], *, limit: int = 12) -> BarChart:
    """A chart of ``items`` (label, count), largest first, at most ``limit`` bars.

    Items with a count of 0 are left out; the rest beyond ``limit`` are summed in
    :attr:`BarChart.other`.
    """
    ranked = sorted(((label, n) for label, n in items if n > 0), key=lambda x: (-x[1], x[0]))
    shown, rest = ranked[:limit], ranked[limit:]
    top = max((n for _, n in shown), default=1)
    room = WIDTH - LABEL_WIDTH - VALUE_ROOM
    bars = tuple(
        Bar(
            label=_short(label),
            full_label=label,
            value=n,
            y=TOP + i * (BAR_HEIGHT + GAP),
            width=round(max(2.0, room * n / top), 1),
        )
        for i, (label, n) in enumerate(shown)
    )
    height = TOP * 2 + max(1, len(bars)) * (BAR_HEIGHT + GAP)
    return BarChart(
        title=title,
        bars=bars,
        width=WIDTH,
        height=height,
        label_width=LABEL_WIDTH,
        bar_height=BAR_HEIGHT,
        other=sum(n for _, n in rest),
    )


def score_bar_width(score: float, scale: float, full: int = 120) -> float:
    """Width of a score bar of ``full`` units when ``scale`` is the best score in view."""
    if scale <= 0 or score <= 0:
        return 0.0
    return round(full * min(1.0, score / scale), 1)
