"""``arrears account``: aging, balances and payoff of one account, as a table or JSON."""

import json
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from arrears.cli import main
from arrears.ledger.services import payment_post

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = StringIO()
    call_command("account_show", *args, stdout=out)
    return out.getvalue()


def test_json_has_aging_balances_and_payoff(billed, today):
    data = json.loads(run(billed.external_id, "--json"))
    assert data["account"]["bucket"] == "M1"
    assert data["account"]["days_past_due"] == 25
    assert data["account"]["balances"] == {"principal": "1000.00", "interest": "0.00",
                                           "fees": "0.00", "total": "1000.00"}
    assert data["payoff"]["payoff_date"] == today.isoformat()
    assert data["payoff"]["total"] == "1000.00"


def test_json_follows_a_payment(billed, today):
    payment_post(account=billed, external_id="PAY1", amount_minor=10_000, posting_date=today)
    data = json.loads(run(billed.external_id, "--json"))
    assert (data["account"]["bucket"], data["account"]["balances"]["total"]) == ("M0", "900.00")


def test_as_of_and_payoff_date(billed, today):
    as_of, later = today - timedelta(days=30), today + timedelta(days=5)
    data = json.loads(run(billed.external_id, "--json", "--as-of", as_of.isoformat(),
                          "--payoff-date", later.isoformat()))
    assert (data["account"]["as_of"], data["account"]["bucket"]) == (as_of.isoformat(), "M0")
    assert data["payoff"]["payoff_date"] == later.isoformat()


def test_table_shows_the_figures_with_labels(billed):
    text = run(billed.external_id)
    assert billed.external_id in text
    lines = text.splitlines()
    assert any(line.split() == ["Bucket", "M1"] for line in lines)
    assert any(line.split() == ["Days", "past", "due", "25"] for line in lines)
    assert sum(line.split() == ["Total", "1000.00"] for line in lines) == 2


def test_unknown_account_is_a_clear_error(db):
    with pytest.raises(CommandError, match="There is no account NOPE") as error:
        run("NOPE")
    assert error.value.returncode == 1


def test_unknown_account_exits_1_without_a_traceback(db, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["account", "NOPE"])
    assert exit_.value.code == 1
    err = capsys.readouterr().err
    assert "There is no account NOPE" in err
    assert "Traceback" not in err


@pytest.mark.parametrize("option", ["--as-of", "--payoff-date"])
def test_a_bad_date_is_a_clear_error(billed, option):
    with pytest.raises(CommandError, match=f"{option}: '2026-13-01' is not a date"):
        run(billed.external_id, option, "2026-13-01")


def test_a_payoff_date_before_the_as_of_date_is_refused(billed, today):
    with pytest.raises(CommandError, match="--payoff-date cannot be before"):
        run(billed.external_id, "--payoff-date", (today - timedelta(days=1)).isoformat())


def test_an_as_of_before_the_account_was_opened_is_refused(billed):
    with pytest.raises(CommandError, match="--as-of cannot be before the account was opened"):
        run(billed.external_id, "--as-of", "0001-01-01")


def test_a_payoff_date_beyond_the_horizon_is_refused(billed, today):
    with pytest.raises(CommandError, match="at most 366 days ahead"):
        run(billed.external_id, "--payoff-date", "9999-12-31")
    assert '"payoff_date"' in run(billed.external_id, "--json", "--payoff-date",
                                  (today + timedelta(days=366)).isoformat())
