"""A small hand-made portfolio for the reports: a few accounts with known bucket moves,
postings, contact attempts, promises and gate answers around March and April 2026.

The rows are written directly (they are append-only facts: what the cycle, the imports and
the gate would have written), so each test knows exactly what happened and when."""

import itertools
from dataclasses import dataclass, field
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.contrib.auth.models import User

from arrears.arrangements.models import Promise
from arrears.compliance.models import ContactAttempt, GateCheck
from arrears.ledger.models import BucketChange, Posting
from arrears.portfolio.models import Account
from arrears.users.services import role_groups_ensure, user_create_for_role
from arrears.workbench.models import Collector, Team
from tests.factories import make_account, make_product

START, END = date(2026, 3, 31), date(2026, 4, 30)
_ids = itertools.count(1)


def at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), ZoneInfo(settings.TIME_ZONE))


def post(account: Account, kind: str, amount: int, day: date, **extra) -> Posting:
    return Posting.objects.create(external_id=f"T{next(_ids)}", account=account, kind=kind,
                                  amount_minor=amount, posting_date=day, value_date=day,
                                  source="import", **extra)


def move(account: Account, day: date, source: str, target: str) -> BucketChange:
    return BucketChange.objects.create(account=account, changed_on=day, from_bucket=source,
                                       to_bucket=target, days_past_due=0)


def attempt(account: Account, user, day: date, outcome: str = "no_answer",
            channel: str = "call") -> ContactAttempt:
    return ContactAttempt.objects.create(account=account, cardholder=account.cardholder,
                                         channel=channel, at=at(day), outcome=outcome,
                                         actor=user)


def promise(account: Account, user, day: date, amount: int, due: date, **extra) -> Promise:
    return Promise.objects.create(account=account, amount_minor=amount, due_date=due,
                                  taken_by=user, taken_at=at(day), **extra)


def gate_answer(account: Account, user, day: date, verdict: str,
                rules: str = "CN-06") -> GateCheck:
    return GateCheck.objects.create(account=account, at=at(day), channel="call",
                                    purpose="collection", counterparty="debtor",
                                    verdict=verdict, decision="block" if verdict == "block"
                                    else "allow", profile="CN-BANK", actor=user,
                                    rule_ids=rules)


@dataclass
class Book:
    accounts: dict[str, Account] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)
    product_ids: tuple[int, ...] = ()


