"""The nightly evaluation against payments posted to the real ledger."""

from datetime import datetime, time, timedelta

import pytest
from django.core.management import call_command

from arrears.arrangements.evaluation import arrangements_evaluate
from arrears.arrangements.models import Plan, PlanInstalment, Promise, Waiver
from arrears.arrangements.selectors import promise_status_by_account
from arrears.arrangements.services import (
    account_today,
    account_zone,
    plan_propose,
    promise_take,
    settlement_propose,
)
from arrears.ledger.selectors import account_summary
from arrears.ledger.services import payment_post, reversal_post

DAY = timedelta(days=1)


def pay(account, amount, day, ref=None):
    return payment_post(account=account, external_id=ref or f"PAY-{account.pk}-{day}-{amount}",
                        amount_minor=amount, posting_date=day)[0]


def promise_on(account, taken_on, due, amount, users):
    now = datetime.combine(taken_on, time(10), account_zone(account))
    return promise_take(account, amount_minor=amount, due_date=due, actor=users["collector"],
                        now=now, grace_days=2)


@pytest.fixture
def taken(owing):
    return account_today(owing)


def test_a_promise_paid_in_two_parts_by_the_due_date_is_kept(owing, users, taken):
    promise = promise_on(owing, taken, taken + 10 * DAY, 100_000, users)
    pay(owing, 40_000, taken + 2 * DAY)
    pay(owing, 60_000, taken + 9 * DAY)
    report = arrangements_evaluate(taken + 9 * DAY)
    promise.refresh_from_db()
    assert (promise.status, promise.paid_minor) == ("kept", 100_000)
    assert report.promises["kept"] == 1


def test_a_promise_is_pending_until_the_grace_days_are_over(owing, users, taken):
    promise = promise_on(owing, taken, taken + 10 * DAY, 100_000, users)
    pay(owing, 40_000, taken + 2 * DAY)
    arrangements_evaluate(taken + 12 * DAY)
    promise.refresh_from_db()
    assert promise.status == "pending"
    assert promise_status_by_account(owing.pk, owing.pk, taken + 12 * DAY) == {
        owing.pk: "active"}
    arrangements_evaluate(taken + 13 * DAY)
    promise.refresh_from_db()
    assert (promise.status, promise.paid_minor) == ("partly_kept", 40_000)
    assert promise_status_by_account(owing.pk, owing.pk, taken + 13 * DAY) == {
        owing.pk: "broken"}


def test_a_late_payment_does_not_keep_a_broken_promise_but_is_shown(owing, users, taken):
    promise = promise_on(owing, taken, taken + 10 * DAY, 100_000, users)
    arrangements_evaluate(taken + 13 * DAY)
    pay(owing, 100_000, taken + 15 * DAY)
    arrangements_evaluate(taken + 16 * DAY)
    promise.refresh_from_db()
    assert (promise.status, promise.paid_minor, promise.paid_late_minor) == (
        "broken", 0, 100_000)


def test_a_bounced_payment_does_not_keep_a_promise(owing, users, taken):
    promise = promise_on(owing, taken, taken + 10 * DAY, 100_000, users)
    payment = pay(owing, 100_000, taken + 3 * DAY)
    reversal_post(external_id="BOUNCE", reverses_external_id=payment.external_id,
                  posting_date=taken + 5 * DAY, reason="returned")
    arrangements_evaluate(taken + 13 * DAY)
    promise.refresh_from_db()
    assert promise.status == "broken"


def test_a_new_promise_replaces_a_pending_one(owing, users, taken):
    first = promise_on(owing, taken, taken + 10 * DAY, 100_000, users)
    promise_on(owing, taken + DAY, taken + 12 * DAY, 80_000, users)
    first.refresh_from_db()
    assert first.status == Promise.Status.CANCELLED


@pytest.fixture
def plan(owing, users):
    start = account_today(owing) - timedelta(days=200)
    return plan_propose(owing, kind="instalment", months=6, actor=users["collector"],
                        start_date=start)


def instalments(plan):
    return list(PlanInstalment.objects.filter(plan=plan).order_by("seq"))


def test_instalments_paid_on_time_then_late_then_the_plan_completes(owing, plan):
    rows = instalments(plan)
    for row in rows[:3]:
        pay(owing, row.amount_minor, row.due_date)
    pay(owing, rows[3].amount_minor + 10, rows[3].due_date + 5 * DAY)
    report = arrangements_evaluate(rows[3].due_date + 6 * DAY)
    rows = instalments(plan)
    assert [r.status for r in rows] == ["paid", "paid", "paid", "paid_late", "due", "due"]
    assert rows[4].paid_minor == 10
    assert report.instalments_paid == 4
    pay(owing, rows[4].amount_minor + rows[5].amount_minor - 10, rows[4].due_date)
    report = arrangements_evaluate(rows[5].due_date)
    plan.refresh_from_db()
    assert plan.status == Plan.Status.COMPLETED
    assert report.plans["completed"] == 1


def test_the_monthly_fee_reaches_the_ledger_on_each_due_date(owing, plan):
    rows = instalments(plan)
    before = account_summary(account=owing, as_of=rows[1].due_date).balances.fees
    arrangements_evaluate(rows[1].due_date)
    after = account_summary(account=owing, as_of=rows[1].due_date).balances.fees
    assert after - before == rows[0].charge_minor + rows[1].charge_minor
    arrangements_evaluate(rows[1].due_date)  # a rerun posts nothing twice
    assert account_summary(account=owing, as_of=rows[1].due_date).balances.fees == after


def test_an_instalment_29_days_late_is_late_30_days_late_breaches_the_plan(owing, plan):
    rows = instalments(plan)
    pay(owing, rows[0].amount_minor, rows[0].due_date)
    arrangements_evaluate(rows[1].due_date + 29 * DAY)
    plan.refresh_from_db()
    assert plan.status == Plan.Status.ACTIVE
    assert instalments(plan)[1].status == "late"
    report = arrangements_evaluate(rows[1].due_date + 30 * DAY)
    plan.refresh_from_db()
    assert (plan.status, report.plans["breached"]) == (Plan.Status.BREACHED, 1)
    assert promise_status_by_account(owing.pk, owing.pk, rows[1].due_date + 30 * DAY) == {
        owing.pk: "broken"}


def test_a_settlement_paid_in_time_waives_the_rest(owing, users):
    today = account_today(owing)
    settlement = settlement_propose(owing, settle_for_minor=900_000, due_date=today + 5 * DAY,
                                    actor=users["team_lead"])
    pay(owing, 900_000, today)
    report = arrangements_evaluate(today)
    settlement.refresh_from_db()
    assert settlement.status == Waiver.Status.APPLIED
    assert report.settlements["applied"] == 1
    assert account_summary(account=owing, as_of=today).balances.total == 0


def test_an_unpaid_settlement_is_broken_after_its_date(owing, users):
    today = account_today(owing)
    settlement = settlement_propose(owing, settle_for_minor=900_000, due_date=today,
                                    actor=users["team_lead"])
    pay(owing, 800_000, today)
    arrangements_evaluate(today + 3 * DAY)
    settlement.refresh_from_db()
    assert settlement.status == Waiver.Status.BROKEN
    assert account_summary(account=owing, as_of=today).balances.total > 0


def test_the_command_prints_the_report(owing, plan, capsys):
    call_command("arrangements", "evaluate", "--as-of", account_today(owing).isoformat())
    out = capsys.readouterr().out
    assert "plans:" in out and "instalments paid" in out
