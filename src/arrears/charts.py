"""Geometry of the server-rendered SVG charts (no JavaScript), shared by the workbench and the
channels pages: plain data in, plain data out.

One horizontal bar per category (segment, treatment), as long as its share of the largest
category, labelled with the count and the share of all accounts in the run.
"""

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from arrears.rules.aging import BUCKET_CODES


@dataclass(frozen=True)
class CountRow:
    """One category of a run's accounts: its key, how many accounts, their share in percent."""

    key: str
    accounts: int
    share: float  # percent of the run's accounts


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


AGING_WIDTH = 320
AGING_HEIGHT = 90
AGING_PAD = 14


@dataclass(frozen=True)
class AgingChart:
    """A step line of the account's bucket over time: one step per bucket change."""

    width: int
    height: int
    points: str  # SVG polyline points
    levels: tuple[tuple[str, int], ...]  # (bucket code, y) for the axis labels
    first: str
    last: str


def aging_chart(changes, today) -> AgingChart | None:
    """``changes``: ledger ``BucketChange`` rows in date order; None when there is no history."""
    if not changes:
        return None
    start = changes[0].changed_on
    span = max((today - start).days, 1)
    plot_width = AGING_WIDTH - 2 * AGING_PAD - 24
    step = (AGING_HEIGHT - 2 * AGING_PAD) / (len(BUCKET_CODES) - 1)

    def x(day) -> float:
        return round(AGING_PAD + 24 + plot_width * (day - start).days / span, 1)

    def y(bucket: str) -> float:
        index = BUCKET_CODES.index(bucket) if bucket in BUCKET_CODES else 0
        return round(AGING_HEIGHT - AGING_PAD - index * step, 1)

    points = [(x(start), y(changes[0].from_bucket))]
    for change in changes:
        points.append((x(change.changed_on), points[-1][1]))
        points.append((x(change.changed_on), y(change.to_bucket)))
    points.append((x(today), points[-1][1]))
    return AgingChart(
        width=AGING_WIDTH,
        height=AGING_HEIGHT,
        points=" ".join(f"{px},{py}" for px, py in points),
        levels=tuple((code, y(code)) for code in BUCKET_CODES[::2]),
        first=start.isoformat(),
        last=today.isoformat(),
    )


TEAM_METRICS = ("attempts", "right_party", "promises_taken", "promises_kept", "visits")
TEAM_LABEL_WIDTH = 170
TEAM_BAR_AREA = 300
TEAM_ROW = 20
TEAM_BAR_HEIGHT = 13
TEAM_HEADING = 22
TEAM_GROUP_GAP = 10
TEAM_WIDTH = TEAM_LABEL_WIDTH + TEAM_BAR_AREA + 60


@dataclass(frozen=True)
class MetricBar:
    metric: str
    label: str
    y: int
    text_y: int
    width: Decimal
    value_x: Decimal
    value: int


@dataclass(frozen=True)
class CollectorBars:
    collector_id: int
    name: str
    heading_y: int
    bars: tuple[MetricBar, ...]


@dataclass(frozen=True)
class TeamDayChart:
    width: int
    height: int
    label_width: int
    bar_height: int
    groups: tuple[CollectorBars, ...]


def team_day_chart(days, labels: dict[str, str], metrics=TEAM_METRICS) -> TeamDayChart | None:
    """One group per collector who worked (their name, then a labelled bar per metric with its
    value at the end), all on one scale: the largest count of the team. None when nobody did
    anything that day: the page says so instead of drawing a chart of zeros."""
    worked = [day for day in days if any(getattr(day, metric) for metric in metrics)]
    if not worked:
        return None
    largest = max(getattr(day, metric) for day in worked for metric in metrics)
    groups = []
    y = TOP
    for day in worked:
        heading_y = y + 14
        y += TEAM_HEADING
        bars = []
        for metric in metrics:
            value = getattr(day, metric)
            width = (Decimal(value) * TEAM_BAR_AREA / largest).quantize(Decimal("0.1"))
            bars.append(MetricBar(metric=metric, label=str(labels[metric]), y=y,
                                  text_y=y + TEAM_BAR_HEIGHT - 2, width=width,
                                  value_x=TEAM_LABEL_WIDTH + width + 6, value=value))
            y += TEAM_ROW
        groups.append(CollectorBars(collector_id=day.collector.pk,
                                    name=str(day.collector.user), heading_y=heading_y,
                                    bars=tuple(bars)))
        y += TEAM_GROUP_GAP
    return TeamDayChart(width=TEAM_WIDTH, height=y + TOP, label_width=TEAM_LABEL_WIDTH,
                        bar_height=TEAM_BAR_HEIGHT, groups=tuple(groups))


