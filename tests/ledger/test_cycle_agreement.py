"""The set-based cycle (``arrears.ledger.cycle``) against the pure rules account by account
(``cycle_run_per_account``): the same ledger, the same nights, the same results to the minor
unit — every posting of interest and fees, every position (balances, past due, days past due,
cycles, bucket) and every bucket change with its policy version.

The portfolio has every corner: payments on time, late, partial, reversed; waivers and
write-offs; a plan with interest stopped (open and closed); holds the compliance gate refuses
postings for (a breathing space); a blocked and a closed account; month ends and the leap day
2028-02-29; an account with nothing; an overpayment to a credit balance; a second product with
grace days, a tolerance, a fee minimum and maximum, another allocation order and a delinquency
policy of its own; statements the arrays cannot age (due dates going back), which the cycle
hands to the rules. The nights include a catch-up over skipped days and a rerun of a date.
"""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from arrears.compliance.models import GateCheck, Hold
from arrears.compliance.selectors import pack_cache_clear
from arrears.ledger.cycle import cycle_run
from arrears.ledger.models import (
    AccountPosition,
    BucketChange,
    CycleRun,
    DelinquencyPolicy,
    DelinquencyRange,
    InterestStop,
    Posting,
)
from arrears.ledger.selectors import position_as_of
from arrears.ledger.services import cycle_run_per_account
from arrears.portfolio.models import Account, Cardholder, Product, Statement
from tests.factories import make_account, make_cardholder, make_product, make_statement
from tests.rules.strategies import ledgers, statement_schedules, terms

pytestmark = pytest.mark.django_db
D = date
NIGHTS = (D(2028, 2, 27), D(2028, 2, 28), D(2028, 2, 29), D(2028, 3, 1), D(2028, 3, 6),
          D(2028, 3, 6), D(2028, 3, 31), D(2028, 4, 1))


def outputs() -> dict:
    """Everything the cycle writes, comparable across the two implementations."""
    postings = sorted(
        Posting.objects.filter(source=Posting.Source.CYCLE)
        .values_list("external_id", "account__external_id", "kind", "amount_minor",
                     "posting_date", "value_date", "statement_cycle_date", "component"))
    # the dates a position holds for, lifted to the runs that covered it (the set-based
    # cycle does not rewrite a position whose values did not change)
    positions = sorted(
        (p.account.external_id, position_as_of(p), p.principal_minor, p.interest_minor,
         p.fees_minor, p.past_due_minor, p.days_past_due, p.cycles_delinquent, p.bucket,
         position_as_of(p, "accrued_through"))
        for p in AccountPosition.objects.select_related("account"))
    changes = sorted(
        BucketChange.objects.values_list("account__external_id", "changed_on", "from_bucket",
                                         "to_bucket", "days_past_due", "policy_id"))
    refused = sorted(GateCheck.objects.filter(reference__startswith="cycle:")
                     .values_list("account_id", "at", "action", "verdict"))
    runs = sorted(CycleRun.objects.values_list("as_of", "accounts", "interest_postings",
                                               "fee_postings", "counts_by_bucket"),
                  key=repr)
    return {"postings": postings, "positions": positions, "changes": changes,
            "refused": refused, "runs": runs}


def forget_the_nights() -> None:
    Posting.objects.filter(source=Posting.Source.CYCLE).delete()
    AccountPosition.objects.all().delete()
    BucketChange.objects.all().delete()
    CycleRun.objects.all().delete()
    GateCheck.objects.filter(reference__startswith="cycle:").delete()


def both_ways(nights) -> tuple[dict, dict]:
    for night in nights:
        cycle_run_per_account(as_of=night)
    reference = outputs()
    forget_the_nights()
    for night in nights:
        cycle_run(as_of=night, chunk_accounts=3)  # several ranges, as at scale
    return reference, outputs()


def assert_same(reference: dict, set_based: dict) -> None:
    for part in reference:
        assert set_based[part] == reference[part], part


def book(account, key, kind, amount, day, component="", reverses=None, cycle=None):
    return Posting.objects.create(
        external_id=f"{account.external_id}-{key}", account=account, kind=kind,
        amount_minor=amount, posting_date=day, value_date=day, component=component,
        reverses=reverses, statement_cycle_date=cycle, source="import")


def bill(account, cycle, due, minimum, balance=0):
    return make_statement(account=account, cycle_date=cycle, due_date=due, balance=balance,
                          minimum=minimum)


