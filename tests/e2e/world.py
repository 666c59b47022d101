"""A small but realistic world for walking every page: the demo portfolio on a few hundred
Taiwan accounts (through the import path, the nightly cycle, decisions, queues and the outbox),
then a day's work done through the services: outcomes and a promise, a note, a plan and a
waiver waiting for approval, a field visit staffed and approved for the two field agents, a
visit still to staff, and an account referred to litigation."""

import importlib
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.apps import apps
from django.contrib.auth.models import User
from django.utils import timezone

from arrears.access import policy
from arrears.arrangements.services import ArrangementError, plan_propose, waiver_propose
from arrears.batch.models import Decision
from arrears.channels.defaults import load_default_templates
from arrears.channels.models import Template
from arrears.demo.services import demo_load
from arrears.dialer.models import VisitTask
from arrears.dialer.services import visit_approve, visit_assign, visit_task_create
from arrears.portfolio.models import Account
from arrears.recovery.models import Agency, AgencyMember, CommissionLevel, CommissionTier
from arrears.recovery.services import placement_batch_create
from arrears.selfservice.links import links_issue
from arrears.selfservice.models import PortalSession
from arrears.selfservice.payments import payment_start
from arrears.selfservice.services import session_start
from arrears.workbench.models import QueueEntry
from arrears.workbench.selectors import decision_run_latest
from arrears.workbench.services import PromiseTerms, account_today, note_add, outcome_record

ACCOUNTS = 300
PASSWORD = "every-page-password-1"
ROLES = ("collector", "team_lead", "collections_manager", "compliance_officer", "auditor",
         "administrator", "field_agent", "legal_officer", "strategy_manager", "agency_manager")


@dataclass
class World:
    """Per role: pages beyond the menu (an account it reaches, in each area that shows one)
    and which of them are account screens (also checked at 1920 × 1080)."""

    pages: dict[str, list[str]] = field(default_factory=dict)
    account_screens: dict[str, list[str]] = field(default_factory=dict)
    portal_pages: list[str] = field(default_factory=list)  # the cardholder's portal
    portal_cookies: dict[str, str] = field(default_factory=dict)


def _reference_data() -> None:
    """What the migrations ship (a transactional test before may have emptied the tables)."""
    load_default_templates(Template)
    importlib.import_module(
        "arrears.arrangements.migrations.0002_default_authority_limits").load(apps, None)


def _next_morning(account: Account) -> datetime:
    """10:00 in the cardholder's zone, the next time it comes: lawful, less than a day away."""
    zone = ZoneInfo(account.cardholder.time_zone or account.product.time_zone)
    local = timezone.now().astimezone(zone)
    ten = datetime.combine(local.date(), time(10), zone)
    return ten if ten > local else ten + timedelta(days=1)


def _days_work(queue: list[Account], collector: User) -> None:
    first, second, third = queue[:3]
    outcome_record(first, outcome="promise", actor=collector,
                   promise=PromiseTerms(amount_minor=50_000,
                                        due_date=account_today(first) + timedelta(days=5)))
    outcome_record(second, outcome="no_answer", actor=collector,
                   contact_point=second.cardholder.contact_points.filter(kind="mobile").first())
    note_add(first, text="客户表示下周发工资后还款。", actor=collector)
    plan_propose(third, kind="instalment", months=24, actor=collector)
    owing = next((a for a in queue if getattr(a, "position", None) and a.position.interest_minor
                  > 100), None)
    if owing is not None:
        try:
            waiver_propose(owing, kind="interest", amount_minor=owing.position.interest_minor // 2,
                           actor=collector, note="困难减免")
        except ArrangementError:
            pass


def _visits(queue: list[Account], lead: User) -> VisitTask:
    agents = list(User.objects.filter(username__in=("field_agent", "field_agent_2")))
    staffed, planned = queue[-1], queue[-2]
    visit = visit_task_create(staffed, scheduled_for=_next_morning(staffed))
    visit_assign(visit, collectors=agents, actor=lead)
    visit_approve(visit, actor=lead)
    assert visit.status == VisitTask.Status.APPROVED, (visit.gate_verdict, visit.gate_rule_ids)
    visit_task_create(planned, scheduled_for=_next_morning(planned))
    return visit


def _refer_to_litigation(queued: set[int]) -> Account:
    """One account of the night, not in anybody's queue, is referred to litigation."""
    run = decision_run_latest()
    decision = (Decision.objects.filter(run=run).exclude(account_id__in=queued)
                .order_by("account_id").first())
    Decision.objects.filter(pk=decision.pk).update(treatment="legal_review", segment="M7-legal",
                                                   rule_id="CN-M7-01")
    return decision.account


