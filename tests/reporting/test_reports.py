"""The set-based reports against a plain Python reference on the hand-made book (conftest.py):
the balance by folding the ledger with the rules (``arrears.rules.ledger.fold``), the bucket
from the last change on or before the date, then the matrix, flows and cures by counting."""

from collections import Counter
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

import pytest

from arrears.arrangements.models import Promise
from arrears.audit.services import audit_record
from arrears.compliance.models import ContactAttempt, Hold
from arrears.ledger.models import BucketChange, Posting
from arrears.portfolio.models import Account
from arrears.reporting.selectors import (
    ReportInputError,
    Scope,
    accounts_behind,
    collector_performance,
    compliance_report,
    cure_rates,
    roll_rates,
    scope_for,
)
from arrears.reporting.states import day_end
from arrears.rules.ledger import Entry, fold
from arrears.workbench.models import Collector
from tests.reporting.conftest import END, START, at, attempt, gate_answer, move, post, promise

pytestmark = pytest.mark.django_db


# --- the reference ---------------------------------------------------------------------------

def reference_state(account: Account, on: date) -> tuple[str, int] | None:
    """(bucket, balance) of one account on ``on``, the slow and obvious way."""
    if account.open_date > on:
        return None
    postings = list(Posting.objects.filter(account=account, posting_date__lte=on))
    entries = [Entry(p.pk, p.kind, p.amount_minor, p.posting_date, p.component, p.reverses_id)
               for p in postings]
    balance = fold(entries).balances.total
    reversed_ids = {p.reverses_id for p in postings if p.kind == "reversal"}
    if any(p.kind == "write_off" and p.pk not in reversed_ids for p in postings):
        return "CO", balance
    last = (BucketChange.objects.filter(account=account, changed_on__lte=on)
            .order_by("-changed_on").first())
    return (last.to_bucket if last else "M0"), balance


def reference_moves(product_ids, start, end) -> list[tuple[int, str, int, str, int]]:
    moves = []
    for account in Account.objects.filter(product_id__in=product_ids):
        before, after = reference_state(account, start), reference_state(account, end)
        if before is None or before[0] == "CO":
            continue
        moves.append((account.pk, before[0], before[1], after[0], after[1]))
    return moves


def reference_worked(account_id: int, start: date, end: date) -> bool:
    since, until = day_end(start), day_end(end)
    return (ContactAttempt.objects.filter(account_id=account_id, at__gte=since,
                                          at__lt=until).exists()
            or Promise.objects.filter(account_id=account_id, taken_at__gte=since,
                                      taken_at__lt=until).exists())


def _scope(book, **kw) -> Scope:
    return Scope(START, END, "CNY", kw.get("product_ids", book.product_ids))


# --- roll rates ------------------------------------------------------------------------------

def test_the_roll_matrix_matches_the_reference(book):
    report = roll_rates(_scope(book))
    moves = reference_moves(book.product_ids, START, END)
    counts = Counter((b0, b1) for _id, b0, _bal0, b1, _bal1 in moves)
    balances = Counter()
    for _id, b0, bal0, b1, _bal1 in moves:
        balances[(b0, b1)] += bal0
    found = {key: (cell.accounts, cell.balance_minor) for key, cell in report.cells.items()}
    assert found == {key: (counts[key], balances[key]) for key in counts}


def test_the_roll_matrix_says_what_happened_to_each_account(book):
    report = roll_rates(_scope(book))
    assert report.cell("M0", "M0").accounts == 1  # steady (new opened after the start)
    assert report.cell("M0", "M1") == type(report.cell("M0", "M1"))(1, 50_000)
    assert report.cell("M1", "M0").accounts == 2
    assert report.cell("M1", "M0").balance_minor == 80_000 + 31_500
    assert report.cell("M1", "M1").accounts == 1  # promised, still M1
    # worse: 60,000 purchased; the bounced payment and the credit adjustment both reversed
    assert report.cell("M2", "M3").balance_minor == 60_000
    assert report.cell("M7+", "CO").accounts == 1
    assert report.cell("M7+", "CO").balance_minor == 90_000
    assert "CO" not in report.row_codes  # old_loss was charged off before: not a row
    assert report.closing["M0"].accounts == 4  # steady, both cured, new
    assert report.closing["CO"].accounts == 2