@pytest.fixture
def corners(settings):
    settings.ARREARS_COMPLIANCE_PROFILE = "UK-FCA"
    pack_cache_clear()
    plain = make_product(daily_interest_rate=Decimal("0.0005"), late_fee_rate=Decimal("0.05"))
    strict = make_product(daily_interest_rate=Decimal("0.0003333"),
                          late_fee_rate=Decimal("0.07"), late_fee_min_minor=2_500,
                          late_fee_max_minor=9_000, grace_days=3,
                          past_due_tolerance_minor=1_000,
                          allocation_order="principal,interest,fees")
    policy = DelinquencyPolicy.objects.create(product=strict, version=1,
                                              valid_from=D(2028, 1, 1))
    for code, days in (("C", 0), ("X1", 1), ("X2", 4), ("X3", 40)):
        DelinquencyRange.objects.create(policy=policy, code=code, min_days=days)
    later = DelinquencyPolicy.objects.create(product=strict, version=2,
                                             valid_from=D(2028, 3, 30))
    for code, days in (("C", 0), ("Y1", 1), ("Y2", 20)):
        DelinquencyRange.objects.create(policy=later, code=code, min_days=days)

    def account(name, product=plain, **extra):
        return make_account(external_id=name, product=product, **extra)

    def spent(a, amount=300_000, on=None):
        return book(a, "BUY", "purchase", amount, on or D(2027, 12, 20))

    jan, feb, mar = D(2028, 1, 31), D(2028, 2, 9), D(2028, 3, 9)  # month end, and two more
    jan_due, feb_due, mar_due = D(2028, 2, 20), D(2028, 2, 29), D(2028, 3, 29)  # leap day
    for product in (plain, strict):
        tag = "P" if product == plain else "S"
        on_time = account(f"{tag}-ON-TIME", product)
        spent(on_time)
        bill(on_time, jan, jan_due, 30_000)
        book(on_time, "PAY1", "payment", 30_000, D(2028, 2, 15))
        bill(on_time, feb, feb_due, 27_000)
        book(on_time, "PAY2", "payment", 27_000, D(2028, 2, 29))
        late = account(f"{tag}-LATE", product)
        spent(late)
        bill(late, jan, jan_due, 30_000)
        bill(late, feb, feb_due, 60_000)
        book(late, "PAY1", "payment", 30_000, D(2028, 3, 2))
        bill(late, mar, mar_due, 40_000)
        partial = account(f"{tag}-PARTIAL", product)
        spent(partial)
        bill(partial, jan, jan_due, 30_000)
        book(partial, "PAY1", "payment", 29_500, D(2028, 2, 18))  # within the tolerance of S
        bill(partial, feb, feb_due, 30_000)
        book(partial, "PAY2", "payment", 10_000, D(2028, 2, 29))
        bounced = account(f"{tag}-BOUNCED", product)
        spent(bounced)
        bill(bounced, jan, jan_due, 30_000)
        paid = book(bounced, "PAY1", "payment", 30_000, D(2028, 2, 19))
        book(bounced, "BOUNCE", "reversal", 30_000, D(2028, 2, 28), reverses=paid)
        book(bounced, "PAY2", "payment", 5_000, D(2028, 3, 1))
        waived = account(f"{tag}-WAIVED", product)
        spent(waived)
        book(waived, "INT-OLD", "interest", 4_000, D(2028, 1, 10))
        fee = book(waived, "FEE-OLD", "late_fee", 3_000, D(2028, 1, 12), cycle=D(2027, 12, 31))
        bill(waived, D(2027, 12, 31), D(2028, 1, 11), 20_000)
        bill(waived, jan, jan_due, 45_000)
        book(waived, "WAIVE-INT", "waiver", 1_500, D(2028, 2, 1), component="interest")
        book(waived, "FEE-BACK", "reversal", 3_000, D(2028, 2, 2), reverses=fee)
        book(waived, "WAIVE-P", "waiver", 10_000, D(2028, 2, 28), component="principal")
        book(waived, "CREDIT-ADJ", "adjustment", -2_000, D(2028, 2, 29), component="principal")
        book(waived, "WRITE-OFF", "write_off", 5_000, D(2028, 3, 6))
        planned = account(f"{tag}-PLAN", product)
        spent(planned)
        bill(planned, jan, jan_due, 30_000)
        bill(planned, feb, feb_due, 60_000)
        InterestStop.objects.create(account=planned, first_day=D(2028, 2, 28),
                                    reference=f"plan:{tag}-open")
        ended = account(f"{tag}-PLAN-ENDED", product)
        spent(ended)
        bill(ended, jan, jan_due, 30_000)
        InterestStop.objects.create(account=ended, first_day=D(2028, 2, 26),
                                    last_day=D(2028, 3, 3), reference=f"plan:{tag}-ended")
        held = account(f"{tag}-BREATHING", product)
        spent(held)
        bill(held, jan, jan_due, 30_000)
        Hold.objects.create(account=held, kind="breathing_space",
                            since=datetime(2028, 2, 28, tzinfo=UTC),
                            until=datetime(2028, 3, 5, tzinfo=UTC))
        promised = account(f"{tag}-PROMISE", product)
        spent(promised)
        bill(promised, jan, jan_due, 30_000)
        Hold.objects.create(account=promised, kind="promise",
                            since=datetime(2028, 2, 25, tzinfo=UTC))
        account(f"{tag}-EMPTY", product)
        over = account(f"{tag}-OVERPAID", product)
        spent(over, 50_000)
        bill(over, jan, jan_due, 10_000)
        book(over, "PAY1", "payment", 80_000, D(2028, 2, 10))
        book(over, "BUY2", "purchase", 10_000, D(2028, 3, 3))
        blocked = account(f"{tag}-BLOCKED", product, status="blocked")
        spent(blocked)
        bill(blocked, jan, jan_due, 30_000)
        closed = account(f"{tag}-CLOSED", product, status="closed")
        spent(closed)
        bill(closed, jan, jan_due, 30_000)
        odd = account(f"{tag}-ODD-DUES", product)
        spent(odd)
        bill(odd, D(2028, 1, 5), D(2028, 2, 25), 20_000)
        bill(odd, D(2028, 2, 5), D(2028, 2, 15), 25_000)  # due before the earlier one's
        fresh = account(f"{tag}-FRESH", product)
        book(fresh, "BUY", "cash", 70_000, D(2028, 3, 4))
        bill(fresh, D(2028, 3, 5), D(2028, 3, 25), 7_000)
    return plain, strict


