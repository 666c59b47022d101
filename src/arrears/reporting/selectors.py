"""The reports, read set-at-a-time from append-only rows as of past dates (docs/reporting.md).

- :func:`roll_rates`: the bucket-to-bucket matrix from one date to another (by accounts and by
  balance), the flow rates between neighbouring buckets and the chained flow to charge-off;
- :func:`cure_rates`: per bucket, the accounts current again on the later date, split into
  self-cured and worked (a contact attempt or a promise in between);
- :func:`collector_performance`: per collector over a period, activity and results side by
  side (never the amount collected alone);
- :func:`compliance_report`: the gate's blocks and delays by rule, holds by kind, reveals and
  exports of personal data, over a period;
- :func:`accounts_behind`: the accounts behind one number of the first two, as a filter.

Each is one or a few grouped SQL statements (``arrears.reporting.states``), never a loop over
accounts; the tests compare them with a plain Python reference on hand-made data.
"""

import calendar
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from django.db.models import QuerySet
from django.db.models.expressions import RawSQL

from arrears.arrangements.models import Promise
from arrears.audit.models import AuditEvent
from arrears.batch.models import Decision, DecisionRun
from arrears.compliance.models import ContactAttempt, GateCheck, Hold
from arrears.portfolio.models import Account, Product
from arrears.reporting.states import (
    ACCOUNT,
    CHARGED_OFF,
    CURRENT,
    POSTING,
    PRODUCT,
    balances_sql,
    day_end,
    day_start,
    db_date,
    db_datetime,
    fetch,
    pair_states_sql,
    transitions_sql,
)
from arrears.rules.aging import BUCKET_CODES
from arrears.workbench.models import Collector

ATTEMPT = ContactAttempt._meta.db_table
PROMISE = Promise._meta.db_table
GATE_CHECK = GateCheck._meta.db_table
HOLD = Hold._meta.db_table
DECISION = Decision._meta.db_table
AUDIT_EVENT = AuditEvent._meta.db_table

class ReportInputError(ValueError):
    """A report was asked for with inputs that cannot make one (said in words)."""

@dataclass(frozen=True)
class Scope:
    """What a report covers: from the end of ``start`` to the end of ``end``, the accounts of
    ``product_ids`` (all of one currency, so balances add up); with a ``decision_run_id``, only
    the accounts that run put in ``segment`` and/or gave ``treatment`` (the decision run of the
    latest date on or before the start: the segment the accounts were in then)."""

    start: date
    end: date
    currency: str
    product_ids: tuple[int, ...]
    decision_run_id: int | None = None
    segment: str = ""
    treatment: str = ""

    def __post_init__(self):
        if self.end <= self.start:
            raise ReportInputError("The end date must come after the start date.")

    @property
    def within(self) -> tuple[str, list]:
        """The scope as a condition on the accounts ``a`` of the reports' SQL."""
        if not self.product_ids:
            return "1 = 0", []
        sql = f"a.product_id IN ({', '.join(['%s'] * len(self.product_ids))})"
        params: list = list(self.product_ids)
        if self.decision_run_id is not None and (self.segment or self.treatment):
            decided = "d.run_id = %s"
            params.append(self.decision_run_id)
            for column in ("segment", "treatment"):
                if getattr(self, column):
                    decided += f" AND d.{column} = %s"
                    params.append(getattr(self, column))
            sql += f" AND a.id IN (SELECT d.account_id FROM {DECISION} d WHERE {decided})"
        return sql, params


def month_ends(month: date) -> tuple[date, date]:
    """The last day of the month before ``month`` and the last day of ``month``."""
    first = month.replace(day=1)
    last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
    return first - timedelta(days=1), last


def decision_run_on(day: date) -> DecisionRun | None:
    """The published decision run of the latest date on or before ``day``."""
    return (DecisionRun.objects.filter(finished_at__isnull=False, as_of__lte=day)
            .order_by("-as_of", "started_at").first())


