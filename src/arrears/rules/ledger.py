"""Balances derived by folding the append-only ledger, the way Beancount derives them.

Nothing is edited: a correction is a reversal entry that undoes exactly what its target did.
The fold order is the posting date, then system accruals (interest, late fees) before other
entries of the same day, then the entry key, so the same ledger always folds to the same
balances whatever order its entries arrived in.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

from django.utils.translation import gettext as _

from arrears.rules.allocation import COMPONENTS, DEFAULT_ALLOCATION_ORDER, Balances, allocate

DEBIT_KINDS = {"purchase": "principal", "cash": "principal", "interest": "interest",
               "late_fee": "fees"}
ACCRUAL_KINDS = frozenset({"interest", "late_fee"})
ALLOCATED_KINDS = frozenset({"payment", "write_off"})
COMPONENT_KINDS = frozenset({"waiver", "adjustment"})
REVERSAL = "reversal"
POSTING_KINDS: tuple[str, ...] = (
    "purchase", "cash", "payment", "reversal", "interest", "late_fee", "waiver",
    "adjustment", "write_off",
)


class LedgerError(ValueError):
    """An entry the ledger cannot take, with a reason a user can act on."""


@dataclass(frozen=True)
class Entry:
    """One posting as the rules see it. ``amount`` is positive except for a credit adjustment."""

    key: int
    kind: str
    amount: int
    posting_date: date
    component: str = ""
    reverses: int | None = None


@dataclass
class LedgerState:
    balances: Balances = field(default_factory=Balances)
    effects: dict[int, dict[str, int]] = field(default_factory=dict)
    reversed_keys: set[int] = field(default_factory=set)


def component_label(component: str) -> str:
    """The component's name in the user's language."""
    labels = {"principal": _("principal"), "interest": _("interest"), "fees": _("fees")}
    return labels.get(component, component)


def fold_order(entry: Entry) -> tuple[date, int, int]:
    return (entry.posting_date, 0 if entry.kind in ACCRUAL_KINDS else 1, entry.key)


def effect_of(entry: Entry, state: LedgerState, order: Sequence[str]) -> dict[str, int]:
    """The change an entry makes to each balance component, given the state before it."""
    if entry.kind in DEBIT_KINDS:
        return {DEBIT_KINDS[entry.kind]: entry.amount}
    if entry.kind == "payment":
        return {c: -v for c, v in allocate(entry.amount, state.balances, order).items()}
    if entry.kind == "write_off":
        owed = {c: max(state.balances.get(c), 0) for c in COMPONENTS}
        if entry.amount > sum(owed.values()):
            raise LedgerError(_("a write-off cannot exceed what is owed"))
        return {c: -v for c, v in allocate(entry.amount, state.balances, order).items()}
    if entry.kind == "waiver":
        if entry.component not in COMPONENTS:
            raise LedgerError(_("a waiver must name the component it waives"))
        if entry.amount > state.balances.get(entry.component):
            raise LedgerError(
                _("a waiver cannot exceed the %(component)s owed")
                % {"component": component_label(entry.component)}
            )
        return {entry.component: -entry.amount}
    if entry.kind == "adjustment":
        if entry.component not in COMPONENTS:
            raise LedgerError(_("an adjustment must name the component it adjusts"))
        return {entry.component: entry.amount}
    if entry.kind == REVERSAL:
        if entry.reverses not in state.effects:
            raise LedgerError(_("a reversal must name an earlier posting of the same account"))
        if entry.reverses in state.reversed_keys:
            raise LedgerError(_("that posting has already been reversed"))
        return {c: -v for c, v in state.effects[entry.reverses].items()}
    raise LedgerError(_("unknown posting kind %(kind)r") % {"kind": entry.kind})


def apply(state: LedgerState, entry: Entry, order: Sequence[str]) -> LedgerState:
    """Apply one entry in place and return the state."""
    if entry.kind != "adjustment" and entry.amount <= 0:
        raise LedgerError(_("the amount must be greater than zero"))
    if entry.kind == "adjustment" and entry.amount == 0:
        raise LedgerError(_("an adjustment cannot be zero"))
    change = effect_of(entry, state, order)
    state.balances = state.balances.plus(change)
    state.effects[entry.key] = change
    if entry.kind == REVERSAL:
        state.reversed_keys.add(entry.reverses)
    return state


def fold(
    entries: Iterable[Entry],
    order: Sequence[str] = DEFAULT_ALLOCATION_ORDER,
    *,
    through: date | None = None,
) -> LedgerState:
    """Balances after every entry posted on or before ``through`` (all entries if None)."""
    state = LedgerState()
    for entry in sorted(entries, key=fold_order):
        if through is not None and entry.posting_date > through:
            break
        apply(state, entry, order)
    return state


def payments_net_of_reversals(entries: Iterable[Entry], before: date) -> list[tuple[date, int]]:
    """Payments posted before ``before`` that no reversal posted before it has undone."""
    visible = [e for e in entries if e.posting_date < before]
    reversed_keys = {e.reverses for e in visible if e.kind == REVERSAL}
    return [
        (e.posting_date, e.amount)
        for e in visible
        if e.kind == "payment" and e.key not in reversed_keys
    ]
