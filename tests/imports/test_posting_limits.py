"""A file import refuses the postings the API refuses: amounts beyond the product's largest
posting, dates before the account was opened (2024-01-01) or after today."""

from datetime import timedelta

import pytest

from arrears.imports.services import import_file
from arrears.ledger.models import Posting
from arrears.portfolio.selectors import product_today
from tests.imports.conftest import write_csv
from tests.imports.test_postings import HEADER, row

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("bad", "column", "reason"), [
    (row("B1", amount="1000000000000"), "amount",
     "CNY 1,000,000,000,000.00 is more than any posting may be (at most CNY 100,000,000.00)"),
    (row("B1", kind="adjustment", component="fees", amount="-1000000000000"), "amount",
     "is more than any posting may be"),
    (row("B1", posting_date="1900-01-01"), "posting_date",
     "1900-01-01 is before the account was opened (2024-01-01)"),
    (row("B1", posting_date="2099-01-01"), "posting_date", "2099-01-01 is after today"),
    (row("B1", value_date="1999-12-31"), "value_date", "is before the account was opened"),
])
def test_implausible_postings_are_refused_with_the_apis_reasons(a1, tmp_path, bad, column,
                                                                  reason):
    path = write_csv(tmp_path / "postings.csv", HEADER, [row("G1"), bad])
    report = import_file(kind="postings", path=path)
    assert [(e.line, e.column) for e in report.errors] == [(3, column)]
    assert reason in report.errors[0].reason
    assert not Posting.objects.exists()


def test_a_posting_dated_today_is_taken(a1, tmp_path):
    today = product_today(a1.product)
    path = write_csv(tmp_path / "postings.csv", HEADER, [
        row("G1", posting_date=today.isoformat()),
        row("G2", posting_date=(today - timedelta(days=3)).isoformat())])
    assert import_file(kind="postings", path=path).errors == []
    assert Posting.objects.count() == 2
