"""Decision runs and decisions made directly, as the nightly batch would publish them."""

import itertools
from datetime import date

from django.utils import timezone

from arrears.batch.models import Decision, DecisionRun

_seq = itertools.count(1)


def make_run(*, as_of: date = date(2025, 3, 20), finished: bool = True, **overrides):
    now = timezone.now() + timezone.timedelta(seconds=next(_seq))
    values = {"as_of": as_of, "started_at": now, "finished_at": now if finished else None}
    values.update(overrides)
    return DecisionRun.objects.create(**values)


def make_decision(*, run, account, **overrides) -> Decision:
    values = {
        "run": run,
        "account": account,
        "score": 612,
        "probability_pay": 0.8234,
        "score_band": "B",
        "reason_1": "DPD_HIGH",
        "reason_2": "PAY_RATIO_LOW",
        "reason_3": "",
        "segment": "early_high_risk",
        "treatment": "call",
        "template": "CALL_M1",
        "priority": 2,
        "rule_id": "early-call-3",
        "arm": "champion",
        "expected_recovery_minor": 100_000,
    }
    values.update(overrides)
    return Decision.objects.create(**values)


def make_worked_account(*, product, external_id: str, name: str = "王小明", days_ago: int = 60):
    """An account in arrears as the workbench shows it: a mobile number, an emergency contact,
    a purchase, an unpaid statement, a position and a bucket change."""
    from datetime import timedelta

    from arrears.ledger.models import AccountPosition, BucketChange, Posting
    from arrears.portfolio.models import ContactPoint, ThirdPartyContact
    from tests.factories import make_account, make_cardholder, make_statement

    today = timezone.now().date()
    holder = make_cardholder(external_id=f"CH-{external_id}", name=name)
    ContactPoint.objects.create(
        external_id=f"CP-{external_id}", cardholder=holder, kind="mobile", value="13812345678",
        verified=True,
    )
    ThirdPartyContact.objects.create(
        external_id=f"TP-{external_id}", cardholder=holder, name="李小龙", relation="emergency",
        phone="13900001111",
    )
    account = make_account(external_id=external_id, product=product, cardholder=holder)
    bought = today - timedelta(days=days_ago + 30)
    Posting.objects.create(
        external_id=f"PO-{external_id}", account=account, kind="purchase",
        amount_minor=1_200_000, posting_date=bought, value_date=bought, source="import",
    )
    make_statement(account=account, cycle_date=bought + timedelta(days=5),
                   due_date=today - timedelta(days=days_ago), balance=1_200_000, minimum=120_000)
    AccountPosition.objects.create(
        account=account, as_of=today, principal_minor=1_200_000, past_due_minor=120_000,
        days_past_due=days_ago, cycles_delinquent=2, bucket="M2",
    )
    BucketChange.objects.create(
        account=account, changed_on=today - timedelta(days=days_ago - 1), from_bucket="M0",
        to_bucket="M1", days_past_due=1,
    )
    BucketChange.objects.create(
        account=account, changed_on=today - timedelta(days=days_ago - 31), from_bucket="M1",
        to_bucket="M2", days_past_due=31,
    )
    return account


def make_floor(*, users: dict, product, accounts: int = 2):
    """One call team: ``users`` maps a role ("collector", "team_lead") to a user; each gets a
    seat. The collector's queue holds ``accounts`` worked accounts of the latest run, best
    expected recovery first; returns (run, team, seats, accounts)."""
    from arrears.workbench.models import Collector, QueueEntry, Team

    run = make_run(as_of=timezone.now().date())
    team = Team.objects.create(name="Early calls", channel="call")
    seats = {
        role: Collector.objects.create(user=user, team=team, daily_capacity=40)
        for role, user in users.items()
    }
    worked = []
    for n in range(accounts):
        account = make_worked_account(product=product, external_id=f"AC-{900 + n}")
        recovery = 900_000 - n * 100_000
        make_decision(run=run, account=account, expected_recovery_minor=recovery)
        QueueEntry.objects.create(
            run=run, account=account, team=team, collector=seats.get("collector"), rank=n + 1,
            expected_recovery_minor=recovery, treatment="call", priority=2,
        )
        worked.append(account)
    return run, team, seats, worked
