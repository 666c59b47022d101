"""Reads behind the collector's screens: the queue rows and the one-screen account view.

Each panel of the account screen is one function returning plain values the template shows;
the other apps are read through their own services and models, never copied.
"""

from dataclasses import dataclass
from datetime import date

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from arrears.access import policy
from arrears.audit.models import AuditEvent
from arrears.batch.models import Decision, DecisionRun
from arrears.channels.models import OutboxMessage
from arrears.channels.services import template_context_for, template_render
from arrears.channels.templating import TemplateRenderError
from arrears.compliance.models import ContactAttempt
from arrears.compliance.services import holds_active
from arrears.ledger.models import BucketChange, Posting
from arrears.ledger.selectors import AccountSummary, account_summary_today
from arrears.letters.models import Letter
from arrears.portfolio import masking
from arrears.portfolio.models import PHONE_KINDS, Account
from arrears.rules.money import format_amount
from arrears.workbench.models import Channel, Note, Outcome, QueueEntry
from arrears.workbench.selectors import decision_run_latest
from arrears.workbench.services import account_today

QUEUE_PAGE_LIMIT = 500
STATEMENTS_SHOWN = 6
PAYMENTS_SHOWN = 10
NOTES_SHOWN = 20


def masking_level(user) -> str:
    """ "M1" or "M0": the access policy's display format for the user's roles."""
    return policy.masking_level(user)


def _worked_from_the_queue(entries: QuerySet[QueueEntry]) -> QuerySet[QueueEntry]:
    """Entries a collector works from the screen: not those of field-visit teams, whose
    accounts are reached through the visits a team lead staffs and approves (a field agent
    opens an account only within an approved visit's time box)."""
    return entries.exclude(team__channel=Channel.FIELD_VISIT)


def queue_entries(*, user, run: DecisionRun | None) -> QuerySet[QueueEntry]:
    """``user``'s queue in ``run`` (every page of it), with what its rows show joined."""
    if run is None:
        return QueueEntry.objects.none()
    return (
        _worked_from_the_queue(QueueEntry.objects.filter(run=run, collector__user=user))
        .select_related("account", "account__product", "account__position", "account__work")
    )


def queue_rows_prepare(entries: list[QueueEntry]) -> None:
    """Annotate queue entries with what each row shows: bucket, days past due, balance,
    expected recovery, last outcome and next action."""
    for entry in entries:
        account = entry.account
        currency = account.product.currency
        position = getattr(account, "position", None)
        work = getattr(account, "work", None)
        entry.bucket = position.bucket if position else "—"
        entry.days_past_due = position.days_past_due if position else 0
        entry.balance_minor = (
            position.principal_minor + position.interest_minor + position.fees_minor
            if position
            else 0
        )
        entry.balance_text = format_amount(entry.balance_minor, currency)
        entry.recovery_text = format_amount(entry.expected_recovery_minor, currency)
        entry.last_outcome = work.get_last_outcome_display() if work and work.last_outcome else ""
        entry.next_action_on = work.next_action_on if work else None


def queue_rows(*, user, run: DecisionRun | None) -> list[QueueEntry]:
    """``user``'s queue in ``run``, best expected recovery first, with what each row shows."""
    entries = list(queue_entries(user=user, run=run).order_by(
        "-expected_recovery_minor", "priority", "account_id")[:QUEUE_PAGE_LIMIT])
    queue_rows_prepare(entries)
    return entries


def queue_neighbours(*, user, account: Account,
                     run: DecisionRun | None = None) -> tuple[int | None, int | None]:
    """The previous and next account ids around ``account`` in ``user``'s queue (n/p keys)."""
    run = run or decision_run_latest()
    if run is None:
        return None, None
    ids = list(
        _worked_from_the_queue(QueueEntry.objects.filter(run=run, collector__user=user))
        .order_by("-expected_recovery_minor", "priority", "account_id")
        .values_list("account_id", flat=True)[:QUEUE_PAGE_LIMIT]
    )
    if account.pk not in ids:
        return None, ids[0] if ids else None
    at = ids.index(account.pk)
    return (ids[at - 1] if at > 0 else None), (ids[at + 1] if at + 1 < len(ids) else None)


def balances(account: Account) -> AccountSummary:
    """Aging as of the last nightly cycle; balances with everything booked through today
    (a waiver or payment of today shows at once); the payoff quote for today."""
    return account_summary_today(account, account_today(account))


def money(summary: AccountSummary) -> dict[str, str]:
    currency = summary.currency
    amounts = {
        "principal": summary.balances.principal,
        "interest": summary.balances.interest,
        "fees": summary.balances.fees,
        "balance": summary.balances.total,
        "past_due": summary.delinquency.past_due_amount,
        "payoff_total": summary.payoff.total,
    }
    return {name: format_amount(value, currency) for name, value in amounts.items()}


def bucket_history(account: Account) -> list[BucketChange]:
    return list(BucketChange.objects.filter(account=account).order_by("changed_on", "pk"))


def statements(account: Account) -> list:
    currency = account.product.currency
    rows = list(account.statements.order_by("-cycle_date")[:STATEMENTS_SHOWN])
    for row in rows:
        row.balance_text = format_amount(row.statement_balance_minor, currency)
        row.minimum_text = format_amount(row.minimum_due_minor, currency)
    return rows


def payments(account: Account) -> list[Posting]:
    currency = account.product.currency
    rows = list(
        account.postings.filter(kind__in=(Posting.Kind.PAYMENT, Posting.Kind.REVERSAL)).order_by(
            "-posting_date", "-pk"
        )[:PAYMENTS_SHOWN]
    )
    for row in rows:
        row.amount_text = format_amount(row.amount_minor, currency)
    return rows