def scope_for(*, start: date, end: date, currency: str | None = None,
              product_code: str | None = None, segment: str = "", treatment: str = ""
              ) -> Scope:
    """The scope of one product, or of every product of one currency (default: the currency
    most products use), optionally narrowed to a segment or treatment of the accounts on the
    start date."""
    products = Product.objects.order_by("code")
    run = decision_run_on(start) if (segment or treatment) else None
    if (segment or treatment) and run is None:
        raise ReportInputError(f"No decision run on or before {start}: no segments then.")
    decided = {"decision_run_id": run.pk if run else None, "segment": segment,
               "treatment": treatment}
    if product_code:
        product = products.filter(code=product_code).first()
        if product is None:
            raise ReportInputError(f"There is no product {product_code!r}.")
        return Scope(start, end, product.currency, (product.pk,), **decided)
    currencies = currencies_in_use()
    chosen = currency or (currencies[0] if currencies else "CNY")
    ids = tuple(products.filter(currency=chosen).values_list("pk", flat=True))
    return Scope(start, end, chosen, ids, **decided)


def currencies_in_use() -> list[str]:
    """The products' currencies, the most used first."""
    counts: dict[str, int] = {}
    for currency in Product.objects.values_list("currency", flat=True):
        counts[currency] = counts.get(currency, 0) + 1
    return sorted(counts, key=lambda c: (-counts[c], c))

