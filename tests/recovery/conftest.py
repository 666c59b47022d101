"""Agencies, accounts with balance positions, and entrustment notices sent (CN-14)."""

import itertools
from datetime import UTC, date, datetime

import pytest
from django.contrib.auth.models import User

from arrears.channels.models import OutboxMessage
from arrears.ledger.models import AccountPosition
from arrears.portfolio.models import Account, Cardholder
from arrears.recovery.models import Agency, AgencyMember, CommissionLevel, CommissionTier
from arrears.users.services import role_groups_ensure, user_create_for_role

TODAY = date(2026, 3, 1)
_seq = itertools.count(1)


def make_agency(code="AG1", *, capacity=1000, status="approved", inspected=date(2025, 10, 1),
                contract_from=date(2025, 1, 1), contract_until=date(2027, 12, 31), **fields):
    return Agency.objects.create(code=code, name=f"{code} 催收公司", status=status,
                                 capacity=capacity, last_inspection_on=inspected,
                                 contract_from=contract_from, contract_until=contract_until,
                                 **fields)


def add_tier(agency, *levels, bucket="", balance_from=0, balance_to=None, position=1):
    tier = CommissionTier.objects.create(agency=agency, bucket=bucket, position=position,
                                         balance_from_minor=balance_from,
                                         balance_to_minor=balance_to)
    for start, rate in levels:
        CommissionLevel.objects.create(tier=tier, collected_from_minor=start, rate=rate)
    return tier


def positioned_accounts(product, count, *, buckets=("M2", "M3", "M4"), notice=True,
                        balance=lambda n: 100_000 + (n * 7919) % 6_000_000) -> list[Account]:
    """``count`` accounts with a position (bucket, balance), in bulk; with ``notice`` the
    entrustment letter was sent to each a week before TODAY."""
    start = next(_seq) * 100_000
    holders = Cardholder.objects.bulk_create(
        Cardholder(external_id=f"RC-{start + n}", name=f"王{n}明", national_id="110101199003070015",
                   time_zone="Asia/Shanghai") for n in range(count))
    accounts = Account.objects.bulk_create(
        Account(external_id=f"RA-{start + n}", cardholder=holder, product=product,
                credit_limit_minor=5_000_000, open_date=date(2024, 1, 1))
        for n, holder in enumerate(holders))
    accounts = list(Account.objects.filter(external_id__in=[a.external_id for a in accounts])
                    .select_related("cardholder").order_by("pk"))
    AccountPosition.objects.bulk_create(
        AccountPosition(account=account, as_of=TODAY, principal_minor=balance(n),
                        bucket=buckets[n % len(buckets)], days_past_due=100)
        for n, account in enumerate(accounts))
    if notice:
        notices_sent(accounts)
    return accounts


def notices_sent(accounts, at=datetime(2026, 2, 20, 2, 0, tzinfo=UTC)):
    OutboxMessage.objects.bulk_create(
        OutboxMessage(idempotency_key=f"agency-notice-{a.pk}", account=a, channel="letter",
                      template_code="CN-AGENCY", status=OutboxMessage.Status.SENT, sent_at=at)
        for a in accounts)


@pytest.fixture
def roles(db):
    role_groups_ensure()

    def user(role, username=None, agency=None) -> User:
        person = user_create_for_role(username=username or role, role=role,
                                      password="recovery-password-1")
        if agency is not None:
            AgencyMember.objects.create(user=person, agency=agency)
        return User.objects.get(pk=person.pk)
    return user


@pytest.fixture(autouse=True)
def fast_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
