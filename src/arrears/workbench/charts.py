"""Geometry of the server-rendered SVG bar charts of a run's decisions (no JavaScript).

One horizontal bar per category (segment, treatment), as long as its share of the largest
category, labelled with the count and the share of all accounts in the run.
"""

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from arrears.workbench.selectors import CountRow

LABEL_WIDTH = 150
BAR_AREA = 260
ROW_HEIGHT = 28
BAR_HEIGHT = 18
TOP = 8
WIDTH = 520


@dataclass(frozen=True)
class Bar:
    key: str
    label: str
    y: int
    text_y: int
    width: Decimal
    value_x: Decimal
    value_text: str


@dataclass(frozen=True)
class CountChart:
    width: int
    height: int
    label_width: int
    bar_height: int
    bars: tuple[Bar, ...]
    bottom: int


def count_bar_chart(rows: list[CountRow], label: Callable[[str], str] = str) -> CountChart:
    largest = max((row.accounts for row in rows), default=0)
    bars = []
    for index, row in enumerate(rows):
        y = TOP + index * ROW_HEIGHT
        width = (
            (Decimal(row.accounts) * BAR_AREA / largest).quantize(Decimal("0.1"))
            if largest
            else Decimal(0)
        )
        bars.append(
            Bar(
                key=row.key,
                label=label(row.key),
                y=y,
                text_y=y + BAR_HEIGHT - 5,
                width=width,
                value_x=LABEL_WIDTH + width + 8,
                value_text=f"{row.accounts:,} ({row.share}%)",
            )
        )
    bottom = TOP + len(bars) * ROW_HEIGHT
    return CountChart(
        width=WIDTH,
        height=bottom + TOP,
        label_width=LABEL_WIDTH,
        bar_height=BAR_HEIGHT,
        bars=tuple(bars),
        bottom=bottom,
    )