def test_flow_rates_and_the_chain(book):
    report = roll_rates(_scope(book))
    flows = {(step.source, step.target): step for step in report.flow}
    # M0 at start: steady, rolls (2); M1 at end: rolls, promised (2) → 100 %
    assert flows[("M0", "M1")].accounts_rate == Decimal("100.00")
    # M1 at start: cured_worked, cured_self, promised (3); M2 at end: none
    assert flows[("M1", "M2")].accounts_rate == Decimal("0.00")
    assert flows[("M1", "M2")].chained_accounts == Decimal("0.00")
    # M2 at start: worse; M3 at end: worse
    assert flows[("M2", "M3")].accounts_rate == Decimal("100.00")
    # nothing in M3 at the start: no rate, and the chain stops there
    assert flows[("M3", "M4")].accounts_rate is None
    assert flows[("M7+", "CO")].accounts_rate == Decimal("100.00")
    assert flows[("M7+", "CO")].chained_accounts is None
    balance_m0 = 100_000 + 50_000
    balance_m1_end = (50_000 + 1_234) + (70_000 - 7_000)
    expected = Fraction(balance_m1_end, balance_m0) * 100
    assert flows[("M0", "M1")].balance_rate == Decimal(expected.numerator / expected.denominator
                                                      ).quantize(Decimal("0.01"))


def test_the_product_filter_and_the_currency_scope(book):
    both = roll_rates(scope_for(start=START, end=END, currency="CNY"))
    card = roll_rates(scope_for(start=START, end=END, product_code="CARD"))
    assert both.cell("M1", "M2").accounts == 1 and card.cell("M1", "M2").accounts == 0
    with pytest.raises(ReportInputError):
        scope_for(start=START, end=END, product_code="NOPE")
    with pytest.raises(ReportInputError):
        Scope(END, START, "CNY", ())


# --- cure rates ------------------------------------------------------------------------------

def test_cure_rates_match_the_reference(book):
    rows = {row.bucket: row for row in cure_rates(_scope(book))}
    moves = reference_moves(book.product_ids, START, END)
    for bucket in {b0 for _id, b0, *_rest in moves if b0 != "M0"}:
        mine = [m for m in moves if m[1] == bucket]
        cured = [m for m in mine if m[3] == "M0"]
        worked = [m for m in cured if reference_worked(m[0], START, END)]
        row = rows[bucket]
        assert (row.accounts, row.balance_minor) == (len(mine), sum(m[2] for m in mine))
        assert (row.cured, row.cured_balance_minor) == (len(cured), sum(m[2] for m in cured))
        assert (row.cured_worked, row.cured_self) == (len(worked), len(cured) - len(worked))
    assert rows["M1"].cure_rate == Decimal("66.67")
    assert (rows["M1"].cured_worked, rows["M1"].cured_self) == (1, 1)
    assert rows["M2"].cure_rate == Decimal("0.00")


def test_the_accounts_behind_a_number_are_the_ones_counted(book):
    scope = _scope(book)
    a = book.accounts
    cell = accounts_behind(scope, kind="roll", source="M1", target="M0")
    assert set(cell) == {a["cured_worked"], a["cured_self"]}
    assert set(accounts_behind(scope, kind="cure", source="M1", part="worked")) == {
        a["cured_worked"]}
    assert set(accounts_behind(scope, kind="cure", source="M1", part="self")) == {
        a["cured_self"]}
    assert set(accounts_behind(scope, kind="cure", source="M1")) == {
        a["cured_worked"], a["cured_self"], a["promised"]}
    with pytest.raises(ReportInputError):
        accounts_behind(scope, kind="vintage", source="M1")


