"""The batch (Ibis on DuckDB) and the single-decision path (score_one + zen-engine) agree on
every account: same score, band, reasons, segment, treatment, template, priority and rule."""

import json
from datetime import date

import pytest
from django.core.management import call_command

from arrears.batch.models import Decision, DecisionRun
from arrears.batch.snapshot import snapshot_row
from arrears.night.services import steps_run
from arrears.night.steps import DECISION_STEPS
from arrears.portfolio.models import Account
from arrears.scoring.scorecard import score_one
from arrears.scoring.selectors import scorecard_live
from arrears.scoring.services import scorecard_ensure_default
from arrears.scoring.taiwan import Timeline
from arrears.strategy.models import ChallengerTest
from arrears.strategy.services import (
    decide_account,
    default_strategy_text,
    strategy_ensure_default,
    strategy_load,
)
from tests.batch.conftest import AS_OF, portfolio_build

COMPARED = ("score", "score_band", "reason_1", "reason_2", "reason_3", "segment", "treatment",
            "template", "priority", "rule_id", "arm")


def _single_decision(account: Account, as_of: date) -> dict:
    inputs = snapshot_row(account, as_of)
    inputs.update(score_one(inputs, scorecard_live()))
    decision = decide_account(inputs, as_of=as_of)
    return {**inputs, **decision}


def _assert_batch_equals_single(as_of: date) -> int:
    opened = steps_run(as_of=as_of, names=DECISION_STEPS)["open"]
    run = DecisionRun.objects.get(pk=opened.details["decision_run"])
    batch = {d["account_id"]: d for d in Decision.objects.filter(run=run).values()}
    accounts = list(Account.objects.select_related("product", "cardholder").order_by("pk"))
    assert run.accounts == len(batch) == len(accounts)
    differences = []
    for account in accounts:
        single = _single_decision(account, as_of)
        got = {k: batch[account.pk][k] for k in COMPARED}
        want = {k: single[k] for k in COMPARED}
        if got != want:
            differences.append((account.external_id, got, want))
    assert differences == []
    return len({d["rule_id"] for d in batch.values()})


def _challenger(as_of: date) -> None:
    """A challenger that sends the M1 accounts' letters to calls, for a quarter of accounts."""
    champion = strategy_ensure_default()
    jdm = json.loads(default_strategy_text())
    text = json.dumps(jdm).replace('"letter"', '"call"')
    challenger = strategy_load(text=text, name="challenger-calls", make_live=False).version
    ChallengerTest.objects.create(name="calls-25", champion=champion, challenger=challenger,
                                  share_percent=25, start_date=as_of)


@pytest.mark.django_db(transaction=False)
def test_batch_equals_single_decisions_on_the_demo_portfolio():
    call_command("demo", limit=300, anchor="2026-10", no_progress=True, verbosity=0)
    scorecard_ensure_default()
    strategy_ensure_default()
    as_of = Timeline(date(2026, 10, 1)).data_end

    rules_fired = _assert_batch_equals_single(as_of)

    assert rules_fired >= 4


def test_batch_equals_single_decisions_with_holds_and_a_challenger(db, tmp_path):
    portfolio_build(tmp_path / "portfolio", accounts=120, seed=11)
    scorecard_ensure_default()
    _challenger(AS_OF)

    _assert_batch_equals_single(AS_OF)

    arms = set(Decision.objects.values_list("arm", flat=True))
    assert arms == {"champion", "calls-25"}
