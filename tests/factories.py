"""Small factories for test data: plain functions with sensible defaults."""

import itertools
from datetime import date

from arrears.portfolio.models import Account, Cardholder, Product, Statement

_seq = itertools.count(1)


def make_product(**overrides) -> Product:
    values = {"code": f"P{next(_seq)}", "name": "Standard card", "currency": "CNY"}
    values.update(overrides)
    return Product.objects.create(**values)


def make_cardholder(**overrides) -> Cardholder:
    n = next(_seq)
    values = {"external_id": f"C{n}", "name": f"张三{n}", "national_id": "110101199003070015"}
    values.update(overrides)
    return Cardholder.objects.create(**values)


def make_account(*, product=None, cardholder=None, **overrides) -> Account:
    values = {
        "external_id": f"A{next(_seq)}",
        "product": product or make_product(),
        "cardholder": cardholder or make_cardholder(),
        "credit_limit_minor": 5_000_000,
        "open_date": date(2024, 1, 1),
    }
    values.update(overrides)
    return Account.objects.create(**values)


def make_statement(*, account, cycle_date, due_date, balance, minimum, **overrides) -> Statement:
    values = {
        "external_id": f"S{next(_seq)}",
        "account": account,
        "cycle_date": cycle_date,
        "due_date": due_date,
        "statement_balance_minor": balance,
        "minimum_due_minor": minimum,
    }
    values.update(overrides)
    return Statement.objects.create(**values)


def give_work(user, *accounts, team_name: str = "Test team", pooled: bool = False):
    """Relate ``user`` to ``accounts`` the way the access policy knows: a seat in a team with
    the accounts queued to that seat in the latest decision run (one is made when there is
    none; a team lead's seat makes the team theirs). ``pooled`` leaves the accounts in the
    team's unassigned pool, which every collector of the team works. Returns the run."""
    from django.utils import timezone

    from arrears.batch.models import DecisionRun
    from arrears.workbench.models import Collector, QueueEntry, Team

    now = timezone.now()
    run = (DecisionRun.objects.filter(finished_at__isnull=False).order_by("-started_at").first()
           or DecisionRun.objects.create(as_of=now.date(), started_at=now, finished_at=now))
    team, _ = Team.objects.get_or_create(name=team_name, defaults={"channel": "call"})
    seat, _ = Collector.objects.get_or_create(user=user, team=team)
    for rank, account in enumerate(accounts, start=1):
        QueueEntry.objects.get_or_create(run=run, account=account, defaults={
            "team": team, "collector": None if pooled else seat, "rank": rank,
            "treatment": "call"})
    return run


def refer_to_litigation(*accounts):
    """A new latest decision run in which ``accounts`` are referred to litigation."""
    from django.utils import timezone

    from arrears.batch.models import Decision, DecisionRun

    now = timezone.now()
    run = DecisionRun.objects.create(as_of=now.date(), started_at=now, finished_at=now)
    for account in accounts:
        Decision.objects.create(run=run, account=account, segment="M7-legal",
                                treatment="legal_review", rule_id="legal", priority=1)
    return run


def send_on_visit(user, account, *, when=None):
    """An approved field visit to ``account`` by ``user`` (and a second collector), scheduled
    for ``when`` (default: now), which puts the account in the field agent's time box."""
    from django.contrib.auth.models import User
    from django.utils import timezone

    from arrears.dialer.models import VisitTask
    from arrears.portfolio.models import ContactPoint

    address = ContactPoint.objects.filter(
        cardholder=account.cardholder, kind__in=("home_address", "billing_address")
    ).first() or ContactPoint.objects.create(
        external_id=f"CP-V{next(_seq)}", cardholder=account.cardholder, kind="home_address",
        value="上海市浦东新区世纪大道100号",
    )
    visit = VisitTask.objects.create(
        account=account, address_point=address, address=address.value,
        scheduled_for=when or timezone.now(), status=VisitTask.Status.APPROVED,
    )
    partner, _ = User.objects.get_or_create(username=f"partner-of-{user.username}")
    visit.collectors.add(user, partner)
    return visit
