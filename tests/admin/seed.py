"""One row (at least) of every model the admin shows, about one cardholder whose personal data
is known, so a test can look for it on every admin page."""

from datetime import UTC, date, datetime
from decimal import Decimal

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.auth.models import User

from arrears.arrangements.models import ApprovalRequest, Plan, Promise, Waiver
from arrears.audit.services import audit_record, export_request
from arrears.channels.models import DeliveryReceipt, OutboxMessage, SimulatedSms, Template
from arrears.compliance.models import (
    Consent,
    ContactAttempt,
    GateCheck,
    Hold,
    OptOut,
    ThirdPartyDoNotCall,
)
from arrears.dialer.models import CallResult, CallTask, SkipTraceTask, VisitTask
from arrears.imports.models import ImportProfile
from arrears.ledger.models import CycleRun, InterestStop, Posting
from arrears.letters.models import Letter, PrintBatch
from arrears.night.models import NightRun, StepRun
from arrears.portfolio.models import ContactPoint, ThirdPartyContact
from arrears.recovery.models import (
    Agency,
    AgencyMember,
    CommissionLevel,
    CommissionTier,
    Placement,
    PlacementBatch,
    PlacementExtension,
    PlacementRefusal,
)
from arrears.selfservice.models import LoginChallenge, PaymentIntent
from arrears.users.models import ApiToken
from arrears.workbench.models import Collector, Team
from tests.factories import make_account, make_cardholder, make_product, make_statement

NAME = "张三丰"
NATIONAL_ID = "11010119900307002X"
MOBILE = "13812345678"
EMAIL = "zhangsan.private@example.com"
ADDRESS = "北京市朝阳区建国路88号1201室"
EMPLOYER = "华夏远洋建设集团"
THIRD_NAME = "李小龙"
THIRD_PHONE = "13900001111"
# None of these may appear in full on an admin page (outside a reveal).
FULL_VALUES = (NAME, NATIONAL_ID, MOBILE, EMAIL, ADDRESS, EMPLOYER, THIRD_NAME, THIRD_PHONE)
NOTE = f"{NAME}说身份证{NATIONAL_ID}，手机{MOBILE}，住{ADDRESS}，紧急联系人{THIRD_NAME}"
AT = datetime(2025, 6, 2, 2, 0, tzinfo=UTC)