# --- collector performance -------------------------------------------------------------------

def test_collector_performance_counts_activity_and_results_side_by_side(book):
    rows = {row.name: row for row in collector_performance(
        start=date(2026, 4, 1), end=END, collectors=Collector.objects.all())}
    alice, bob = rows["alice"], rows["bob"]
    assert (alice.attempts, alice.right_party, alice.promises, alice.promises_kept) == (
        1, 1, 2, 2)
    assert alice.promised_minor == {"CNY": 27_000}
    assert alice.accounts_worked == 2  # cured_worked (call, promise), promised (promise)
    assert alice.collected_minor == {"CNY": 20_000 + 7_000}
    assert (bob.attempts, bob.right_party, bob.promises, bob.promises_kept) == (2, 1, 1, 0)
    assert (bob.gate_blocks, bob.gate_delays) == (1, 1)
    assert bob.collected_minor == {"CNY": 3_000}
    assert bob.right_party_rate == Decimal("50.00") and bob.promise_kept_rate == Decimal("0.00")
    assert rows["carol"].attempts == 0 and rows["carol"].collected_minor == {}
    assert "Calls" in rows["lead"].teams


def test_a_team_leads_view_holds_only_the_collectors_given(book):
    rows = collector_performance(start=date(2026, 4, 1), end=END,
                                 collectors=Collector.objects.filter(team__name="Others"))
    assert [row.name for row in rows] == ["carol"]
    assert collector_performance(start=START, end=END, collectors=Collector.objects.none()) == []


# --- exact for any past date -----------------------------------------------------------------

def _everything(book):
    scope = _scope(book)
    return (roll_rates(scope), cure_rates(scope),
            collector_performance(start=date(2026, 4, 1), end=END,
                                  collectors=Collector.objects.all()),
            sorted(a.pk for a in accounts_behind(scope, kind="cure", source="M1",
                                                 part="worked")))


def test_a_past_month_is_unchanged_by_later_activity(book):
    """Run April's reports, post May's activity (payments, a reversal of an April payment, a
    write-off, bucket moves, calls, promises, a promise judged kept, a new account), and run
    April again: the same figures to the minor unit."""
    before = _everything(book)
    a, alice = book.accounts, book.users["alice"]
    may = date(2026, 5, 3)
    post(a["steady"], "payment", 100_000, may)
    april_payment = Posting.objects.get(account=a["worse"], kind="payment",
                                        posting_date=date(2026, 4, 25))
    post(a["worse"], "reversal", 3_000, may, reverses=april_payment)
    post(a["worse"], "write_off", 60_000, may + timedelta(days=1))
    move(a["steady"], date(2026, 5, 2), "M0", "M1")
    move(a["promised"], date(2026, 5, 2), "M1", "M0")
    move(a["worse"], date(2026, 5, 1), "M3", "M4")
    attempt(a["cured_self"], alice, may, outcome="right_party")
    attempt(a["rolls"], alice, date(2026, 5, 1))
    late = promise(a["rolls"], alice, may, 5_000, may + timedelta(days=3))
    Promise.objects.filter(pk=late.pk).update(status="kept", evaluated_on=may)
    Promise.objects.filter(account=a["worse"]).update(status="partly_kept",
                                                      evaluated_on=may)
    Account.objects.create(external_id="R-may", product=a["steady"].product,
                           cardholder=a["steady"].cardholder, credit_limit_minor=1,
                           open_date=may)
    assert ContactAttempt.objects.filter(at__gte=at(may)).count() == 1
    after = _everything(book)
    assert after == before
    later = roll_rates(Scope(END, date(2026, 5, 31), "CNY", book.product_ids))
    assert later.cell("M0", "M1").accounts == 1  # the later month does see May


# --- compliance ------------------------------------------------------------------------------

