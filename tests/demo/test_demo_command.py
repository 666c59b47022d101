from datetime import date
from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import CommandError

from arrears.ledger.models import AccountPosition, CycleRun, Posting
from arrears.portfolio.models import Account, Cardholder, Product, Statement, ThirdPartyContact
from arrears.scoring.taiwan import TW_TERMS, Timeline, account_history, client_delinquency
from arrears.users.roles import PERSON_ROLE_CODES


def counts():
    return (Cardholder.objects.count(), Account.objects.count(), Statement.objects.count(),
            Posting.objects.count(), ThirdPartyContact.objects.count(), CycleRun.objects.count(),
            User.objects.count())


@pytest.mark.django_db
def test_demo_loads_the_taiwan_clients_and_is_idempotent(tmp_path, settings, first_clients):
    settings.ARREARS_HOME = tmp_path
    out = StringIO()
    call_command("demo", limit=300, anchor="2026-10", no_progress=True, stdout=out)
    assert (tmp_path / "demo" / "postings.csv").exists()
    product = Product.objects.get(code="TW-STD")
    assert (product.currency, product.time_zone) == ("TWD", "Asia/Taipei")
    assert Account.objects.filter(product=product).count() == 300
    assert Statement.objects.count() == 300 * 6
    assert ThirdPartyContact.objects.count() == 300
    account = Account.objects.get(external_id="TW-A-1")
    assert account.credit_limit_minor == 2_000_000
    balances = list(account.statements.order_by("cycle_date")
                    .values_list("statement_balance_minor", flat=True))
    assert balances == list(first_clients[0].bills)
    assert {u.username for u in User.objects.all()} >= {*PERSON_ROLE_CODES, "admin"}
    assert User.objects.get(username="admin").is_superuser
    for name in ("collector", "admin", "collector_en", "auditor"):  # one hash, shared
        assert User.objects.get(username=name).check_password("arrears-demo"), name
    data_end = Timeline(date(2026, 10, 1)).data_end
    assert CycleRun.objects.get().as_of == data_end
    # The cycle ages the imported accounts exactly as the pure rules age the converted data.
    for client in first_clients[:50]:
        position = AccountPosition.objects.get(account__external_id=f"TW-A-{client.id}")
        expected = client_delinquency(account_history(client, Timeline(date(2026, 10, 1))),
                                      data_end, TW_TERMS)
        assert (position.bucket, position.days_past_due) == (expected.bucket,
                                                               expected.days_past_due)
    assert "collector" in out.getvalue() and "arrears-demo" in out.getvalue()

    before = counts()
    again = StringIO()
    call_command("demo", limit=300, anchor="2026-10", no_progress=True, stdout=again)
    assert counts() == before
    assert "already loaded" in again.getvalue()
    # Without --anchor the loaded anchor is kept, whatever today is.
    call_command("demo", limit=300, no_progress=True, stdout=StringIO())
    assert counts() == before


@pytest.mark.django_db
def test_demo_refuses_to_move_a_loaded_portfolio(tmp_path, settings):
    settings.ARREARS_HOME = tmp_path
    call_command("demo", limit=5, anchor="2026-10", no_progress=True, stdout=StringIO())
    with pytest.raises(CommandError, match="already loaded with anchor month 2026-10"):
        call_command("demo", limit=5, anchor="2026-09", no_progress=True, stdout=StringIO())


def test_demo_rejects_a_bad_anchor():
    with pytest.raises(CommandError, match="YYYY-MM"):
        call_command("demo", anchor="October", no_progress=True, stdout=StringIO())
