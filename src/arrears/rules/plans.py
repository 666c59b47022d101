"""Repayment plans: the schedule of a plan and what it costs, as pure functions.

Three kinds of plan (COMPLIANCE.md c.5, CN-13, CN-23):

- ``extension`` (延期): the amount given is deferred up to 6 months and paid in one payment;
  interest continues, estimated as ``principal × monthly_rate × months``.
- ``instalment`` (分期): equal instalments over at most 60 months with a monthly fee of
  ``monthly_rate × amount financed`` — the card issuers' way of charging a fee on the
  original principal every month, whatever has been repaid.
- ``personalised`` (个性化分期, 停息挂账): at most 60 months, equal principal parts; with
  ``waive_interest`` nothing is added, otherwise interest of ``monthly_rate`` on the principal
  still owed before each instalment.

An optional down payment is instalment 0, due on the start date. Instalment *k* is due *k*
months after the start date, on the same day of the month (the last day of a shorter month).
Principal parts are equal, the remainder on the last one, so they add up exactly. The cost is
shown both as a total (fees and interest) and as an annualised rate: the monthly internal rate
of return of the cash flows (the amount financed paid out on the start date, the instalments
received) times twelve, as CN-23 asks for.
"""

import calendar
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

from arrears.rules.money import round_half_up

PLAN_KINDS = ("extension", "instalment", "personalised")
MAX_MONTHS = {"extension": 6, "instalment": 60, "personalised": 60}
REGULATORY_MAX_MONTHS = 60
APR_PLACES = Decimal("0.0001")


class PlanError(ValueError):
    """A plan the rules do not allow, with a reason the collector can act on."""


@dataclass(frozen=True)
class Instalment:
    seq: int
    due_date: date
    principal_minor: int
    charge_minor: int  # fee or interest
    amount_minor: int


@dataclass(frozen=True)
class Schedule:
    kind: str
    months: int
    financed_minor: int
    down_payment_minor: int
    instalments: tuple[Instalment, ...]
    total_minor: int
    cost_minor: int
    apr: Decimal  # annualised, e.g. Decimal("0.1782") for 17.82 %


def add_months(start: date, months: int) -> date:
    """The same day ``months`` later, or the last day of that month when it is shorter."""
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    day = min(start.day, calendar.monthrange(year, month)[1])
    return date(year, month, day)


def equal_parts(total: int, count: int) -> list[int]:
    """``count`` equal whole parts of ``total``; the remainder goes on the last one."""
    part = total // count
    return [part] * (count - 1) + [total - part * (count - 1)]


def monthly_irr(financed: int, amounts: list[tuple[int, int]]) -> Decimal:
    """Monthly rate r with financed = Σ amount / (1 + r)^month, by bisection (exact enough)."""
    if financed <= 0 or sum(a for _m, a in amounts) <= financed:
        return Decimal(0)

    def present_value(rate: Decimal) -> Decimal:
        return sum((Decimal(a) / (1 + rate) ** m for m, a in amounts), Decimal(0))

    low, high = Decimal(0), Decimal(1)
    while present_value(high) > financed:
        high *= 2
    for _step in range(60):
        middle = (low + high) / 2
        if present_value(middle) > financed:
            low = middle
        else:
            high = middle
    return (low + high) / 2


def _check(kind: str, months: int, parts: tuple[int, ...], down_payment: int,
           monthly_rate: Decimal) -> None:
    if kind not in PLAN_KINDS:
        raise PlanError(_("Unknown plan kind %(kind)r; expected one of %(kinds)s.")
                        % {"kind": kind, "kinds": ", ".join(PLAN_KINDS)})
    if months > REGULATORY_MAX_MONTHS:
        raise PlanError(_("A plan may run at most %(max)d months (CN-13, CN-23); "
                          "%(months)d months were asked.")
                        % {"max": REGULATORY_MAX_MONTHS, "months": months})
    if months < 1 or months > MAX_MONTHS[kind]:
        raise PlanError(_("A plan of kind %(kind)s runs 1 to %(max)d months; "
                          "%(months)d months were asked.")
                        % {"kind": kind, "max": MAX_MONTHS[kind], "months": months})
    if any(p < 0 for p in parts) or down_payment < 0 or monthly_rate < 0:
        raise PlanError(_("Amounts and rates of a plan cannot be negative."))
    if down_payment >= sum(parts):
        raise PlanError(_("The down payment must be less than the amount of the plan."))


def schedule(
    kind: str,
    principal_minor: int,
    interest_minor: int,
    fees_minor: int,
    months: int,
    start_date: date,
    monthly_rate: Decimal = Decimal(0),
    waive_interest: bool = False,
    down_payment_minor: int = 0,
) -> Schedule:
    """The instalments of a plan for the balance given, with their total, cost and APR."""
    monthly_rate = Decimal(monthly_rate)
    _check(kind, months, (principal_minor, interest_minor, fees_minor), down_payment_minor,
           monthly_rate)
    financed = principal_minor + interest_minor + fees_minor - down_payment_minor
    instalments: list[Instalment] = []
    if down_payment_minor:
        instalments.append(Instalment(0, start_date, down_payment_minor, 0, down_payment_minor))
    if kind == "extension":
        charge = round_half_up(Decimal(financed) * monthly_rate * months)
        rows = [(months, financed, charge)]
    else:
        parts = equal_parts(financed, months)
        rows, owed = [], financed
        for month, part in enumerate(parts, start=1):
            if kind == "instalment":
                charge = round_half_up(Decimal(financed) * monthly_rate)
            elif waive_interest:
                charge = 0
            else:
                charge = round_half_up(Decimal(owed) * monthly_rate)
            rows.append((month, part, charge))
            owed -= part
    for month, part, charge in rows:
        instalments.append(Instalment(month, add_months(start_date, month), part, charge,
                                      part + charge))
    cost = sum(i.charge_minor for i in instalments)
    flows = [(i.seq, i.amount_minor) for i in instalments if i.seq > 0]
    apr = (monthly_irr(financed, flows) * 12).quantize(APR_PLACES, rounding=ROUND_HALF_UP)
    return Schedule(
        kind=kind, months=months, financed_minor=financed,
        down_payment_minor=down_payment_minor, instalments=tuple(instalments),
        total_minor=sum(i.amount_minor for i in instalments), cost_minor=cost, apr=apr,
    )