def _placements(queued: set[int]):
    """Two agencies (one suspended), the agency manager linked to the approved one, and a batch
    of a few accounts placed with it after their entrustment letters were sent."""
    from arrears.channels.models import OutboxMessage

    today = timezone.localdate()
    agency = Agency.objects.create(code="HX-01", name="华信催收服务有限公司", capacity=50,
                                   contract_from=today - timedelta(days=365),
                                   last_inspection_on=today - timedelta(days=60),
                                   contact_name="李经理", contact_phone="021-55550101",
                                   payment_prefix="HX")
    Agency.objects.create(code="DX-02", name="东信资产管理公司", capacity=20,
                          status=Agency.Status.SUSPENDED, contract_from=today)
    tier = CommissionTier.objects.create(agency=agency, position=1)
    CommissionLevel.objects.create(tier=tier, collected_from_minor=0, rate="0.12")
    AgencyMember.objects.create(user=User.objects.get(username="agency_manager"), agency=agency)
    ids = list(Account.objects.filter(position__isnull=False).exclude(pk__in=queued)
               .order_by("-pk").values_list("pk", flat=True)[:6])
    OutboxMessage.objects.bulk_create(
        OutboxMessage(idempotency_key=f"world-agency-{pk}", account_id=pk, channel="letter",
                      template_code="CN-AGENCY", status=OutboxMessage.Status.SENT,
                      sent_at=timezone.now() - timedelta(days=3)) for pk in ids)
    batch = placement_batch_create(ids, as_of=today, seed=20261205)
    return batch, Account.objects.filter(placements__batch=batch).order_by("pk").first()


def _recovery_pages(user: User, batch) -> list[str]:
    if not policy.may_use(user, policy.AGENCIES):
        return []
    placement = batch.placements.order_by("pk").first()
    pages = ["/recovery/placements/", f"/recovery/agencies/{placement.agency_id}/",
             f"/recovery/batches/{batch.pk}/", f"/recovery/placements/{placement.pk}/"]
    if user.has_perm("recovery.add_placementbatch"):
        pages.append("/recovery/batches/new/")
    return pages


def _pages_of(user: User, visit: VisitTask, preferred: list[Account]) -> tuple[list, list]:
    readable = policy.accounts_readable(user)
    account = next((a for a in preferred if readable.filter(pk=a.pk).exists()), None)
    pages, screens = [], []
    if account is not None:
        if policy.may_use(user, policy.WORK):
            screens.append(f"/work/accounts/{account.pk}/")
        if policy.may_use(user, policy.ACCOUNTS):
            screens.append(f"/accounts/{account.external_id}/")
        if policy.may_use(user, policy.DECISION_ACCOUNT):
            pages.append(f"/decisions/account/{account.external_id}/")
    if policy.may_use(user, policy.VISITS) and (
            policy.sees_every_account(user) or visit.collectors.filter(pk=user.pk).exists()
            or readable.filter(pk=visit.account_id).exists()):
        pages.append(f"/dialer/visits/{visit.pk}/")
    if policy.may_use(user, policy.TEAM):
        pages += ["/work/team/visits/", "/work/team/queue/", "/work/team/queue/?sort=-dpd"]
    if policy.may_use(user, policy.SIMULATOR):
        pages.append("/channels/simulator/")
    if policy.may_use(user, policy.TEMPLATES):
        template = Template.objects.filter(active=True, code="CN-SMS-M1").first()
        pages.append(f"/channels/templates/{template.pk}/preview/")
    if policy.may_use(user, policy.ACCOUNTS):
        # A name that finds accounts (masked, paged) and a number that finds none.
        pages += [f"/accounts/?{urlencode({'q': preferred[0].cardholder.name, 'kind': 'name'})}",
                  "/accounts/?q=NO-SUCH-NUMBER"]
    if policy.may_use(user, policy.WORK):
        pages.append("/decisions/queue/")
    if policy.may_use(user, policy.REPORTS):
        pages += ["/reports/rolls/", "/reports/cures/", "/reports/collectors/",
                  "/reports/compliance/",
                  "/reports/accounts/?kind=roll&source=M0&target=M0",
                  "/reports/accounts/?kind=cure&source=M1&part=all"]
    return pages + screens, screens


def _portal(world: World, account: Account) -> None:
    """A cardholder signed in to the portal (a session that lasts the walk), a personal link,
    a payment started: every page of the portal has something to show."""
    token = session_start(account)
    later = timezone.now() + timedelta(hours=6)
    PortalSession.objects.update(last_seen_at=later, expires_at=later)
    link = links_issue([account.pk])[account.pk]
    intent = payment_start(account, amount_minor=10_000)
    world.portal_cookies = {"arrears_self": token, "arrears_self_code": "no-such-challenge"}
    world.portal_pages = [
        "/self/", link[link.index("/self/"):], "/self/l/no-such-link/", "/self/code/",
        "/self/owed/", "/self/pay/", "/self/promise/", f"/self/pay/sim/{intent.reference}/",
        f"/self/pay/{intent.reference}/", "/self/pay/no-such-payment/",
    ]


def seed_world(today: date | None = None) -> World:
    _reference_data()
    demo_load(limit=ACCOUNTS, password=PASSWORD, today=today)
    collector, lead = (User.objects.get(username=name) for name in ("collector", "team_lead"))
    queue = [entry.account for entry in QueueEntry.objects.filter(
        run=decision_run_latest(), collector__user=collector)
        .select_related("account__position", "account__cardholder", "account__product")
        .order_by("rank")]
    _days_work(queue, collector)
    visit = _visits(queue, lead)
    legal = _refer_to_litigation({a.pk for a in queue})
    batch, placed = _placements({a.pk for a in queue} | {visit.account_id, legal.pk})
    world = World()
    for role in ROLES:
        user = User.objects.get(username=role)
        world.pages[role], world.account_screens[role] = _pages_of(
            user, visit, [queue[0], visit.account, legal, placed])
        world.pages[role] += _recovery_pages(user, batch)
    _portal(world, queue[0])
    return world
