"""The champion/challenger report: accounts, money collected, cures and cost by arm."""

import json
from datetime import date, timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from arrears.batch.models import Decision, DecisionRun
from arrears.ledger.models import AccountPosition, BucketChange
from arrears.ledger.services import payment_post, reversal_post
from arrears.strategy.compile import arm_for
from arrears.strategy.selectors import (
    challenger_report,
    two_proportion_p_value,
    welch_p_value,
)
from arrears.strategy.services import challenger_create, strategy_load
from tests.factories import make_account
from tests.strategy.conftest import strategy_jdm

pytestmark = pytest.mark.django_db
START = date(2026, 3, 1)


@pytest.fixture
def experiment(product):
    """12 accounts decided on the start date and the day after, in the arm the hash gives."""
    strategy_load(text=json.dumps(strategy_jdm([("S-01", {}, "sms", 5)])))
    challenger = strategy_load(text=json.dumps(strategy_jdm([("C-01", {}, "call", 5)])),
                               name="calls", make_live=False).version
    test = challenger_create(name="calls-first", challenger=challenger,
                             share_percent=Decimal("50"), start_date=START)
    runs = [DecisionRun.objects.create(as_of=START + timedelta(days=d), started_at=timezone.now())
            for d in (0, 1)]
    before = DecisionRun.objects.create(as_of=START - timedelta(days=1), started_at=timezone.now())
    accounts = [make_account(product=product) for _ in range(12)]
    for account in accounts:
        arm = arm_for(account.pk, [test])
        treatment = "call" if arm == "calls-first" else "sms"
        for run in runs:
            Decision.objects.create(run=run, account=account, segment="s", treatment=treatment,
                                    rule_id="x", arm=arm)
        Decision.objects.create(run=before, account=account, segment="s", treatment="letter",
                                rule_id="x", arm="champion")
        AccountPosition.objects.create(account=account, as_of=START + timedelta(days=5),
                                       bucket="M1", days_past_due=10)
    return test, accounts


def test_report_by_arm(experiment):
    test, accounts = experiment
    arms = {a.pk: arm_for(a.pk, [test]) for a in accounts}
    cured_account = next(a for a in accounts if arms[a.pk] == "calls-first")
    paying = next(a for a in accounts if arms[a.pk] == "champion")
    # Paid on the decision date: before the test's effect, not counted.
    payment_post(account=paying, external_id="P0", amount_minor=999, posting_date=START)
    payment_post(account=paying, external_id="P1", amount_minor=5_000,
                 posting_date=START + timedelta(days=2))
    payment_post(account=paying, external_id="P2", amount_minor=700,
                 posting_date=START + timedelta(days=3))
    reversal_post(external_id="R2", reverses_external_id="P2",
                  posting_date=START + timedelta(days=4), reason="bounced")
    payment_post(account=cured_account, external_id="P3", amount_minor=2_500,
                 posting_date=START + timedelta(days=3))
    AccountPosition.objects.filter(account=cured_account).update(bucket="M0", days_past_due=0)
    BucketChange.objects.create(account=cured_account, changed_on=START + timedelta(days=3),
                                from_bucket="M1", to_bucket="M0", days_past_due=0)
    report = challenger_report(test=test, costs={"sms": 10, "call": 300})
    champion, challenger = report.champion, report.challenger
    champions = sum(1 for arm in arms.values() if arm == "champion")
    assert (champion.accounts, challenger.accounts) == (champions, 12 - champions)
    assert (champion.collected_minor, challenger.collected_minor) == (5_000, 2_500)
    assert (champion.cured, challenger.cured) == (0, 1)
    assert champion.contacts == 2 * champions  # two days, the run before the start not counted
    assert champion.contact_cost_minor == 2 * champions * 10
    assert challenger.contact_cost_minor == 2 * (12 - champions) * 300
    assert 0 < report.cure_rate_p_value <= 1
    assert 0 < report.collected_p_value <= 1


def test_report_command(experiment):
    out = StringIO()
    call_command("strategy", "report", "calls-first", "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert [a["arm"] for a in data["arms"]] == ["champion", "calls-first"]
    assert sum(a["accounts"] for a in data["arms"]) == 12
    table = StringIO()
    call_command("strategy", "report", "calls-first", stdout=table)
    assert "Welch" in table.getvalue() and "calls-first" in table.getvalue()


def test_significance_tests_against_known_values():
    # 45/100 against 30/100: z = 2.191, two-sided p = 0.0285
    assert two_proportion_p_value(45, 100, 30, 100) == pytest.approx(0.02846, abs=1e-4)
    assert two_proportion_p_value(0, 10, 0, 10) is None
    # Welch by hand: t = -2.5 / sqrt(1.667/4 + 2.5/5) = -2.611 on 6.98 degrees of freedom
    assert welch_p_value([1, 2, 3, 4], [3, 4, 5, 6, 7]) == pytest.approx(0.0349, abs=1e-3)
    assert welch_p_value([1], [2, 3]) is None