def rate(part: int, whole: int) -> Decimal | None:
    """``part`` of ``whole`` in percent, two decimals rounded half up; None for nothing."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.01"), ROUND_HALF_UP)

def _percent(value: Fraction | None) -> Decimal | None:
    if value is None:
        return None
    return (Decimal(value.numerator) * 100 / Decimal(value.denominator)).quantize(
        Decimal("0.01"), ROUND_HALF_UP)

def bucket_order(seen) -> list[str]:
    """The default buckets in order, then any other code a product's policy uses, then the
    charged-off state."""
    extra = sorted(set(seen) - set(BUCKET_CODES) - {CHARGED_OFF})
    return [*BUCKET_CODES, *extra, CHARGED_OFF]

# --- roll rates ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Cell:
    accounts: int = 0
    balance_minor: int = 0  # the accounts' balance on the start date

@dataclass(frozen=True)
class FlowStep:
    """From one bucket on the start date to the next on the end date."""

    source: str
    target: str
    accounts_rate: Decimal | None
    balance_rate: Decimal | None
    chained_accounts: Decimal | None  # product of the rates from the first bucket to here
    chained_balance: Decimal | None

@dataclass
class RollReport:
    scope: Scope
    codes: list[str]  # row and column order
    cells: dict[tuple[str, str], Cell] = field(default_factory=dict)
    opening: dict[str, Cell] = field(default_factory=dict)  # every account by bucket at start
    closing: dict[str, Cell] = field(default_factory=dict)  # every account by bucket at end
    flow: list[FlowStep] = field(default_factory=list)

    @property
    def row_codes(self) -> list[str]:
        return [code for code in self.codes if code != CHARGED_OFF]

    def row_total(self, code: str) -> Cell:
        cells = [self.cells.get((code, to), Cell()) for to in self.codes]
        return Cell(sum(c.accounts for c in cells), sum(c.balance_minor for c in cells))

    def cell(self, source: str, target: str) -> Cell:
        return self.cells.get((source, target), Cell())

def roll_rates(scope: Scope) -> RollReport:
    """The roll-rate matrix from ``scope.start`` to ``scope.end`` and the flow between
    neighbouring buckets (definitions: docs/reporting.md). One statement: the accounts' states
    on both dates once, then the matrix and the buckets on either date grouped from them."""
    states, params = pair_states_sql(scope.start, scope.end, within=scope.within)
    rows = fetch(
        f"WITH s AS ({states}) "
        f"SELECT 'matrix', s.bucket0, s.bucket1, COUNT(*), SUM(s.balance0) FROM s "
        f"WHERE s.bucket0 IS NOT NULL AND s.bucket0 <> '{CHARGED_OFF}' "
        f"GROUP BY s.bucket0, s.bucket1 UNION ALL "
        f"SELECT 'opening', s.bucket0, NULL, COUNT(*), SUM(s.balance0) FROM s "
        f"WHERE s.bucket0 IS NOT NULL GROUP BY s.bucket0 UNION ALL "
        f"SELECT 'closing', s.bucket1, NULL, COUNT(*), SUM(s.balance1) FROM s "
        f"GROUP BY s.bucket1", params)
    cells, opening, closing = {}, {}, {}
    for part, b0, b1, n, balance in rows:
        cell = Cell(n, int(balance or 0))
        if part == "matrix":
            cells[(b0, b1)] = cell
        else:
            (opening if part == "opening" else closing)[b0] = cell
    seen = {b for pair in cells for b in pair} | set(opening) | set(closing)
    report = RollReport(scope=scope, codes=bucket_order(seen), cells=cells, opening=opening,
                        closing=closing)
    report.flow = _flow(report)
    return report


def _flow(report: RollReport) -> list[FlowStep]:
    """Flow rate of a bucket: what is in the next bucket on the end date over what was in
    this one on the start date; into charge-off: the accounts newly charged off (at their
    start balance) over the last bucket. Chained: the product of the rates so far."""
    buckets = report.row_codes
    steps = []
    chained_n: Fraction | None = Fraction(1)
    chained_b: Fraction | None = Fraction(1)
    for source, target in zip(buckets, [*buckets[1:], CHARGED_OFF], strict=True):
        before = report.opening.get(source, Cell())
        if target == CHARGED_OFF:
            after = Cell(sum(report.cell(b, CHARGED_OFF).accounts for b in buckets),
                         sum(report.cell(b, CHARGED_OFF).balance_minor for b in buckets))
        else:
            after = report.closing.get(target, Cell())
        rate_n = Fraction(after.accounts, before.accounts) if before.accounts else None
        rate_b = (Fraction(after.balance_minor, before.balance_minor)
                  if before.balance_minor > 0 else None)
        chained_n = chained_n * rate_n if chained_n is not None and rate_n is not None else None
        chained_b = chained_b * rate_b if chained_b is not None and rate_b is not None else None
        steps.append(FlowStep(source, target, _percent(rate_n), _percent(rate_b),
                              _percent(chained_n), _percent(chained_b)))
    return steps

# --- cure rates ------------------------------------------------------------------------------

@dataclass(frozen=True)
class CureRow:
    bucket: str
    accounts: int
    balance_minor: int
    cured: int
    cured_balance_minor: int
    cured_worked: int
    cured_self: int

    @property
    def cure_rate(self) -> Decimal | None:
        return rate(self.cured, self.accounts)

    @property
    def cure_rate_balance(self) -> Decimal | None:
        return rate(self.cured_balance_minor, self.balance_minor)

    @property
    def self_cure_rate(self) -> Decimal | None:
        return rate(self.cured_self, self.accounts)

    @property
    def worked_cure_rate(self) -> Decimal | None:
        return rate(self.cured_worked, self.accounts)

def worked_accounts_sql(start: date, end: date) -> tuple[str, list]:
    """The accounts with a contact attempt (any channel, by a person or the system) or a
    promise taken after the start date and up to the end of the end date."""
    since, until = db_datetime(day_end(start)), db_datetime(day_end(end))
    sql = (f"SELECT c.account_id AS account_id FROM {ATTEMPT} c WHERE c.at >= %s AND c.at < %s "
           f"UNION SELECT pr.account_id FROM {PROMISE} pr "
           f"WHERE pr.taken_at >= %s AND pr.taken_at < %s")
    return sql, [since, until, since, until]


def cure_rates(scope: Scope) -> list[CureRow]:
    """Per delinquent bucket on the start date: how many accounts (and how much balance) were
    current on the end date, and how many of those cures were worked or came by themselves."""
    moves, params = transitions_sql(scope.start, scope.end, within=scope.within)
    worked, worked_params = worked_accounts_sql(scope.start, scope.end)
    cured = f"m.bucket1 = '{CURRENT}'"
    sql = (f"SELECT m.bucket0, COUNT(*), SUM(m.balance0), "
           f"SUM(CASE WHEN {cured} THEN 1 ELSE 0 END), "
           f"SUM(CASE WHEN {cured} THEN m.balance0 ELSE 0 END), "
           f"SUM(CASE WHEN {cured} AND w.account_id IS NOT NULL THEN 1 ELSE 0 END) "
           f"FROM ({moves}) m LEFT JOIN ({worked}) w ON w.account_id = m.account_id "
           f"WHERE m.bucket0 <> '{CURRENT}' GROUP BY m.bucket0")
    rows = fetch(sql, [*params, *worked_params])
    found = {row[0]: row for row in rows}
    result = []
    for code in bucket_order(found):
        if code not in found:
            continue
        _code, n, balance, cured_n, cured_balance, worked_n = found[code]
        result.append(CureRow(code, n, int(balance or 0), int(cured_n or 0),
                              int(cured_balance or 0), int(worked_n or 0),
                              int(cured_n or 0) - int(worked_n or 0)))
    return result


# --- drill-down ------------------------------------------------------------------------------

DRILL_KINDS = ("roll", "cure")
CURE_PARTS = ("all", "cured", "worked", "self")

def accounts_behind(scope: Scope, *, kind: str, source: str, target: str = "",
                    part: str = "all") -> QuerySet[Account]:
    """The accounts behind one number: a cell of the roll matrix (``source`` → ``target``) or
    a cure figure of bucket ``source`` (``part``: all, cured, worked, self)."""
    if kind not in DRILL_KINDS:
        raise ReportInputError(f"Unknown report {kind!r}.")
    moves, params = transitions_sql(scope.start, scope.end, within=scope.within)
    where, where_params = "m.bucket0 = %s", [source]
    if kind == "roll":
        where += " AND m.bucket1 = %s"
        where_params.append(target)
    elif part != "all":
        if part not in CURE_PARTS:
            raise ReportInputError(f"Unknown part {part!r}.")
        where += f" AND m.bucket1 = '{CURRENT}'"
        if part != "cured":
            worked, worked_params = worked_accounts_sql(scope.start, scope.end)
            where += f" AND m.account_id {'' if part == 'worked' else 'NOT '}IN ({worked})"
            where_params += worked_params
    sql = f"SELECT m.account_id FROM ({moves}) m WHERE {where}"
    return Account.objects.filter(pk__in=RawSQL(sql, [*params, *where_params]))

def balances_on(on: date, account_ids: list[int]) -> dict[int, int]:
    """The balances of a page of accounts on ``on`` (one grouped query)."""

    sql, params = balances_sql(on, account_ids)
    return {account_id: int(balance or 0) for account_id, balance in fetch(sql, params)}

# --- collector performance -------------------------------------------------------------------

@dataclass
class CollectorRow:
    """One collector's period: activity, results and the gate's answers, side by side."""

    user_id: int
    name: str
    teams: str
    attempts: int = 0
    right_party: int = 0
    promises: int = 0
    promised_minor: dict[str, int] = field(default_factory=dict)
    promises_kept: int = 0
    accounts_worked: int = 0
    collected_minor: dict[str, int] = field(default_factory=dict)
    gate_blocks: int = 0
    gate_delays: int = 0

    @property
    def right_party_rate(self) -> Decimal | None:
        return rate(self.right_party, self.attempts)

    @property
    def promise_kept_rate(self) -> Decimal | None:
        return rate(self.promises_kept, self.promises)

def _name(user) -> str:
    return f"{user.last_name}{user.first_name}".strip() or user.username

def _grouped(sql: str, params: list) -> dict:
    return {row[0]: row[1:] for row in fetch(sql, params)}

def collector_performance(*, start: date, end: date, collectors: QuerySet[Collector]
                          ) -> list[CollectorRow]:
    """Per user holding a seat among ``collectors``: from the first minute of ``start`` to the
    last of ``end`` (installation time zone), their contact attempts, right-party contacts,
    promises taken (and for how much), those of them kept by the end date, the accounts they
    worked and the payments posted on those accounts in the period, and the gate's blocks and
    delays of what they asked. Each figure is one grouped query over the period."""
    if end < start:
        raise ReportInputError("The end date must not come before the start date.")
    seats = list(collectors.select_related("user", "team").order_by("user__username", "pk"))
    users: dict[int, CollectorRow] = {}
    for seat in seats:
        row = users.setdefault(seat.user_id, CollectorRow(seat.user_id, _name(seat.user), ""))
        row.teams = ", ".join(filter(None, [row.teams, seat.team.label]))
    if not users:
        return []
    ids = list(users)
    marks = ", ".join(["%s"] * len(ids))
    since, until = db_datetime(day_start(start)), db_datetime(day_end(end))
    window = [*ids, since, until]
    attempts = _grouped(
        f"SELECT actor_id, COUNT(*), SUM(CASE WHEN outcome = 'right_party' THEN 1 ELSE 0 END) "
        f"FROM {ATTEMPT} WHERE actor_id IN ({marks}) AND at >= %s AND at < %s "
        f"GROUP BY actor_id", window)
    promises = fetch(
        f"SELECT pr.taken_by_id, pd.currency, COUNT(*), SUM(pr.amount_minor), "
        f"SUM(CASE WHEN pr.status = 'kept' AND pr.evaluated_on <= %s THEN 1 ELSE 0 END) "
        f"FROM {PROMISE} pr JOIN {ACCOUNT} a ON a.id = pr.account_id "
        f"JOIN {PRODUCT} pd ON pd.id = a.product_id "
        f"WHERE pr.taken_by_id IN ({marks}) AND pr.taken_at >= %s AND pr.taken_at < %s "
        f"GROUP BY pr.taken_by_id, pd.currency", [db_date(end), *window])
    gate = _grouped(
        f"SELECT actor_id, SUM(CASE WHEN verdict = 'block' THEN 1 ELSE 0 END), "
        f"SUM(CASE WHEN verdict = 'delay' THEN 1 ELSE 0 END) FROM {GATE_CHECK} "
        f"WHERE actor_id IN ({marks}) AND at >= %s AND at < %s GROUP BY actor_id", window)
    worked = (f"SELECT actor_id AS user_id, account_id FROM {ATTEMPT} WHERE actor_id IN "
              f"({marks}) AND at >= %s AND at < %s UNION SELECT taken_by_id, account_id "
              f"FROM {PROMISE} WHERE taken_by_id IN ({marks}) AND taken_at >= %s "
              f"AND taken_at < %s")
    worked_counts = _grouped(f"SELECT w.user_id, COUNT(*) FROM ({worked}) w GROUP BY w.user_id",
                             [*window, *window])
    collected = fetch(
        f"SELECT w.user_id, pd.currency, SUM(p.amount_minor) FROM ({worked}) w "
        f"JOIN {POSTING} p ON p.account_id = w.account_id AND p.kind = 'payment' "
        f"AND p.posting_date >= %s AND p.posting_date <= %s "
        f"JOIN {ACCOUNT} a ON a.id = p.account_id JOIN {PRODUCT} pd ON pd.id = a.product_id "
        f"WHERE NOT EXISTS (SELECT 1 FROM {POSTING} r WHERE r.reverses_id = p.id "
        f"AND r.posting_date <= %s) GROUP BY w.user_id, pd.currency",
        [*window, *window, db_date(start), db_date(end), db_date(end)])
    for user_id, row in users.items():
        row.attempts, row.right_party = (int(v or 0) for v in attempts.get(user_id, (0, 0)))
        row.gate_blocks, row.gate_delays = (int(v or 0) for v in gate.get(user_id, (0, 0)))
        row.accounts_worked = int(worked_counts.get(user_id, (0,))[0] or 0)
    for user_id, currency, n, amount, kept in promises:
        row = users[user_id]
        row.promises += n
        row.promises_kept += int(kept or 0)
        row.promised_minor[currency] = row.promised_minor.get(currency, 0) + int(amount or 0)
    for user_id, currency, amount in collected:
        users[user_id].collected_minor[currency] = int(amount or 0)
    return list(users.values())


# --- compliance ------------------------------------------------------------------------------

DISCLOSURE_ACTIONS = ("pii.reveal", "pii.view", "list.export", "report.export", "audit.export",
                      "export.run")


@dataclass(frozen=True)
class RuleRow:
    rule_id: str
    blocked: int
    delayed: int


@dataclass(frozen=True)
class HoldRow:
    kind: str
    in_force: int  # holds in force at the end of the period
    placed: int  # holds placed during the period


@dataclass(frozen=True)
class DisclosureRow:
    action: str
    events: int
    people: int


@dataclass
class ComplianceReport:
    start: date
    end: date
    rules: list[RuleRow]
    holds: list[HoldRow]
    disclosures: list[DisclosureRow]


def _gate_by_rule(since, until) -> list[RuleRow]:
    """Blocks and delays per rule; an answer naming several rules counts for each. The rows
    are grouped by the stored rule list first, so only the distinct lists are split here."""
    grouped = fetch(
        f"SELECT rule_ids, SUM(CASE WHEN verdict = 'block' THEN 1 ELSE 0 END), "
        f"SUM(CASE WHEN verdict = 'delay' THEN 1 ELSE 0 END) FROM {GATE_CHECK} "
        f"WHERE verdict IN ('block', 'delay') AND at >= %s AND at < %s GROUP BY rule_ids",
        [since, until])
    blocked: dict[str, int] = {}
    delayed: dict[str, int] = {}
    for rule_ids, blocks, delays in grouped:
        named = [part.strip() for part in (rule_ids or "").split(",") if part.strip()]
        for rule in named or [""]:  # "": an answer that names no rule
            blocked[rule] = blocked.get(rule, 0) + int(blocks or 0)
            delayed[rule] = delayed.get(rule, 0) + int(delays or 0)
    rules = sorted(blocked, key=lambda r: (-blocked[r] - delayed[r], r))
    return [RuleRow(rule, blocked[rule], delayed[rule]) for rule in rules]


def compliance_report(*, start: date, end: date) -> ComplianceReport:
    """From the first minute of ``start`` to the last of ``end``: the gate's blocks and delays
    by rule, the holds in force at the end and placed in the period by kind, and the reveals,
    views and exports of personal data from the audit trail (events and people)."""
    if end < start:
        raise ReportInputError("The end date must not come before the start date.")
    since, until = db_datetime(day_start(start)), db_datetime(day_end(end))
    holds = fetch(
        f"SELECT kind, SUM(CASE WHEN since < %s AND (until IS NULL OR until >= %s) "
        f"AND (released_at IS NULL OR released_at >= %s) THEN 1 ELSE 0 END), "
        f"SUM(CASE WHEN since >= %s AND since < %s THEN 1 ELSE 0 END) FROM {HOLD} "
        f"WHERE since < %s GROUP BY kind ORDER BY kind", [until, until, until, since, until, until])
    marks = ", ".join(["%s"] * len(DISCLOSURE_ACTIONS))
    disclosures = fetch(
        f"SELECT action, COUNT(*), COUNT(DISTINCT actor_id) FROM {AUDIT_EVENT} "
        f"WHERE action IN ({marks}) AND at >= %s AND at < %s GROUP BY action ORDER BY action",
        [*DISCLOSURE_ACTIONS, since, until])
    return ComplianceReport(
        start=start, end=end, rules=_gate_by_rule(since, until),
        holds=[HoldRow(kind, int(n or 0), int(placed or 0)) for kind, n, placed in holds
               if n or placed],
        disclosures=[DisclosureRow(action, n, people) for action, n, people in disclosures])