def test_the_set_based_cycle_agrees_with_the_rules_on_every_corner(corners):
    reference, set_based = both_ways(NIGHTS)
    assert_same(reference, set_based)
    # the corners are there: interest and fees, refusals, several buckets of both policies
    kinds = {p[2] for p in reference["postings"]}
    assert kinds == {"interest", "late_fee"}
    assert reference["refused"], "the breathing space refuses postings"
    buckets = {p[8] for p in reference["positions"]}
    assert {"M1", "M2"} <= buckets and buckets & {"X1", "X2", "X3", "Y1", "Y2"}
    assert {c[5] for c in reference["changes"]} >= {
        DelinquencyPolicy.objects.get(product=None).pk,
        DelinquencyPolicy.objects.get(product=corners[1], version=2).pk}
    credit = dict((p[0], p[2]) for p in reference["positions"])
    assert credit["P-OVERPAID"] < 0 and credit["S-OVERPAID"] < 0
    leap = [p for p in reference["postings"] if p[4] == D(2028, 2, 29)]
    assert leap, "interest is posted on the leap day"


def test_no_interest_while_a_plan_stops_it_and_again_after(corners):
    for night in NIGHTS:
        cycle_run(as_of=night)
    interest = set(Posting.objects.filter(account__external_id="P-PLAN-ENDED", kind="interest")
                   .values_list("posting_date", flat=True))
    stopped = {D(2028, 2, 26) + timedelta(days=n) for n in range(7)}
    assert interest and not interest & stopped
    assert max(interest) > D(2028, 3, 3)
    assert not Posting.objects.filter(account__external_id="P-PLAN", kind="interest",
                                      posting_date__gte=D(2028, 2, 28)).exists()
    assert not Posting.objects.filter(kind="waiver", source=Posting.Source.CYCLE).exists()


def test_a_rerun_of_the_same_date_changes_nothing(corners):
    for night in NIGHTS[:3]:
        cycle_run(as_of=night)
    first = outputs()
    again = cycle_run(as_of=NIGHTS[2])
    assert (again.interest_postings, again.fee_postings) == (0, 0)
    second = outputs()
    assert second["postings"] == first["postings"]
    assert second["positions"] == first["positions"]
    assert second["changes"] == first["changes"]


def test_a_position_that_did_not_change_is_not_written_again_but_holds_for_the_new_date(
        corners):
    cycle_run(as_of=NIGHTS[0])
    written = {p.account_id: p for p in AccountPosition.objects.all()}
    cycle_run(as_of=NIGHTS[1])
    kept = [p for p in AccountPosition.objects.all() if p.as_of == NIGHTS[0]]
    moved = [p for p in AccountPosition.objects.all() if p.as_of == NIGHTS[1]]
    assert kept and moved, "some positions changed overnight and some did not"
    for position in kept:
        before = written[position.account_id]
        assert (position.principal_minor, position.interest_minor, position.fees_minor,
                position.past_due_minor, position.days_past_due, position.bucket) == (
            before.principal_minor, before.interest_minor, before.fees_minor,
            before.past_due_minor, before.days_past_due, before.bucket)
        assert position_as_of(position) == NIGHTS[1]
        assert position_as_of(position, "accrued_through") == NIGHTS[1]


