"""Hypothesis strategies for statements, payments, ledgers and product terms."""

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import strategies as st

from arrears.rules.aging import Payment, StatementDue
from arrears.rules.allocation import COMPONENTS
from arrears.rules.charges import ProductTerms
from arrears.rules.ledger import Entry, LedgerError, LedgerState, apply, fold_order

START = date(2026, 1, 1)


def day(offset: int) -> date:
    return START + timedelta(days=offset)


@st.composite
def statement_schedules(draw, max_statements: int = 5) -> list[StatementDue]:
    """Monthly statements, each due 10 to 45 days after its cycle date (sometimes after the
    next statement is cut, as on cards with a long grace period)."""
    cycle = day(draw(st.integers(0, 10)))
    statements = []
    for _ in range(draw(st.integers(0, max_statements))):
        due = cycle + timedelta(days=draw(st.integers(10, 45)))
        statements.append(StatementDue(cycle, due, draw(st.integers(0, 50_000))))
        cycle += timedelta(days=draw(st.integers(28, 31)))
    return statements


payments = st.builds(Payment, date=st.integers(0, 200).map(day), amount=st.integers(1, 60_000))

terms = st.builds(
    ProductTerms,
    daily_interest_rate=st.decimals(min_value=0, max_value=Decimal("0.002"), places=5),
    late_fee_rate=st.decimals(min_value=0, max_value=Decimal("0.1"), places=3),
    late_fee_min=st.integers(0, 2_000),
    late_fee_max=st.one_of(st.none(), st.integers(2_000, 20_000)),
    min_payment_rate=st.sampled_from([Decimal("0.05"), Decimal("0.10")]),
    min_payment_floor=st.integers(0, 10_000),
    grace_days=st.integers(0, 5),
    past_due_tolerance=st.sampled_from([0, 0, 500, 1_000]),
    allocation_order=st.permutations(COMPONENTS).map(tuple),
)


@st.composite
def ledgers(
    draw, *, order=None, kinds=None, max_entries: int = 14, last_day: int = 60
) -> list[Entry]:
    """A valid ledger for allocation ``order``: candidates the ledger refuses are left out.

    Keys grow with the posting date, as database ids do; reversals name an earlier posting.
    Adding interest or fees later never makes such a ledger invalid.
    """
    kinds = kinds or (
        "purchase",
        "cash",
        "payment",
        "interest",
        "late_fee",
        "adjustment",
        "waiver",
        "write_off",
        "reversal",
    )
    offsets = sorted(draw(st.lists(st.integers(0, last_day), max_size=max_entries)))
    candidates = []
    for key, offset in enumerate(offsets, start=1):
        kind = draw(st.sampled_from(kinds))
        if kind == "reversal" and candidates:
            target = draw(st.sampled_from(candidates))
            candidates.append(
                Entry(key, kind, abs(target.amount), day(offset), reverses=target.key)
            )
            continue
        if kind == "reversal":
            kind = "purchase"
        amount = draw(st.integers(1, 200_000))
        component = ""
        if kind in ("waiver", "adjustment"):
            component = draw(st.sampled_from(COMPONENTS))
        if kind == "adjustment" and draw(st.booleans()):
            amount = -amount
        candidates.append(Entry(key, kind, amount, day(offset), component))
    if order is None:
        order = draw(st.permutations(COMPONENTS).map(tuple))
    return valid_entries(candidates, order)


def valid_entries(candidates: list[Entry], order) -> list[Entry]:
    """The candidates the ledger accepts, applied in fold order."""
    accepted = []
    state = LedgerState()
    for entry in sorted(candidates, key=fold_order):
        try:
            apply(state, entry, order)
        except LedgerError:
            continue
        accepted.append(entry)
    return accepted