@dataclass(frozen=True)
class ContactLine:
    pk: int
    kind: str
    label: str
    value: str
    verified: bool
    phone: bool
    last_outcome: str
    last_at: object


@dataclass(frozen=True)
class ThirdPartyLine:
    pk: int
    relation: str
    name: str
    last_outcome: str




def _last_attempts(account: Account) -> tuple[dict, dict]:
    """The latest contact attempt per contact point and per third party, from the contact
    ledger of the compliance gate."""
    by_point: dict = {}
    by_third: dict = {}
    attempts = ContactAttempt.objects.filter(account=account).order_by("-at", "-pk")[:200]
    for attempt in attempts:
        if attempt.contact_point_id and attempt.contact_point_id not in by_point:
            by_point[attempt.contact_point_id] = attempt
        if attempt.third_party_id and attempt.third_party_id not in by_third:
            by_third[attempt.third_party_id] = attempt
    return by_point, by_third


def _masked(level: str, kind: str, value: str) -> str:
    return masking.mask_contact_value(kind, value, level)


def contact_lines(account: Account, level: str) -> tuple[list[ContactLine], list[ThirdPartyLine]]:
    """Contact points masked for ``level`` with their last outcome; third parties by relation
    and masked name — their numbers are never shown on the workbench."""
    by_point, by_third = _last_attempts(account)
    holder = account.cardholder
    points = [
        ContactLine(
            pk=point.pk,
            kind=point.kind,
            label=point.get_kind_display(),
            value=_masked(level, point.kind, point.value),
            verified=point.verified,
            phone=point.kind in PHONE_KINDS,
            last_outcome=by_point[point.pk].get_outcome_display() if point.pk in by_point else "",
            last_at=by_point[point.pk].at if point.pk in by_point else None,
        )
        for point in holder.contact_points.order_by("kind", "pk")
    ]
    thirds = [
        ThirdPartyLine(
            pk=third.pk,
            relation=third.get_relation_display(),
            name=masking.mask_emergency_contact("", third.name, level),
            last_outcome=by_third[third.pk].get_outcome_display() if third.pk in by_third else "",
        )
        for third in holder.third_party_contacts.order_by("relation", "pk")
    ]
    return points, thirds


def notes(account: Account) -> QuerySet[Note]:
    return Note.objects.filter(account=account).select_related("author")[:NOTES_SHOWN]


def outcomes(account: Account) -> QuerySet[Outcome]:
    return Outcome.objects.filter(account=account).select_related("actor")[:NOTES_SHOWN]


def arrangements(account: Account) -> tuple[list, list, list]:
    """The account's promises, plans and waivers (settlements too), newest first; a request
    still waiting for approval is among them."""
    currency = account.product.currency
    promises = list(account.promises.order_by("-taken_at")[:10])
    for promise in promises:
        promise.amount_text = format_amount(promise.amount_minor, currency)
    plans = list(account.plans.order_by("-proposed_at")[:10])
    for plan in plans:
        plan.total_text = format_amount(plan.total_minor, currency)
    waivers = list(account.waivers.order_by("-proposed_at", "-pk")[:10])
    for waiver in waivers:
        waiver.amount_text = format_amount(waiver.amount_minor, currency)
    return promises, plans, waivers


def holds(account: Account) -> list:
    return holds_active(account)


def letters_and_messages(account: Account) -> tuple[list, list]:
    letters = list(Letter.objects.filter(account=account).order_by("-created_at")[:10])
    messages = list(OutboxMessage.objects.filter(account=account).order_by("-created_at")[:10])
    return letters, messages


def decision_last_night(account: Account, run: DecisionRun | None = None) -> Decision | None:
    run = run or decision_run_latest()
    if run is None:
        return None
    return Decision.objects.filter(run=run, account=account).first()


@dataclass(frozen=True)
class Script:
    code: str
    subject: str
    body: str


def script_for(
    account: Account, decision: Decision | None, language: str, level: str
) -> Script | None:
    """The call script (话术) of the segment: the channels template the decision names,
    rendered for this account in the collector's language, with the cardholder's name in the
    screen's masking format ``level`` like everywhere else on it."""
    if decision is None or not decision.template:
        return None
    context = template_context_for(account, language)
    context["name"] = masking.mask_name(context["name"], level)
    try:
        rendered = template_render(decision.template, language, context)
    except TemplateRenderError:
        return None
    return Script(code=decision.template, subject=rendered.subject, body=rendered.body)


def today_for(account: Account) -> date:
    return account_today(account)


SELF_SERVICE_SHOWN = 10
SELF_SERVICE_LABELS = {
    "selfservice_code_sent": _("asked for a sign-in code (sent)"),
    "selfservice_code_not_sent": _("asked for a sign-in code (not sent)"),
    "selfservice_code_limited": _("asked for a sign-in code (over the hourly limit)"),
    "selfservice_code_failed": _("entered a wrong code"),
    "selfservice_locked": _("locked out after wrong codes"),
    "selfservice_login": _("signed in"),
    "selfservice_logout": _("signed out"),
    "selfservice_payment_started": _("started a payment"),
    "selfservice_payment_succeeded": _("payment received and booked"),
    "selfservice_payment_failed": _("payment failed"),
    "selfservice_promise": _("made a promise to pay"),
}


def self_service_activity(account: Account) -> list[AuditEvent]:
    """What the cardholder did in the self-service portal, newest first, from the audit trail
    (the portal writes every step there); ``label`` says it in words."""
    events = list(AuditEvent.objects.filter(
        object_type="account", object_id=account.external_id,
        action__in=list(SELF_SERVICE_LABELS)).order_by("-sequence")[:SELF_SERVICE_SHOWN])
    for event in events:
        event.label = SELF_SERVICE_LABELS[event.action]
    return events