HEAT_LABEL = 56
HEAT_CELL_W = 64
HEAT_CELL_H = 26
HEAT_TOP = 24


@dataclass(frozen=True)
class HeatCell:
    x: int
    y: int
    text_x: int
    text_y: int
    opacity: Decimal  # 0 to 1: the cell's share of its row
    text: str
    dark: bool  # light text on a dark cell


@dataclass(frozen=True)
class HeatMap:
    """A matrix of shares (rows: where from; columns: where to), darker for a larger share."""

    width: int
    height: int
    cell_width: int
    cell_height: int
    columns: tuple[tuple[str, int], ...]  # (label, x of its centre)
    rows: tuple[tuple[str, int], ...]  # (label, y of its text)
    cells: tuple[HeatCell, ...]


def heat_map(row_labels: list[str], column_labels: list[str],
             shares: dict[tuple[str, str], Decimal | None]) -> HeatMap:
    """``shares[(row, column)]``: a percentage (0–100) or None for a row with nothing in it."""
    cells = []
    for r, row in enumerate(row_labels):
        for c, column in enumerate(column_labels):
            share = shares.get((row, column))
            x = HEAT_LABEL + c * HEAT_CELL_W
            y = HEAT_TOP + r * HEAT_CELL_H
            opacity = (Decimal(share) / 100).quantize(Decimal("0.01")) if share else Decimal(0)
            cells.append(HeatCell(x=x, y=y, text_x=x + HEAT_CELL_W // 2,
                                  text_y=y + HEAT_CELL_H // 2 + 4, opacity=opacity,
                                  text="" if share is None else f"{share}%",
                                  dark=opacity >= Decimal("0.5")))
    return HeatMap(
        width=HEAT_LABEL + len(column_labels) * HEAT_CELL_W + 8,
        height=HEAT_TOP + len(row_labels) * HEAT_CELL_H + 8,
        cell_width=HEAT_CELL_W, cell_height=HEAT_CELL_H,
        columns=tuple((label, HEAT_LABEL + c * HEAT_CELL_W + HEAT_CELL_W // 2)
                      for c, label in enumerate(column_labels)),
        rows=tuple((label, HEAT_TOP + r * HEAT_CELL_H + HEAT_CELL_H // 2 + 4)
                   for r, label in enumerate(row_labels)),
        cells=tuple(cells),
    )


RATE_LABEL = 60
RATE_AREA = 300
RATE_ROW = 24
RATE_BAR = 16


@dataclass(frozen=True)
class RateBar:
    label: str
    y: int
    text_y: int
    width: Decimal
    value_x: Decimal
    text: str


@dataclass(frozen=True)
class RateChart:
    width: int
    height: int
    label_width: int
    bar_height: int
    bars: tuple[RateBar, ...]


def rate_bar_chart(rows: list[tuple[str, Decimal | None]]) -> RateChart:
    """One bar per label, as long as its percentage (0–100 on one scale); "—" for no rate."""
    bars = []
    for index, (label, share) in enumerate(rows):
        y = TOP + index * RATE_ROW
        width = (Decimal(share) * RATE_AREA / 100).quantize(Decimal("0.1")) if share else \
            Decimal(0)
        bars.append(RateBar(label=label, y=y, text_y=y + RATE_BAR - 4, width=width,
                            value_x=RATE_LABEL + width + 6,
                            text="—" if share is None else f"{share}%"))
    return RateChart(width=RATE_LABEL + RATE_AREA + 70, height=TOP * 2 + len(rows) * RATE_ROW,
                     label_width=RATE_LABEL, bar_height=RATE_BAR, bars=tuple(bars))