def seed_every_model(actor: User) -> dict:
    """Rows for every admin-registered model; returns the main objects by name."""
    product = make_product(code="STD-ADMIN", name="Standard card")
    holder = make_cardholder(external_id="CH-ADMIN", name=NAME, national_id=NATIONAL_ID,
                             employer=EMPLOYER, date_of_birth=date(1990, 3, 7))
    mobile = ContactPoint.objects.create(external_id="CP-M", cardholder=holder, kind="mobile",
                                         value=MOBILE, verified=True)
    ContactPoint.objects.create(external_id="CP-E", cardholder=holder, kind="email",
                                value=EMAIL)
    home = ContactPoint.objects.create(external_id="CP-H", cardholder=holder,
                                       kind="home_address", value=ADDRESS)
    third = ThirdPartyContact.objects.create(external_id="TP-A", cardholder=holder,
                                             name=THIRD_NAME, relation="emergency",
                                             phone=THIRD_PHONE)
    account = make_account(external_id="AC-ADMIN", product=product, cardholder=holder)
    make_statement(account=account, cycle_date=date(2025, 1, 20), due_date=date(2025, 2, 14),
                   balance=1_200_000, minimum=120_000)
    Posting.objects.create(external_id="PO-ADMIN", account=account, kind="purchase",
                           amount_minor=1_200_000, posting_date=date(2025, 1, 5),
                           value_date=date(2025, 1, 5), source="web", reason=NOTE)
    CycleRun.objects.create(as_of=date(2025, 6, 1), started_at=AT, finished_at=AT)
    InterestStop.objects.create(account=account, first_day=date(2025, 3, 1),
                                reference="plan:ADMIN")  # the default policy is migrated
    night = NightRun.objects.create(as_of=date(2025, 6, 1), status="done", started_at=AT,
                                    finished_at=AT, attempts=1)
    StepRun.objects.create(night=night, step="cycle", position=2, as_of=night.as_of,
                           status="done", started_at=AT, finished_at=AT, attempts=1,
                           counts={"accounts": 1})
    team = Team.objects.create(name="M1 phones", channel="call")
    Collector.objects.create(user=actor, team=team)

    Hold.objects.create(account=account, kind="dispute", since=AT, note=NOTE)
    Consent.objects.create(account=account, valid_from=AT, valid_until=AT, reference="REF-1")
    OptOut.objects.create(cardholder=holder, account=account, channel="sms", note=NOTE)
    ThirdPartyDoNotCall.objects.create(third_party=third)
    ContactAttempt.objects.create(account=account, cardholder=holder, channel="call", at=AT,
                                  outcome="right_party", contact_point=mobile,
                                  third_party=third, note=NOTE)
    GateCheck.objects.create(
        account=account, at=AT, channel="call", purpose="collection", counterparty="debtor",
        verdict="allow", decision="ALLOW", profile="CN-BANK",
        request={"phone": f"+86{MOBILE}", "address": ADDRESS, "content": NOTE,
                 "no_contact_places": [ADDRESS]},
        reasons=[{"rule_id": "CN-05", "text": f"called {MOBILE}"}])

    Template.objects.create(code="reminder", channel="sms", language="zh-hans",
                            body="{{ name }}，请按时还款。")
    message = OutboxMessage.objects.create(
        idempotency_key="out-1", account=account, channel="sms", template_code="reminder",
        contact_point=mobile, recipient=MOBILE, subject=f"致{NAME}", body=f"{NAME}，请按时还款。",
        extra={"to": MOBILE}, last_error=f"gateway refused {MOBILE}")
    OutboxMessage.objects.create(
        idempotency_key="out-2", account=account, channel="email", template_code="reminder",
        recipient=EMAIL, body=f"Dear {NAME}")
    OutboxMessage.objects.create(
        idempotency_key="out-3", account=account, channel="letter", template_code="reminder",
        recipient=ADDRESS, body=f"{NAME} {ADDRESS}")
    DeliveryReceipt.objects.create(message=message, provider_id="sim-1", status="delivered",
                                   at=AT, raw={"to": MOBILE, "status": "delivered"})
    SimulatedSms.objects.create(idempotency_key="out-1", to=MOBILE, text=f"{NAME}，请按时还款。")

    batch = PrintBatch.objects.create(path="/tmp/batch-1")
    Letter.objects.create(account=account, outbox_key="out-3", language="zh-hans",
                          recipient_name=NAME, address=ADDRESS, address_point=home,
                          subject=f"致{NAME}", body=NOTE, pdf=b"%PDF", print_batch=batch)
    task = CallTask.objects.create(account=account, contact_point=mobile, phone=f"+86{MOBILE}",
                                   due_from=AT, due_until=AT)
    CallResult.objects.create(task=task, started_at=AT, result="right_party")
    visit = VisitTask.objects.create(account=account, address_point=home, address=ADDRESS,
                                     scheduled_for=AT, notes=NOTE)
    visit.collectors.add(actor)
    SkipTraceTask.objects.create(account=account, contact_point=mobile, reason="wrong_number",
                                 note=NOTE)

    Promise.objects.create(account=account, amount_minor=10_000, due_date=date(2025, 6, 9),
                           taken_at=AT, note=NOTE)
    plan = Plan.objects.create(account=account, kind="instalment", months=6,
                               principal_minor=600_000, interest_minor=0, fees_minor=0,
                               start_date=date(2025, 7, 1), total_minor=600_000, cost_minor=0,
                               apr=Decimal("0"), status="pending_approval", proposed_at=AT,
                               note=NOTE)
    Waiver.objects.create(account=account, kind="fee", amount_minor=5_000, balance_minor=1,
                          status="pending_approval", proposed_at=AT, note=NOTE)
    ApprovalRequest.objects.create(subject_type="plan", subject_id=plan.pk,
                                   authority_kind="plan_instalment", account=account,
                                   requested_at=AT, reason=NOTE, note=NOTE)

    audit_record(actor=actor, action="workbench.note", object_type="account",
                 object_id=account.external_id, details={"text": NOTE})
    # Free text about no known person: ID, card and mobile numbers in it are masked.
    export_request(actor, kind="accounts", count=10,
                   reason=f"regulator asks about {NATIONAL_ID} {MOBILE}", params={"q": MOBILE})
    ApiToken.issue(user=actor, name="card system")
    ImportProfile.objects.create(name="bank-feed", kind="postings", encoding="gb18030",
                                 description="the core banking system's nightly postings")
    for model in (AccessAttempt, AccessLog, AccessFailureLog):
        extra = {"get_data": "", "post_data": "", "failures_since_start": 1} \
            if model is AccessAttempt else {}
        model.objects.create(username="collector", ip_address="10.0.0.1", user_agent="x",
                             http_accept="*/*", path_info="/login/", **extra)
    PaymentIntent.objects.create(account=account, provider="simulator", reference="P-ADMIN",
                                 amount_minor=10_000, currency="CNY", created_at=AT,
                                 last_error="declined by the provider")
    LoginChallenge.objects.create(handle_hash="h" * 64, account=account, via="card",
                                  code_hash="c" * 64, created_at=AT, expires_at=AT)
    _recovery(actor, account)
    return {"cardholder": holder, "account": account, "message": message}


def _recovery(actor: User, account) -> None:
    """An agency with a plan and a member, a batch with a placement (extended) and a refusal."""
    agency = Agency.objects.create(code="AG-ADMIN", name="催收公司", capacity=10,
                                   contract_from=date(2025, 1, 1),
                                   last_inspection_on=date(2025, 6, 1))
    tier = CommissionTier.objects.create(agency=agency, bucket="M3")
    CommissionLevel.objects.create(tier=tier, collected_from_minor=0, rate=Decimal("0.12"))
    AgencyMember.objects.create(user=actor, agency=agency)
    batch = PlacementBatch.objects.create(as_of=date(2025, 6, 1), source="manual", seed=1)
    placement = Placement.objects.create(
        batch=batch, account=account, agency=agency, tier=tier, bucket="M3",
        balance_minor=1_200_000, band=1, placed_on=date(2025, 6, 1), due_on=date(2025, 8, 30))
    PlacementExtension.objects.create(placement=placement, days=10, reason=NOTE, actor=actor,
                                      due_before=date(2025, 8, 20), due_after=date(2025, 8, 30))
    PlacementRefusal.objects.create(batch=batch, account=account, agency=agency, bucket="M3",
                                    balance_minor=1, reason="gate", rule_ids="CN-14",
                                    reasons=[{"rule_id": "CN-14", "text": NOTE}])
