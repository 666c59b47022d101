"""RowWriter: rows inserted set-at-a-time come out as the ORM would have made them."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from arrears.imports.writer import RowWriter
from arrears.ledger.models import Posting
from arrears.portfolio.models import Cardholder, Statement


def test_the_columns_not_given_get_defaults_and_the_time(a1):
    before = timezone.now()
    RowWriter(Cardholder, ("external_id", "name")).insert([("W1", "王五"), ("W2", "赵六")])
    holder = Cardholder.objects.get(external_id="W1")
    assert (holder.name, holder.language, holder.flags, holder.date_of_birth) == (
        "王五", "zh-hans", "", None)
    assert before - timedelta(seconds=1) <= holder.created_at <= timezone.now()
    assert holder.updated_at == holder.created_at
    assert Cardholder.objects.filter(external_id__in=["W1", "W2"]).count() == 2


def test_dates_constants_and_foreign_keys(a1):
    RowWriter(Statement, ("external_id", "account_id", "cycle_date", "due_date",
                          "statement_balance_minor", "minimum_due_minor")).insert(
        [("WS1", a1.pk, date(2026, 1, 20), date(2026, 2, 14), 880_000, 88_000)])
    statement = Statement.objects.get(external_id="WS1")
    assert (statement.account_id, statement.cycle_date, statement.due_date,
            statement.minimum_due_minor) == (a1.pk, date(2026, 1, 20), date(2026, 2, 14), 88_000)
    RowWriter(Posting, ("external_id", "account_id", "kind", "amount_minor", "posting_date",
                        "value_date"), constants={"source": "import"}).insert(
        [("WP1", a1.pk, "purchase", 1234, date(2026, 1, 5), date(2026, 1, 4))])
    posting = Posting.objects.get(external_id="WP1")
    assert (posting.source, posting.value_date, posting.reverses_id, posting.component) == (
        "import", date(2026, 1, 4), None, "")


def test_an_unknown_column_is_refused(db):
    with pytest.raises(ValueError, match="no columns"):
        RowWriter(Cardholder, ("external_id", "nickname"))
