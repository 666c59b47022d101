"""A small world for the access matrix: one user per role, and accounts each reached through
one relationship of COMPLIANCE.md b.4 (own queue, team, litigation, field visit, placement),
plus one account nobody works."""

from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from arrears.access import policy
from arrears.arrangements.models import ApprovalRequest
from arrears.audit.models import ExportRequest
from arrears.channels.models import Template
from arrears.dialer.models import VisitTask
from arrears.portfolio.models import Account, ContactPoint
from arrears.users.services import role_groups_ensure, user_create_for_role
from arrears.workbench.models import Collector, QueueEntry, Team
from tests.factories import make_account, make_cardholder, make_product, send_on_visit

PASSWORD = "matrix-password-1"
ACCOUNT_KEYS = ("own", "team", "legal", "visit", "placed", "other")
NAMES = ("欧阳娜娜", "施淑珍", "王建国", "李秀英", "张伟", "陈静")


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """A dozen users per test: a cheap hasher keeps the world quick to build."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def personal_data_in_full(accounts) -> list[str]:
    """The values no page may show in full without a reveal: names, ID numbers, phones."""
    values = []
    for account in accounts.values():
        holder = account.cardholder
        values += [holder.name, holder.national_id]
        values += list(holder.contact_points.filter(kind="mobile").values_list("value", flat=True))
    return values


@dataclass
class World:
    users: dict[str, User]
    accounts: dict[str, Account]
    visits: dict[str, object] = field(default_factory=dict)
    approvals: dict[str, ApprovalRequest] = field(default_factory=dict)
    exports: dict[str, ExportRequest] = field(default_factory=dict)
    template: Template | None = None
    placement: object = None


def _accounts() -> dict[str, Account]:
    product = make_product(code="MATRIX", time_zone="Asia/Shanghai")
    accounts = {}
    for n, key in enumerate(ACCOUNT_KEYS, start=1):
        holder = make_cardholder(external_id=f"CH-M{n}", name=NAMES[n - 1],
                                 national_id=f"11010119900307{n:04d}")
        ContactPoint.objects.create(external_id=f"CP-M{n}", cardholder=holder, kind="mobile",
                                    value=f"1381234{n:04d}", verified=True)
        ContactPoint.objects.create(external_id=f"CP-MA{n}", cardholder=holder,
                                    kind="home_address", value=f"北京市朝阳区建国路{n}号")
        accounts[key] = make_account(external_id=f"AC-M-{key}", product=product,
                                     cardholder=holder)
    return accounts


def _users() -> dict[str, User]:
    role_groups_ensure()
    users = {code: user_create_for_role(username=code, role=code, password=PASSWORD)
             for code in policy.POLICIES}
    users["superuser"] = User.objects.create_superuser("root", password=PASSWORD)
    return users


def _queues(users, accounts, run) -> None:
    """The collector works "own"; a second collector "team"; the team lead leads their team."""
    team = Team.objects.create(name="Matrix calls", channel="call")
    colleague = user_create_for_role(username="colleague", role="collector", password=PASSWORD)
    seats = {
        "own": Collector.objects.create(user=users["collector"], team=team),
        "team": Collector.objects.create(user=colleague, team=team),
    }
    Collector.objects.create(user=users["team_lead"], team=team, daily_capacity=0)
    for rank, key in enumerate(("own", "team"), start=1):
        QueueEntry.objects.create(run=run, account=accounts[key], team=team,
                                  collector=seats[key], rank=rank, treatment="call")


def _place_with_agency(users, account):
    """The agency manager's agency and a real placement of ``account`` with it."""
    from datetime import date

    from arrears.recovery.models import Agency, AgencyMember, Placement, PlacementBatch

    agency = Agency.objects.create(code="MATRIX-AG", name="Matrix agency", capacity=10,
                                   contract_from=date(2020, 1, 1),
                                   last_inspection_on=timezone.localdate())
    AgencyMember.objects.create(user=users["agency_manager"], agency=agency)
    today = timezone.localdate()
    batch = PlacementBatch.objects.create(as_of=today, source="manual", seed=1)
    return Placement.objects.create(batch=batch, account=account, agency=agency, bucket="M3",
                                    balance_minor=100_000, band=0, placed_on=today,
                                    due_on=today + timedelta(days=90))


@pytest.fixture
def world(db) -> World:
    from arrears.batch.models import Decision, DecisionRun

    users, accounts = _users(), _accounts()
    now = timezone.now()
    run = DecisionRun.objects.create(as_of=now.date(), started_at=now, finished_at=now)
    for key, account in accounts.items():
        treatment = "legal_review" if key == "legal" else "call"
        Decision.objects.create(run=run, account=account, segment="matrix",
                                treatment=treatment, rule_id="matrix", priority=1,
                                template="CN-CALL-M1")
    _queues(users, accounts, run)
    world = World(users=users, accounts=accounts)
    world.placement = _place_with_agency(users, accounts["placed"])
    world.visits["visit"] = send_on_visit(users["field_agent"], accounts["visit"],
                                          when=now - timedelta(minutes=30))
    other_agent = user_create_for_role(username="other_agent", role="field_agent",
                                       password=PASSWORD)
    world.visits["other"] = send_on_visit(other_agent, accounts["other"],
                                          when=now - timedelta(minutes=30))
    # Visits the night planned, waiting for a team lead to name their collectors.
    for key in ("team", "other"):
        world.visits[f"planned-{key}"] = VisitTask.objects.create(
            account=accounts[key], address=f"北京市朝阳区建国路{key}号", scheduled_for=now,
            address_point=accounts[key].cardholder.contact_points.get(kind="home_address"))
    for key in ("team", "other"):
        world.approvals[key] = ApprovalRequest.objects.create(
            subject_type="waiver", subject_id=1, authority_kind="fee_waiver",
            account=accounts[key], amount_minor=100, balance_minor=100_000,
            requested_by=users["collector"] if key == "team" else None, requested_at=now,
        )
    requester = user_create_for_role(username="requester", role="auditor", password=PASSWORD)
    world.exports["pending"] = ExportRequest.objects.create(
        kind="audit_events", record_count=1, reason="matrix", requester=requester)
    world.template = Template.objects.filter(active=True).first()
    return world
