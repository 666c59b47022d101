"""The portfolio by bucket is aggregated in the database and adds up to the positions."""

import random
from datetime import date

from arrears.ledger.models import AccountPosition
from arrears.portfolio.models import Account
from arrears.rules.aging import BUCKET_CODES
from arrears.web.selectors import account_search, portfolio_by_bucket
from tests.factories import make_account, make_cardholder, make_product


def _positions(product, count, rng):
    made = []
    for _ in range(count):
        bucket = rng.choice(BUCKET_CODES[:6])  # M6 and M7+ stay empty on purpose
        made.append(
            AccountPosition.objects.create(
                account=make_account(product=product),
                as_of=date(2025, 3, 20),
                principal_minor=rng.randint(-50_000, 9_000_000),
                interest_minor=rng.randint(0, 90_000),
                fees_minor=rng.randint(0, 30_000),
                past_due_minor=rng.randint(0, 500_000),
                bucket=bucket,
            )
        )
    return made


def test_totals_and_buckets_equal_the_positions(db):
    rng = random.Random(20250320)
    made = _positions(make_product(currency="TWD"), 23, rng)

    [twd] = portfolio_by_bucket()

    assert twd.currency == "TWD"
    assert [row.bucket for row in twd.rows] == list(BUCKET_CODES)
    assert twd.accounts == len(made)
    assert twd.balance_minor == sum(p.balance_minor for p in made)
    assert twd.past_due_minor == sum(p.past_due_minor for p in made)
    for row in twd.rows:
        in_bucket = [p for p in made if p.bucket == row.bucket]
        assert row.accounts == len(in_bucket)
        assert row.balance_minor == sum(p.balance_minor for p in in_bucket)
        assert row.past_due_minor == sum(p.past_due_minor for p in in_bucket)
    assert {"M6", "M7+"} <= {row.bucket for row in twd.rows if row.accounts == 0}


def test_currencies_are_never_added_together(db):
    rng = random.Random(7)
    twd = _positions(make_product(currency="TWD"), 4, rng)
    cny = _positions(make_product(currency="CNY"), 3, rng)

    by_currency = {p.currency: p for p in portfolio_by_bucket()}

    assert set(by_currency) == {"CNY", "TWD"}
    assert by_currency["TWD"].balance_minor == sum(p.balance_minor for p in twd)
    assert by_currency["CNY"].balance_minor == sum(p.balance_minor for p in cny)


def test_one_query_whatever_the_number_of_accounts(db, django_assert_num_queries):
    _positions(make_product(currency="TWD"), 12, random.Random(1))
    with django_assert_num_queries(1):
        portfolio_by_bucket()


def test_shares_are_percentages_of_the_currency_total(db):
    product = make_product(currency="TWD")
    for bucket, principal in (("M0", 300_00), ("M1", 100_00), ("M1", 600_00)):
        AccountPosition.objects.create(
            account=make_account(product=product), as_of=date(2025, 3, 20),
            principal_minor=principal, bucket=bucket,
        )
    rows = {row.bucket: row for row in portfolio_by_bucket()[0].rows}
    assert str(rows["M0"].account_share) == "33.3"
    assert str(rows["M1"].account_share) == "66.7"
    assert str(rows["M0"].balance_share) == "30.0"
    assert str(rows["M1"].balance_share) == "70.0"
    assert str(rows["M2"].balance_share) == "0.0"


def test_empty_portfolio_has_no_currencies(db):
    assert portfolio_by_bucket() == []


def test_account_search_by_account_or_cardholder_number_exactly(db):
    holder = make_cardholder(external_id="CH-77")
    first = make_account(external_id="AC-77-1", cardholder=holder)
    second = make_account(external_id="AC-77-2", cardholder=holder)
    make_account(external_id="AC-78")

    everything = Account.objects.all()
    assert list(account_search(query=" AC-77-1 ", within=everything)) == [first]
    assert list(account_search(query="CH-77", within=everything)) == [first, second]
    assert list(account_search(query="AC-77", within=everything)) == []
    assert list(account_search(query="", within=everything)) == []
    only_second = Account.objects.filter(pk=second.pk)
    assert list(account_search(query="CH-77", within=only_second)) == [second]
