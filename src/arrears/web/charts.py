"""Geometry of the server-rendered SVG bar chart of the portfolio by bucket.

No JavaScript runs on the pages, so the chart is drawn by the template from the numbers
computed here: a horizontal bar pair per bucket, each bar as long as the bucket's share of
the portfolio's balance or accounts, so both bars share one 0-100 % scale.
"""

from dataclasses import dataclass
from decimal import Decimal

from arrears.rules.money import format_amount
from arrears.web.selectors import CurrencyPortfolio

LABEL_WIDTH = 56
BAR_AREA = 420
ROW_HEIGHT = 40
BAR_HEIGHT = 14
TOP = 34
WIDTH = 780


@dataclass(frozen=True)
class ChartRow:
    bucket: str
    y: int
    label_y: int
    balance_y: int
    accounts_y: int
    balance_width: Decimal
    accounts_width: Decimal
    balance_text: str
    accounts_text: str
    value_x: Decimal


@dataclass(frozen=True)
class BarChart:
    width: int
    height: int
    label_width: int
    bar_area: int
    axis_end: int
    ticks: tuple[tuple[Decimal, str], ...]
    rows: tuple[ChartRow, ...]
    top: int
    bottom: int


def _scale_max(portfolio: CurrencyPortfolio) -> int:
    """The percentage the full bar length stands for: the largest share, rounded up to 10."""
    shares = [row.balance_share for row in portfolio.rows]
    shares += [row.account_share for row in portfolio.rows]
    largest = max(shares)
    return max(10, min(100, int((largest + 9) // 10 * 10)))


def bucket_bar_chart(portfolio: CurrencyPortfolio) -> BarChart:
    scale = _scale_max(portfolio)

    def length(share: Decimal) -> Decimal:
        return (max(share, Decimal(0)) * BAR_AREA / scale).quantize(Decimal("0.1"))

    rows = []
    for index, row in enumerate(portfolio.rows):
        y = TOP + index * ROW_HEIGHT
        balance_width = length(row.balance_share)
        accounts_width = length(row.account_share)
        rows.append(
            ChartRow(
                bucket=row.bucket,
                y=y,
                label_y=y + BAR_HEIGHT + 4,
                balance_y=y + 3,
                accounts_y=y + 3 + BAR_HEIGHT + 2,
                balance_width=balance_width,
                accounts_width=accounts_width,
                balance_text=f"{format_amount(row.balance_minor, portfolio.currency)}"
                f" ({row.balance_share}%)",
                accounts_text=f"{row.accounts:,} ({row.account_share}%)",
                value_x=LABEL_WIDTH + max(balance_width, accounts_width) + 8,
            )
        )
    ticks = tuple(
        (Decimal(LABEL_WIDTH + BAR_AREA * step / 4), f"{scale * step // 4}%")
        for step in range(5)
    )
    bottom = TOP + len(rows) * ROW_HEIGHT
    return BarChart(
        width=WIDTH,
        height=bottom + 24,
        label_width=LABEL_WIDTH,
        bar_area=BAR_AREA,
        axis_end=LABEL_WIDTH + BAR_AREA,
        ticks=ticks,
        rows=tuple(rows),
        top=TOP - 6,
        bottom=bottom,
    )
