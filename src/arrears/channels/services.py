"""Templates and the outbox: save and render templates, write messages for a night's decisions.

Messages are rendered when they are written (the wording a debtor receives is fixed with the
decision, in the cardholder's language) and sent later by the worker in
:mod:`arrears.channels.worker`, which asks the compliance gate first.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from arrears.arrangements.reminders import ReminderNotQueued
from arrears.audit.services import audit_record
from arrears.batch.models import Decision
from arrears.channels.models import Language, OutboxMessage, Template
from arrears.channels.templating import (
    Rendered,
    TemplateRenderError,
    bank_name,
    format_date,
    format_money,
    mask_card,
    render_source,
    sample_context,
    self_service_entry,
    self_service_links,
    template_problems,
)
from arrears.ledger.models import AccountPosition
from arrears.portfolio.models import Account, ContactPoint, Statement
from arrears.portfolio.selectors import contact_point_best

__all__ = [
    "Rendered", "TemplateRenderError", "sample_context", "template_render", "template_save",
    "template_context_for", "contexts_for", "outbox_enqueue", "outbox_fill_for_run",
]

DEFAULT_LANGUAGE = Language.ZH_HANS
# Merge fields that go into the rendered message only, never into the stored ``extra``.
SECRET_FIELDS = frozenset({"one_time_code"})

# Which channel a treatment of the strategy becomes, and its template when the decision names
# none. Treatments not listed (none, legal_review, write_off_review) send nothing.
TREATMENT_CHANNELS = {
    "sms": ("sms", "CN-SMS-M1"),
    "pre_due_reminder": ("sms", "CN-SMS-PREDUE"),
    "email": ("email", "CN-EMAIL-M1"),
    "letter": ("letter", "CN-LTR-M2-NOTICE"),
    "card_block": ("letter", "CN-LTR-CARD-BLOCK"),
    "agency_placement": ("letter", "CN-AGENCY"),
    "call": ("call", "CN-CALL-M1"),
    "field_visit": ("visit", "CN-VISIT-M3"),
}

# The contact point kinds a channel sends to, best first.
RECIPIENT_KINDS = {
    "sms": ("mobile",),
    "email": ("email",),
    "letter": ("billing_address", "home_address"),
    "call": ("mobile", "home_phone", "work_phone"),
    "visit": ("home_address", "billing_address"),
}

TEMPLATE_CHANNELS = {
    "sms": "sms", "email": "email", "letter": "letter", "call": "call_script",
    "visit": "visit_script",
}


class TemplateSaveError(ValueError):
    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


# --- templates ---------------------------------------------------------------------------


def template_active(code: str, language: str) -> Template | None:
    """The active version in ``language``, else in Chinese (every code has a Chinese version)."""
    for candidate in dict.fromkeys([language or DEFAULT_LANGUAGE, DEFAULT_LANGUAGE]):
        found = Template.objects.filter(code=code, language=candidate, active=True).first()
        if found:
            return found
    return None


def template_render(code: str, language: str, context: dict) -> Rendered:
    """Render the latest active version of a template (sandboxed; unknown fields are errors)."""
    template = template_active(code, language)
    if template is None:
        raise TemplateRenderError(_("no active template %(code)s") % {"code": code})
    return render_template(template, context)


def render_template(template: Template, context: dict) -> Rendered:
    return Rendered(
        subject=render_source(template.subject, context).strip(),
        body=render_source(template.body, context),
        version=template.version,
    )


@transaction.atomic
def template_save(
    *, code: str, language: str, channel: str, body: str, subject: str = "",
    requires_opt_out: bool = False, actor=None, note: str = "",
) -> Template:
    """Check a template and make it the active version (the previous one stays, inactive)."""
    problems = template_problems(
        subject=subject, body=body, language=language, requires_opt_out=requires_opt_out
    )
    if problems:
        raise TemplateSaveError(problems)
    current = (
        Template.objects.select_for_update()
        .filter(code=code, language=language)
        .aggregate(Max("version"))["version__max"]
    ) or 0
    Template.objects.filter(code=code, language=language, active=True).update(active=False)
    template = Template.objects.create(
        code=code, language=language, channel=channel, version=current + 1, active=True,
        subject=subject, body=body, requires_opt_out=requires_opt_out, created_by=actor,
        note=note,
    )
    audit_record(
        actor=actor, action="template.save", object_type="channels.template",
        object_id=template.pk,
        details={"code": code, "language": language, "version": template.version},
    )
    return template


# --- merge fields for real accounts ---------------------------------------------------------


@dataclass(frozen=True)
class AccountFacts:
    account_id: int
    external_id: str
    name: str
    language: str
    currency: str
    balance_minor: int
    past_due_minor: int
    days_past_due: int
    minimum_due_minor: int
    due_date: date | None
    collector_name: str = ""


def account_facts(account_ids: Iterable[int]) -> dict[int, AccountFacts]:
    """What the merge fields need for many accounts, in three queries.

    Balances come from the position of the last nightly cycle, so ``payoff_today`` is the
    balance the cycle computed last night (interest accrued through that night).
    """
    ids = list(account_ids)
    positions = {
        row[0]: row[1:]
        for row in AccountPosition.objects.filter(account_id__in=ids).values_list(
            "account_id", "principal_minor", "interest_minor", "fees_minor", "past_due_minor",
            "days_past_due",
        )
    }
    statements: dict[int, tuple] = {}
    for account_id, minimum, due in (
        Statement.objects.filter(account_id__in=ids)
        .order_by("account_id", "cycle_date")
        .values_list("account_id", "minimum_due_minor", "due_date")
    ):
        statements[account_id] = (minimum, due)
    facts = {}
    for account_id, external_id, name, language, currency in Account.objects.filter(
        pk__in=ids
    ).values_list(
        "pk", "external_id", "cardholder__name", "cardholder__language", "product__currency"
    ):
        principal, interest, fees, past_due, dpd = positions.get(account_id, (0, 0, 0, 0, 0))
        minimum, due = statements.get(account_id, (0, None))
        facts[account_id] = AccountFacts(
            account_id=account_id, external_id=external_id, name=name,
            language=language or DEFAULT_LANGUAGE, currency=currency,
            balance_minor=principal + interest + fees, past_due_minor=past_due,
            days_past_due=dpd, minimum_due_minor=minimum, due_date=due,
        )
    return facts


def context_from_facts(facts: AccountFacts, language: str, today: date,
                       link: str = "") -> dict:
    """The merge fields of one account; ``link`` is its personal self-service link (the
    portal's front page when none was issued, e.g. for a preview)."""
    from django.conf import settings

    last4, card = mask_card(facts.external_id)
    department = {"zh-hans": "信用卡中心", "en": "Card Services"}
    return {
        "name": facts.name,
        "card_last4": last4,
        "card_number": card,
        "balance": format_money(facts.balance_minor, facts.currency, language),
        "minimum_due": format_money(facts.minimum_due_minor, facts.currency, language),
        "past_due": format_money(facts.past_due_minor, facts.currency, language),
        "due_date": format_date(facts.due_date, language),
        "days_past_due": str(facts.days_past_due),
        "payoff_today": format_money(facts.balance_minor, facts.currency, language),
        "self_service_link": link or self_service_entry(),
        "bank_name": bank_name(language),
        "bank_phone": getattr(settings, "ARREARS_BANK_PHONE", "95588"),
        "collector_name": facts.collector_name or department.get(language, department["en"]),
        "today": format_date(today, language),
    }


def contexts_for(account_ids: Iterable[int], *, today: date | None = None) -> dict[int, dict]:
    """Merge fields of many accounts, each in its cardholder's language."""
    today = today or timezone.localdate()
    return {
        account_id: context_from_facts(facts, facts.language, today)
        for account_id, facts in account_facts(account_ids).items()
    }


def template_context_for(account: Account, language: str | None = None, *,
                         issue_link: bool = False) -> dict:
    """Merge fields of one account (name, masked card, amounts, due date, payoff, link).
    ``issue_link``: a personal self-service link for a message that goes out (a preview shows
    the portal's front page and stores nothing)."""
    facts = account_facts([account.pk])[account.pk]
    link = self_service_links([account.pk])[account.pk] if issue_link else ""
    return context_from_facts(facts, language or facts.language, timezone.localdate(), link)


def uses_link(template: Template) -> bool:
    """Does the template print a self-service link (only then is one issued)?"""
    return "self_service_link" in f"{template.subject}{template.body}"


# --- the outbox -----------------------------------------------------------------------------


def recipient_for(account: Account, channel: str) -> ContactPoint | None:
    return contact_point_best(account, RECIPIENT_KINDS.get(channel, ()))


def outbox_enqueue(
    account: Account, *, channel: str, template_code: str, purpose: str = "collection",
    language: str | None = None, not_before: datetime | None = None, idempotency_key: str,
    extra: dict | None = None, recipient: str | None = None,
) -> OutboxMessage:
    """Write one message to the outbox, rendered now; a second call with the key returns the first.

    ``recipient`` overrides the cardholder's contact point of the channel (e.g. an e-mail
    address given on the phone). ``extra`` may carry merge fields (``collector_name``) and data
    for the adapter. With no address to send to, the message is kept as "undeliverable".
    """
    existing = OutboxMessage.objects.filter(idempotency_key=idempotency_key).first()
    if existing:
        return existing
    language = language or account.cardholder.language or DEFAULT_LANGUAGE
    template = template_active(template_code, language)
    if template is None:
        raise TemplateRenderError(_("no active template %(code)s") % {"code": template_code})
    context = template_context_for(account, language, issue_link=uses_link(template))
    context.update({k: str(v) for k, v in (extra or {}).items()
                    if k in context or k in SECRET_FIELDS})
    extra = {k: v for k, v in (extra or {}).items() if k not in SECRET_FIELDS}
    rendered = render_template(template, context)
    point = None if recipient else recipient_for(account, channel)
    address = recipient or (point.value if point else "")
    now = timezone.now()
    message, _created = OutboxMessage.objects.get_or_create(
        idempotency_key=idempotency_key,
        defaults={
            "account": account, "channel": channel, "purpose": purpose,
            "template_code": template_code, "template_version": rendered.version,
            "language": template.language, "contact_point": point, "recipient": address,
            "subject": rendered.subject, "body": rendered.body, "extra": extra or {},
            "not_before": not_before, "next_attempt_at": max(not_before or now, now),
            **_undeliverable(address, channel),
        },
    )
    return message


def reminder_enqueue(account: Account, *, channel: str, template_code: str, purpose: str,
                     idempotency_key: str, extra: dict) -> None:
    """The arrangements' reminder sender (registered in ``ChannelsConfig.ready``)."""
    try:
        outbox_enqueue(account, channel=channel, template_code=template_code, purpose=purpose,
                       idempotency_key=idempotency_key, extra=extra)
    except TemplateRenderError as error:
        raise ReminderNotQueued(str(error)) from error


def _undeliverable(address: str, channel: str) -> dict:
    if address:
        return {}
    return {
        "status": OutboxMessage.Status.UNDELIVERABLE,
        "last_error": _("no contact point for %(channel)s") % {"channel": channel},
    }


@dataclass
class _Templates:
    """Active templates loaded once for a bulk fill: (code, language) → Template."""

    by_key: dict

    @classmethod
    def load(cls) -> "_Templates":
        return cls({(t.code, t.language): t for t in Template.objects.filter(active=True)})

    @property
    def with_link(self) -> set[str]:
        """Codes of which a version prints the self-service link."""
        return {code for (code, _language), t in self.by_key.items() if uses_link(t)}

    def get(self, code: str, language: str) -> Template | None:
        return self.by_key.get((code, language)) or self.by_key.get((code, DEFAULT_LANGUAGE))


def _contact_points_for(account_ids: list[int]) -> dict[tuple[int, str], ContactPoint]:
    """Best contact point per (account, channel) for many accounts."""
    holders = dict(Account.objects.filter(pk__in=account_ids).values_list("pk", "cardholder_id"))
    kinds = {k for ks in RECIPIENT_KINDS.values() for k in ks}
    by_holder: dict[int, dict[str, ContactPoint]] = {}
    for point in ContactPoint.objects.filter(
        cardholder_id__in=set(holders.values()), kind__in=kinds
    ).order_by("verified", "pk").only("id", "cardholder_id", "kind", "value", "verified"):
        by_holder.setdefault(point.cardholder_id, {})[point.kind] = point
    best = {}
    for account_id, holder in holders.items():
        points = by_holder.get(holder, {})
        for channel, channel_kinds in RECIPIENT_KINDS.items():
            for kind in channel_kinds:
                if kind in points:
                    best[(account_id, channel)] = points[kind]
                    break
    return best


@transaction.atomic
def outbox_fill_for_run(run, *, collector_names: dict[int, str] | None = None,
                        batch_size: int = 2000) -> int:
    """Write the messages and tasks of a published decision run's treatments; returns how many
    are new.

    Keys are ``decision:<date>:<account>:<treatment>``: filling a run twice, or the run of a
    date that was decided again (a new run replaces the old one), adds nothing, and one
    transaction writes them all (a crash leaves none). ``collector_names`` (account id → the
    name of the collector whose queue holds it, for the ``collector_name`` merge field) comes
    from the workbench's queues of the run; the night's outbox step passes it.
    """
    decisions = list(
        Decision.objects.filter(run=run, treatment__in=TREATMENT_CHANNELS.keys()).values_list(
            "account_id", "treatment", "template"
        )
    )
    if not decisions:
        return 0
    account_ids = [d[0] for d in decisions]
    templates = _Templates.load()
    today = run.as_of
    now = timezone.now()
    collectors = collector_names or {}
    created = 0
    for start in range(0, len(decisions), batch_size):
        chunk = decisions[start : start + batch_size]
        ids = account_ids[start : start + batch_size]
        facts = account_facts(ids)
        points = _contact_points_for(ids)
        links = self_service_links([
            account_id for account_id, treatment, code in chunk
            if (code or TREATMENT_CHANNELS[treatment][1]) in templates.with_link])
        rows = []
        for account_id, treatment, template_code in chunk:
            channel, default_code = TREATMENT_CHANNELS[treatment]
            rows.append(
                _message_for_decision(
                    run, facts[account_id], treatment, channel, template_code or default_code,
                    points.get((account_id, channel)), templates, today, now,
                    collectors.get(account_id, ""), links.get(account_id, ""),
                )
            )
        keys = [row.idempotency_key for row in rows]
        existing = set(
            OutboxMessage.objects.filter(idempotency_key__in=keys).values_list(
                "idempotency_key", flat=True)
        )
        new = [row for row in rows if row.idempotency_key not in existing]
        OutboxMessage.objects.bulk_create(new, ignore_conflicts=True)
        created += len(new)
    return created


def _message_for_decision(
    run, facts: AccountFacts, treatment: str, channel: str, code: str, point, templates,
    today: date, now: datetime, collector_name: str, link: str = "",
) -> OutboxMessage:
    key = f"decision:{run.as_of:%Y-%m-%d}:{facts.account_id}:{treatment}"
    template = templates.get(code, facts.language)
    message = OutboxMessage(
        idempotency_key=key, account_id=facts.account_id, channel=channel,
        purpose=OutboxMessage.Purpose.COLLECTION, template_code=code,
        language=facts.language, contact_point=point, recipient=point.value if point else "",
        extra={"run": run.pk, "treatment": treatment}, next_attempt_at=now,
    )
    if template is None:
        message.status = OutboxMessage.Status.FAILED
        message.last_error = _("no active template %(code)s") % {"code": code}
        return message
    context = context_from_facts(
        AccountFacts(**{**facts.__dict__, "collector_name": collector_name}),
        template.language, today, link,
    )
    try:
        rendered = render_template(template, context)
    except TemplateRenderError as error:
        message.status = OutboxMessage.Status.FAILED
        message.last_error = str(error)[:500]
        return message
    message.language = template.language
    message.template_version = rendered.version
    message.subject, message.body = rendered.subject, rendered.body
    for field, value in _undeliverable(message.recipient, channel).items():
        setattr(message, field, value)
    return message