@pytest.fixture
def book(db) -> Book:
    """Accounts (their story from March to April 2026):

    - ``steady``: current throughout, a purchase in January;
    - ``rolls``: current at the end of March, M1 from 5 April, interest on 10 April;
    - ``cured_worked``: M1 since 5 March, called on 3 April, paid and current on 12 April;
    - ``cured_self``: M1 since 5 March, paid and current on 20 April, nobody contacted it;
    - ``worse``: M1 in February, M2 on 20 March, M3 on 19 April; a payment on 2 April that
      bounced (reversed on 3 April); a credit adjustment reversed;
    - ``written_off``: M7+ since January, written off on 15 April;
    - ``old_loss``: written off on 1 February (before the report: left out);
    - ``new``: opened 10 April (not in the matrix; in the closing buckets);
    - ``promised``: M1 since 1 March, a promise taken on 8 April and kept on 15 April, still M1;
    - ``other_product``: another product, M1 → M2 (left out when the first product is chosen).
    """
    role_groups_ensure()
    product = make_product(code="CARD")
    other = make_product(code="GOLD")
    a = {name: make_account(product=product, external_id=f"R-{name}",
                            open_date=date(2025, 6, 1))
         for name in ("steady", "rolls", "cured_worked", "cured_self", "worse", "written_off",
                      "old_loss", "promised")}
    a["new"] = make_account(product=product, external_id="R-new", open_date=date(2026, 4, 10))
    a["other_product"] = make_account(product=other, external_id="R-other",
                                      open_date=date(2025, 6, 1))
    users = {"alice": user_create_for_role(username="alice", role="collector"),
             "bob": user_create_for_role(username="bob", role="collector"),
             "lead": user_create_for_role(username="lead", role="team_lead"),
             "carol": user_create_for_role(username="carol", role="collector")}
    calls = Team.objects.create(name="Calls", channel="call")
    others = Team.objects.create(name="Others", channel="call")
    Collector.objects.create(user=users["alice"], team=calls)
    Collector.objects.create(user=users["bob"], team=calls)
    Collector.objects.create(user=users["lead"], team=calls, daily_capacity=0)
    Collector.objects.create(user=users["carol"], team=others)

    post(a["steady"], "purchase", 100_000, date(2026, 1, 10))
    post(a["rolls"], "purchase", 50_000, date(2026, 2, 1))
    move(a["rolls"], date(2026, 4, 5), "M0", "M1")
    post(a["rolls"], "interest", 1_234, date(2026, 4, 10))

    post(a["cured_worked"], "purchase", 80_000, date(2026, 1, 5))
    move(a["cured_worked"], date(2026, 3, 5), "M0", "M1")
    attempt(a["cured_worked"], users["alice"], date(2026, 4, 3), outcome="right_party")
    post(a["cured_worked"], "payment", 20_000, date(2026, 4, 12))
    move(a["cured_worked"], date(2026, 4, 12), "M1", "M0")

    post(a["cured_self"], "purchase", 30_000, date(2026, 1, 5))
    post(a["cured_self"], "late_fee", 1_500, date(2026, 3, 1))
    move(a["cured_self"], date(2026, 3, 5), "M0", "M1")
    post(a["cured_self"], "payment", 10_000, date(2026, 4, 20))
    move(a["cured_self"], date(2026, 4, 20), "M1", "M0")

    post(a["worse"], "purchase", 60_000, date(2025, 12, 1))
    move(a["worse"], date(2026, 2, 20), "M0", "M1")
    move(a["worse"], date(2026, 3, 20), "M1", "M2")
    bounced = post(a["worse"], "payment", 5_000, date(2026, 3, 25))
    post(a["worse"], "reversal", 5_000, date(2026, 3, 28), reverses=bounced)
    credit = post(a["worse"], "adjustment", -700, date(2026, 3, 29), component="fees")
    post(a["worse"], "reversal", 700, date(2026, 3, 30), reverses=credit)
    move(a["worse"], date(2026, 4, 19), "M2", "M3")
    attempt(a["worse"], users["bob"], date(2026, 4, 2))
    attempt(a["worse"], users["bob"], date(2026, 4, 9), outcome="right_party")
    gate_answer(a["worse"], users["bob"], date(2026, 4, 9), "block")
    gate_answer(a["worse"], users["bob"], date(2026, 4, 10), "delay")
    post(a["worse"], "payment", 3_000, date(2026, 4, 25))

    post(a["written_off"], "purchase", 90_000, date(2025, 7, 1))
    move(a["written_off"], date(2026, 1, 15), "M6", "M7+")
    post(a["written_off"], "write_off", 90_000, date(2026, 4, 15))

    post(a["old_loss"], "purchase", 40_000, date(2025, 7, 1))
    move(a["old_loss"], date(2026, 1, 1), "M6", "M7+")
    post(a["old_loss"], "write_off", 40_000, date(2026, 2, 1))

    post(a["new"], "purchase", 10_000, date(2026, 4, 12))

    post(a["promised"], "purchase", 70_000, date(2026, 1, 5))
    move(a["promised"], date(2026, 3, 1), "M0", "M1")
    promise(a["promised"], users["alice"], date(2026, 4, 8), 7_000, date(2026, 4, 16),
            status="kept", paid_minor=7_000, evaluated_on=date(2026, 4, 15))
    post(a["promised"], "payment", 7_000, date(2026, 4, 15))
    promise(a["cured_worked"], users["alice"], date(2026, 4, 3), 20_000, date(2026, 4, 20),
            status="kept", paid_minor=20_000, evaluated_on=date(2026, 4, 12))
    promise(a["worse"], users["bob"], date(2026, 4, 9), 9_000, date(2026, 4, 12),
            status="broken", evaluated_on=date(2026, 4, 13))

    post(a["other_product"], "purchase", 20_000, date(2026, 1, 5))
    move(a["other_product"], date(2026, 3, 10), "M0", "M1")
    move(a["other_product"], date(2026, 4, 10), "M1", "M2")
    return Book(accounts=a, users=users, product_ids=(product.pk,))
