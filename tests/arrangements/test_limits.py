"""Arrangements speak money: a promise far above what is owed is refused, and every amount in
a refusal is shown with its currency (never in minor units), with component names translated."""

from datetime import timedelta

import pytest
from django.utils import translation

from arrears.arrangements.models import Promise
from arrears.arrangements.services import (
    ArrangementError,
    account_today,
    promise_take,
    settlement_propose,
    waiver_propose,
)

pytestmark = pytest.mark.django_db

OWED = "10,900.00"  # the ``owing`` account: 10,000.00 principal, 300.00 interest, 600.00 fees


def promise(account, user, amount_minor):
    return promise_take(account, amount_minor=amount_minor, actor=user,
                        due_date=account_today(account) + timedelta(days=5))


def test_a_promise_of_a_quadrillion_is_refused_in_money(owing, users):
    with pytest.raises(ArrangementError) as refused:
        promise(owing, users["collector"], 999_999_999_999_999_00)
    assert refused.value.code == "amount_too_large"
    assert "CNY 999,999,999,999,999.00" in refused.value.message
    assert not Promise.objects.exists()


def test_a_promise_far_above_the_balance_is_refused_with_the_amount_owed(owing, users):
    with translation.override("zh-hans"), pytest.raises(ArrangementError) as refused:
        promise(owing, users["collector"], 5_000_000_00)
    assert refused.value.code == "amount_exceeds_balance"
    assert f"¥{OWED}" in refused.value.message
    assert "¥5,000,000.00" in refused.value.message
    assert "1090000" not in refused.value.message


def test_a_promise_of_the_balance_plus_the_margin_is_taken(owing, users):
    # 10 % of 10,900.00 plus 1,000.00 is 2,090.00 above the balance at most.
    assert promise(owing, users["collector"], 1_299_000).amount_minor == 1_299_000
    with pytest.raises(ArrangementError):
        promise(owing, users["collector"], 1_299_001)


def test_a_waiver_beyond_what_is_owed_speaks_money_and_chinese(owing, users):
    with translation.override("zh-hans"), pytest.raises(ArrangementError) as refused:
        waiver_propose(owing, kind="interest", amount_minor=40_000, actor=users["collector"])
    message = refused.value.message
    assert "¥400.00" in message and "¥300.00" in message
    assert "利息" in message
    assert "interest" not in message and "40000" not in message


def test_a_waiver_beyond_what_is_owed_in_english(owing, users):
    with pytest.raises(ArrangementError) as refused:
        waiver_propose(owing, kind="fee", amount_minor=70_000, actor=users["collector"])
    assert "CNY 700.00" in refused.value.message and "fees owed (CNY 600.00)" in (
        refused.value.message)


def test_a_settlement_above_the_balance_names_the_balance_in_money(owing, users):
    with pytest.raises(ArrangementError) as refused:
        settlement_propose(owing, settle_for_minor=2_000_000, actor=users["collector"],
                           due_date=account_today(owing) + timedelta(days=10))
    assert f"CNY {OWED}" in refused.value.message