def test_the_compliance_report_by_rule_hold_and_disclosure(book):
    a, bob = book.accounts, book.users["bob"]
    gate_answer(a["rolls"], bob, date(2026, 4, 20), "block", rules="CN-06, CN-07")
    gate_answer(a["rolls"], bob, date(2026, 4, 21), "block", rules="")
    gate_answer(a["rolls"], bob, date(2026, 5, 2), "block")  # after the period
    Hold.objects.create(account=a["worse"], kind="dispute", since=at(date(2026, 3, 1)))
    Hold.objects.create(account=a["rolls"], kind="dispute", since=at(date(2026, 4, 2)),
                        released_at=at(date(2026, 5, 5)))  # released later: in force then
    Hold.objects.create(account=a["steady"], kind="complaint", since=at(date(2026, 4, 2)),
                        until=at(date(2026, 4, 9)))  # over before the end
    Hold.objects.create(account=a["steady"], kind="hardship", since=at(date(2026, 5, 2)))
    report = compliance_report(start=date(2026, 4, 1), end=END)
    rules = {row.rule_id: (row.blocked, row.delayed) for row in report.rules}
    assert rules == {"CN-06": (2, 1), "CN-07": (1, 0), "": (1, 0)}
    holds = {row.kind: (row.in_force, row.placed) for row in report.holds}
    assert holds == {"dispute": (2, 1), "complaint": (0, 1)}
    assert report.disclosures == []


def test_reveals_and_exports_are_counted_from_the_audit_trail(book):
    alice, bob = book.users["alice"], book.users["bob"]
    audit_record(actor=alice, action="pii.reveal", object_type="account", object_id="R-1",
                 purpose="COLLECTION")
    audit_record(actor=bob, action="pii.reveal", object_type="account", object_id="R-2",
                 purpose="COLLECTION")
    audit_record(actor=bob, action="list.export", object_type="list", object_id="accounts")
    audit_record(actor=bob, action="account.search", object_type="search", object_id="name")
    today = date.today()
    report = compliance_report(start=today - timedelta(days=1), end=today + timedelta(days=1))
    found = {row.action: (row.events, row.people) for row in report.disclosures}
    assert found == {"pii.reveal": (2, 2), "list.export": (1, 1)}


# --- segment and treatment -------------------------------------------------------------------

def _decide(book, as_of: date, decided: dict[str, tuple[str, str]]):
    from django.utils import timezone

    from arrears.batch.models import Decision, DecisionRun

    now = timezone.now()
    run = DecisionRun.objects.create(as_of=as_of, started_at=now, finished_at=now,
                                     counts_by_segment={}, counts_by_treatment={})
    for name, (segment, treatment) in decided.items():
        Decision.objects.create(run=run, account=book.accounts[name], segment=segment,
                                treatment=treatment, rule_id="r")
    return run


def test_segment_and_treatment_on_the_start_date_narrow_the_reports(book):
    _decide(book, date(2026, 3, 20), {"cured_worked": ("early", "call"),
                                      "cured_self": ("early", "sms"),
                                      "worse": ("late", "call")})
    _decide(book, date(2026, 4, 10), {"promised": ("early", "call")})  # after the start
    early = scope_for(start=START, end=END, product_code="CARD", segment="early")
    report = roll_rates(early)
    assert {key: cell.accounts for key, cell in report.cells.items()} == {("M1", "M0"): 2}
    called = scope_for(start=START, end=END, product_code="CARD", treatment="call")
    assert {row.bucket: row.accounts for row in cure_rates(called)} == {"M1": 1, "M2": 1}
    both = scope_for(start=START, end=END, product_code="CARD", segment="early",
                     treatment="sms")
    assert set(accounts_behind(both, kind="cure", source="M1")) == {book.accounts["cured_self"]}
    with pytest.raises(ReportInputError):
        scope_for(start=date(2026, 1, 31), end=START, segment="early")