def test_a_cycle_stopped_after_some_ranges_and_run_again_agrees_with_the_rules(
        corners, monkeypatch):
    """A crash between two ranges leaves the first ranges written (accrued through the
    date) and the others not; the run of the same date again must neither accrue the first
    twice nor skip the others."""
    from arrears.ledger import cycle

    for night in NIGHTS[:5]:
        cycle_run_per_account(as_of=night)
    reference = outputs()
    forget_the_nights()
    for night in NIGHTS[:4]:
        cycle_run(as_of=night, chunk_accounts=3)
    original, ranges = cycle._cycle_chunk, []

    def crash_after_two(*args, **kwargs):
        if len(ranges) == 2:
            raise RuntimeError("killed")
        ranges.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(cycle, "_cycle_chunk", crash_after_two)
    with pytest.raises(RuntimeError):
        cycle_run(as_of=NIGHTS[4], chunk_accounts=3)
    monkeypatch.setattr(cycle, "_cycle_chunk", original)
    cycle_run(as_of=NIGHTS[4], chunk_accounts=3)
    again = outputs()
    for part in ("postings", "positions", "changes", "refused"):
        assert again[part] == reference[part], part


# --- random histories ------------------------------------------------------------------------

@st.composite
def portfolios(draw):
    chosen = draw(terms)
    accounts = []
    for _n in range(draw(st.integers(1, 4))):
        accounts.append((draw(ledgers(order=chosen.allocation_order, last_day=90)),
                         draw(statement_schedules(max_statements=4)),
                         draw(st.lists(st.tuples(st.integers(0, 100), st.integers(0, 30)),
                                       max_size=1))))
    nights = sorted(set(draw(st.lists(st.integers(30, 120), min_size=1, max_size=4))))
    return chosen, accounts, nights


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture,
                                 HealthCheck.too_slow])
@given(portfolios())
def test_random_histories_agree(portfolio):
    from tests.rules.strategies import day

    chosen, accounts, nights = portfolio
    forget_the_nights()
    InterestStop.objects.all().delete()
    Statement.objects.all().delete()
    Posting.objects.update(reverses=None)  # only to clear the previous example away
    Posting.objects.all().delete()
    Account.objects.all().delete()
    Cardholder.objects.all().delete()
    Product.objects.all().delete()
    product = make_product(
        daily_interest_rate=chosen.daily_interest_rate, late_fee_rate=chosen.late_fee_rate,
        late_fee_min_minor=chosen.late_fee_min, late_fee_max_minor=chosen.late_fee_max,
        grace_days=chosen.grace_days, past_due_tolerance_minor=chosen.past_due_tolerance,
        allocation_order=",".join(chosen.allocation_order))
    for number, (entries, statements, stops) in enumerate(accounts):
        account = make_account(external_id=f"R{number}", product=product,
                               cardholder=make_cardholder())
        booked = {}
        for entry in entries:
            booked[entry.key] = book(
                account, entry.key, entry.kind, entry.amount, entry.posting_date,
                entry.component, booked.get(entry.reverses),
                statements[0].cycle_date if entry.kind == "late_fee" and statements else None)
        for statement in statements:
            bill(account, statement.cycle_date, statement.due_date, statement.minimum_due)
        for first, length in stops:
            InterestStop.objects.create(account=account, first_day=day(first),
                                        last_day=day(first + length), reference=f"R{number}")
    reference, set_based = both_ways([day(n) for n in nights])
    assert_same(reference, set_based)


@pytest.mark.django_db(transaction=True)
def test_the_corners_agree_when_the_cycle_reads_through_its_own_connection(corners,
                                                                           monkeypatch):
    """Outside a transaction the cycle reads PostgreSQL through ADBC (binary COPY into
    Arrow), a second connection; the results are the same."""
    from django.db import connection

    from arrears.ledger import cycle

    used = []
    original = cycle._arrow_connection

    def spy(*slot):
        arrow = original(*slot)
        used.append(arrow is not None)
        return arrow

    monkeypatch.setattr(cycle, "_arrow_connection", spy)
    reference, set_based = both_ways(NIGHTS[:4])
    assert_same(reference, set_based)
    if connection.vendor == "postgresql":
        assert used and all(used)
