"""Loading strategies, going live, single decisions and challenger arms."""

import json
from datetime import date
from decimal import Decimal

import pytest

from arrears.audit.models import AuditEvent
from arrears.strategy.compile import arm_for
from arrears.strategy.jdm import StrategyInvalid
from arrears.strategy.models import StrategyVersion
from arrears.strategy.selectors import StrategyNotFound, strategy_get, strategy_live
from arrears.strategy.services import (
    SAMPLE_INPUT,
    challenger_create,
    decide_account,
    decide_one,
    strategy_ensure_default,
    strategy_load,
)
from tests.strategy.conftest import strategy_jdm

pytestmark = pytest.mark.django_db

ALL_SMS = strategy_jdm([("S-01", {}, "sms", 5)])
ALL_LETTERS = strategy_jdm([("L-01", {}, "letter", 5)])


def load(jdm, **options):
    return strategy_load(text=json.dumps(jdm), **options).version


def test_ensure_default_loads_the_mainland_strategy_once():
    first = strategy_ensure_default()
    assert (first.label, first.status, first.model_version) == (
        "cn-default v1", "live", "collect-score-v1")
    assert strategy_ensure_default() == first
    assert StrategyVersion.objects.count() == 1
    assert AuditEvent.objects.filter(action="strategy.load").count() == 1
    assert AuditEvent.objects.filter(action="strategy.make_live").count() == 1


def test_default_decisions_by_bucket():
    strategy_ensure_default()
    base = dict(SAMPLE_INPUT, balance_minor=300_000, score_band="C", days_since_last_payment=5)
    decide = lambda **kw: decide_one(dict(base, **kw))  # noqa: E731
    assert decide(bucket="M0", days_past_due=0)["treatment"] == "none"
    assert decide(bucket="M0", days_past_due=0, score_band="E")["treatment"] == "pre_due_reminder"
    assert decide(bucket="M1", days_past_due=3, score_band="A")["rule_id"] == "CN-M1-01"
    high_large = decide(bucket="M1", days_past_due=10, score_band="D", balance_minor=6_000_000)
    assert (high_large["segment"], high_large["treatment"], high_large["priority"]) == (
        "M1-high-risk-large", "call", 3)
    assert decide(bucket="M2", days_past_due=30, score_band="E")["treatment"] == "card_block"
    assert decide(bucket="M2", days_past_due=30, score_band="E",
                  previous_treatment="card_block")["treatment"] == "call"
    assert decide(bucket="M3", days_past_due=70, balance_minor=8_000_000)["treatment"] == \
        "field_visit"
    assert decide(bucket="M5", days_past_due=130)["treatment"] == "agency_placement"
    assert decide(bucket="M7+", days_past_due=200, balance_minor=2_000_000)["treatment"] == \
        "legal_review"
    assert decide(bucket="M7+", days_past_due=200, balance_minor=20_000)["treatment"] == \
        "write_off_review"
    assert decide(bucket="M2", hold="dispute")["treatment"] == "none"
    assert decide(bucket="M2", hold="complaint")["treatment"] == "letter"
    assert decide(bucket="M2", hold="deceased")["rule_id"] == "CN-HOLD-01"


def test_a_new_version_retires_the_old_one():
    first = load(ALL_SMS, note="all sms")
    second = load(ALL_LETTERS, note="letters")
    first.refresh_from_db()
    assert (first.status, second.status, second.version) == ("retired", "live", 2)
    assert strategy_live() == second
    assert decide_one(SAMPLE_INPUT)["treatment"] == "letter"
    assert decide_one(SAMPLE_INPUT, strategy=first)["treatment"] == "sms"
    event = AuditEvent.objects.filter(action="strategy.make_live").latest("id")
    assert event.details["previous"] == "cn-default v1"


def test_a_bad_file_keeps_the_old_strategy_live():
    good = load(ALL_SMS)
    bad = strategy_jdm([("B-01", {"bucket": "M1"}, "sms", 5), ("B-02", {}, "none", 9)])
    with pytest.raises(StrategyInvalid, match="rule B-01, column bucket"):
        load(bad)
    with pytest.raises(StrategyInvalid, match="not valid JSON"):
        strategy_load(text="{nodes: ")
    assert strategy_live() == good
    assert StrategyVersion.objects.count() == 1
    assert not AuditEvent.objects.filter(action="strategy.load", object_id=str(good.pk + 1))


def test_loading_the_live_content_again_changes_nothing():
    first = load(ALL_SMS)
    result = strategy_load(text=json.dumps(ALL_SMS))
    assert (result.created, result.version) == (False, first)


def test_a_draft_does_not_go_live():
    live = load(ALL_SMS)
    draft = load(ALL_LETTERS, make_live=False)
    assert (draft.status, strategy_live()) == ("draft", live)


def test_strategy_get_by_label():
    load(ALL_SMS)
    second = load(ALL_LETTERS)
    assert strategy_get(label="cn-default v2") == second
    assert strategy_get(label="1").version == 1
    with pytest.raises(StrategyNotFound):
        strategy_get(label="cn-default v9")


def test_no_live_strategy_is_a_clear_error():
    with pytest.raises(StrategyNotFound, match="No strategy is live"):
        decide_one(SAMPLE_INPUT)


def test_challenger_arm_decides_with_the_challenger():
    load(ALL_SMS)
    challenger = load(ALL_LETTERS, name="letters", make_live=False)
    test = challenger_create(name="letters-first", challenger=challenger,
                             share_percent=Decimal("50"), start_date=date(2026, 1, 1))
    arms = {}
    for account_id in range(1, 201):
        decision = decide_account(dict(SAMPLE_INPUT, account_id=account_id),
                                  as_of=date(2026, 2, 1))
        assert decision["arm"] == arm_for(account_id, [test])
        assert decision["treatment"] == ("letter" if decision["arm"] == "letters-first" else "sms")
        arms[decision["arm"]] = arms.get(decision["arm"], 0) + 1
    assert 70 < arms["letters-first"] < 130
    before_start = decide_account(dict(SAMPLE_INPUT, account_id=1), as_of=date(2025, 12, 31))
    assert before_start["arm"] == "champion"


@pytest.mark.parametrize(("share", "message"), [(Decimal("101"), "0–100"),
                                                (Decimal("10.005"), "two decimals")])
def test_challenger_share_is_checked(share, message):
    load(ALL_SMS)
    challenger = load(ALL_LETTERS, name="letters", make_live=False)
    with pytest.raises(StrategyInvalid, match=message):
        challenger_create(name="t", challenger=challenger, share_percent=share,
                          start_date=date(2026, 1, 1))
