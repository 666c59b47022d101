"""Writes for the work queues and the workbench: publishing a night's queues, the demo teams,
notes, outcomes and re-assignments."""

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pyarrow as pa
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, Permission, User
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from arrears.access.policy import require_work
from arrears.arrangements.services import ArrangementError, promise_take
from arrears.audit.services import audit_record
from arrears.batch.models import Decision, DecisionRun
from arrears.compliance.content import content_findings
from arrears.compliance.models import GateCheck
from arrears.compliance.services import contact_record, hold_place
from arrears.dialer.services import skip_trace_task_create
from arrears.portfolio.masking import pii_scrub
from arrears.portfolio.models import Account, ContactPoint, ThirdPartyContact
from arrears.users.services import role_groups_ensure, user_create_for_role
from arrears.workbench.compile import QUEUE_COLUMNS
from arrears.workbench.models import (
    AccountWork,
    Channel,
    Collector,
    Note,
    Outcome,
    OutcomeKind,
    QueueEntry,
    Team,
)
from arrears.workbench.outcomes import OUTCOME_EFFECTS, next_action_default

PUBLISH_BATCH = 5000
_ENTRY_COLUMNS = (
    "run_id",
    "account_id",
    "team_id",
    "collector_id",
    "rank",
    "expected_recovery_minor",
    "treatment",
    "priority",
)

Assignments = pa.Table | pa.RecordBatchReader | Iterable[Mapping]


def _assignment_rows(assignments: Assignments) -> Iterator[dict]:
    if isinstance(assignments, pa.Table | pa.RecordBatchReader):
        batches = assignments.to_batches() if isinstance(assignments, pa.Table) else assignments
        for batch in batches:
            yield from batch.to_pylist()
    else:
        yield from assignments


def queues_publish(*, run: DecisionRun, assignments: Assignments) -> int:
    """Replace ``run``'s queue entries by ``assignments`` (rows of ``compile.QUEUE_COLUMNS``).

    Accepts a pyarrow table or record-batch reader (e.g. ``con.to_pyarrow_batches(queue)``)
    or any iterable of mappings. Written in bulk (COPY on PostgreSQL); returns the row count.
    """

    def entry_values(row: Mapping) -> tuple:
        missing = [name for name in QUEUE_COLUMNS if name not in row]
        if missing:
            raise ValueError(f"A queue assignment lacks the column(s): {', '.join(missing)}.")
        return (
            run.pk,
            row["account_id"],
            row["team_id"],
            row["collector_id"],
            row["queue_rank"],
            row["expected_recovery_minor"],
            row["treatment"],
            row["priority"],
        )

    rows = (entry_values(row) for row in _assignment_rows(assignments))
    written = 0
    with transaction.atomic():
        QueueEntry.objects.filter(run=run).delete()
        if connection.vendor == "postgresql":
            table = connection.ops.quote_name(QueueEntry._meta.db_table)
            columns = ", ".join(_ENTRY_COLUMNS)
            with connection.cursor() as cursor:
                with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    for values in rows:
                        copy.write_row(values)
                        written += 1
            return written
        chunk = []
        for values in rows:
            chunk.append(QueueEntry(**dict(zip(_ENTRY_COLUMNS, values, strict=True))))
            if len(chunk) == PUBLISH_BATCH:
                written += len(QueueEntry.objects.bulk_create(chunk))
                chunk = []
        written += len(QueueEntry.objects.bulk_create(chunk))
    return written


WORKBENCH_EDITORS = ("team_lead", "administrator")
_EDIT_PERMISSIONS = (
    "add_team",
    "change_team",
    "delete_team",
    "view_team",
    "add_collector",
    "change_collector",
    "delete_collector",
    "view_collector",
    "view_queueentry",
)


def workbench_permissions_grant() -> None:
    """Team leads and administrators may edit teams and collectors and read the queues."""
    permissions = Permission.objects.filter(
        content_type__app_label="workbench", codename__in=_EDIT_PERMISSIONS
    )
    for group in Group.objects.filter(name__in=WORKBENCH_EDITORS):
        group.permissions.add(*permissions)


# (code, name, channel, routing order, buckets); languages and regions: all. The code names
# the team in each language (workbench.labels.TEAM_LABELS); the name is the English one.
DEMO_TEAMS = (
    ("demo-early-calls", "Early-stage calls M1-M2", Channel.CALL, 10, "M1,M2"),
    ("demo-call-centre", "Call centre", Channel.CALL, 20, ""),
    ("demo-field-visits", "Field visits", Channel.FIELD_VISIT, 10, ""),
)
# (username, team code, daily capacity, languages, buckets)
DEMO_COLLECTORS = (
    ("collector", "demo-early-calls", 60, "", "M1,M2"),
    ("collector_en", "demo-early-calls", 30, "en", ""),
    ("collector_late", "demo-call-centre", 50, "", ""),
    ("field_agent", "demo-field-visits", 8, "", ""),
    ("field_agent_2", "demo-field-visits", 8, "", ""),
)

# The demo's team lead sits in the phone teams without accounts of their own (capacity 0), so
# that they see and re-assign those teams' queues, and leads the field team, whose visits they
# staff and approve (two collectors a visit, CN-17); field agents see personal data as M0.
DEMO_TEAM_LEAD = "team_lead"
DEMO_LED_TEAMS = ("demo-early-calls", "demo-call-centre", "demo-field-visits")
DEMO_FIELD_AGENTS = ("field_agent", "field_agent_2")


@transaction.atomic
def teams_ensure_demo(*, password: str) -> list[str]:
    """The demo's teams and collectors; creates the collector users it needs (role collector,
    ``password``) and returns their usernames. A second run changes nothing."""
    role_groups_ensure()
    workbench_permissions_grant()
    teams = {}
    for code, name, channel, routing_order, buckets in DEMO_TEAMS:
        teams[code], _ = Team.objects.get_or_create(
            code=code,
            defaults={"name": name, "channel": channel, "routing_order": routing_order,
                      "buckets": buckets},
        )
    created = []
    password_hash = None
    for username, team_code, capacity, languages, buckets in DEMO_COLLECTORS:
        user = User.objects.filter(username=username).first()
        if user is None:
            role = "field_agent" if username in DEMO_FIELD_AGENTS else "collector"
            password_hash = password_hash or make_password(password)
            user = user_create_for_role(username=username, role=role,
                                        password_hash=password_hash)
            created.append(username)
        Collector.objects.get_or_create(
            user=user,
            team=teams[team_code],
            defaults={"daily_capacity": capacity, "languages": languages, "buckets": buckets},
        )
    lead = User.objects.filter(username=DEMO_TEAM_LEAD).first()
    for team_code in DEMO_LED_TEAMS if lead else ():
        Collector.objects.get_or_create(user=lead, team=teams[team_code],
                                        defaults={"daily_capacity": 0})
    return created


class WorkRejected(Exception):
    """An outcome, note or re-assignment that cannot be recorded; the message says why."""


@dataclass(frozen=True)
class PromiseTerms:
    amount_minor: int
    due_date: date


def account_today(account: Account) -> date:
    """Today in the cardholder's time zone (the product's when the cardholder has none)."""
    zone = account.cardholder.time_zone or account.product.time_zone
    return timezone.now().astimezone(ZoneInfo(zone)).date()


def _scrubbed(text: str, language: str) -> tuple[str, list[dict]]:
    """``text`` with personal data removed, and what was removed or flagged (forbidden words)."""
    clean, scrubbed = pii_scrub(text)
    findings = [{"kind": "pii", "detail": str(item)} for item in scrubbed]
    findings += [
        {"kind": "content", "word": f.word, "category": f.category, "rule_id": f.rule_id}
        for f in content_findings(clean, language)
    ]
    return clean, findings


def note_add(account: Account, *, text: str, actor, language: str = "") -> Note:
    """Store a note on ``account``; personal data in it is scrubbed first, and forbidden words
    are kept in ``findings`` so that the screen can warn the collector."""
    require_work(actor, account)
    text = text.strip()
    if not text:
        raise WorkRejected(_("A note needs some text."))
    clean, findings = _scrubbed(text, language or account.cardholder.language)
    with transaction.atomic():
        note = Note.objects.create(account=account, author=actor, text=clean, findings=findings)
        audit_record(
            actor=actor,
            action="note_add",
            object_type="workbench.Note",
            object_id=note.pk,
            details={"account": account.pk, "findings": len(findings)},
        )
    return note


def _counterparty(kind: str, third_party: ThirdPartyContact | None) -> str:
    if kind != OutcomeKind.THIRD_PARTY:
        return "debtor"
    if third_party is not None and third_party.relation == ThirdPartyContact.Relation.EMERGENCY:
        return "emergency_contact"
    return "third_party"


def _outcome_check(
    account: Account,
    kind: str,
    contact_point: ContactPoint | None,
    third_party: ThirdPartyContact | None,
    promise: PromiseTerms | None,
) -> None:
    if kind not in OUTCOME_EFFECTS:
        raise WorkRejected(_("Unknown outcome %(kind)s.") % {"kind": kind})
    if contact_point is not None and contact_point.cardholder_id != account.cardholder_id:
        raise WorkRejected(_("That contact point belongs to another cardholder."))
    if third_party is not None and third_party.cardholder_id != account.cardholder_id:
        raise WorkRejected(_("That third-party contact belongs to another cardholder."))
    if kind == OutcomeKind.PROMISE:
        if promise is None or promise.amount_minor <= 0:
            raise WorkRejected(_("A promise to pay needs an amount above zero."))
        if promise.due_date < account_today(account):
            raise WorkRejected(_("A promise to pay cannot fall due in the past."))


def _gate_check_check(account: Account, check_id: int | None) -> None:
    """The compliance check an outcome cites must be one asked for a call on this account:
    the attempt takes its purpose, and another account's check, or an SMS reminder's (not
    counted by the frequency rules), would make the call count as something it was not."""
    if check_id is None:
        return
    if not (1 <= check_id < 2**63 and GateCheck.objects.filter(
            pk=check_id, account=account, channel="call").exists()):
        raise WorkRejected(_("That compliance check was not asked for a call on this "
                             "account; press Call again."))


def _next_action_check(account: Account, next_action_on: date | None) -> None:
    """A next action is planned from today up to ``ARREARS_NEXT_ACTION_MAX_DAYS`` ahead."""
    if next_action_on is None:
        return
    today = account_today(account)
    last = today + timedelta(days=getattr(settings, "ARREARS_NEXT_ACTION_MAX_DAYS", 366))
    if not today <= next_action_on <= last:
        raise WorkRejected(_("The next action must fall between today (%(today)s) and "
                             "%(last)s.") % {"today": today, "last": last})


def outcome_record(
    account: Account,
    *,
    outcome: str,
    actor,
    contact_point: ContactPoint | None = None,
    third_party: ThirdPartyContact | None = None,
    promise: PromiseTerms | None = None,
    note: str = "",
    next_action_on: date | None = None,
    check_id: int | None = None,
) -> Outcome:
    """Record what came of working ``account`` and set in motion what it means.

    The contact ledger gets the attempt (the compliance counters), a promise becomes a
    ``Promise`` (with its hold), a dispute, hardship, request to stop contact or complaint a
    compliance hold, a wrong or dead number a skip-trace task; the account's next action date is
    the one given or the outcome's default. All of it or nothing is written.
    """
    require_work(actor, account)
    _outcome_check(account, outcome, contact_point, third_party, promise)
    _next_action_check(account, next_action_on)
    _gate_check_check(account, check_id)
    effect = OUTCOME_EFFECTS[outcome]
    today = account_today(account)
    next_on = next_action_on or next_action_default(
        outcome, today, promise.due_date if promise else None
    )
    clean_note, _findings = _scrubbed(note, account.cardholder.language) if note else ("", [])
    with transaction.atomic():
        attempt = contact_record(
            account,
            channel="call",
            outcome=effect.contact_outcome,
            counterparty=_counterparty(outcome, third_party),
            contact_point=contact_point,
            third_party=third_party,
            check_id=check_id,
            actor=actor,
            note=clean_note,
        )
        taken = None
        if promise is not None and outcome == OutcomeKind.PROMISE:
            try:
                taken = promise_take(
                    account,
                    amount_minor=promise.amount_minor,
                    due_date=promise.due_date,
                    actor=actor,
                    note=clean_note,
                )
            except ArrangementError as error:
                raise WorkRejected(error.message) from None
        if effect.hold:
            hold_place(account, effect.hold, actor=actor, note=clean_note,
                       reference=f"outcome:{outcome}")
        task = None
        if effect.skip_trace:
            task = skip_trace_task_create(
                account, contact_point=contact_point, reason=outcome, actor=actor
            )
        recorded = Outcome.objects.create(
            account=account,
            actor=actor,
            kind=outcome,
            contact_point=contact_point,
            third_party=third_party,
            note=clean_note,
            next_action_on=next_on,
            contact_attempt_id=attempt.pk,
            promise_id=taken.pk if taken else None,
            skip_trace_task_id=task.pk if task else None,
            gate_check_id=check_id,
            holds=effect.hold,
        )
        AccountWork.objects.update_or_create(
            account=account,
            defaults={
                "last_outcome": outcome,
                "last_outcome_at": recorded.created_at,
                "next_action_on": next_on,
            },
        )
        audit_record(
            actor=actor,
            action="outcome_record",
            object_type="workbench.Outcome",
            object_id=recorded.pk,
            details={
                "account": account.pk,
                "outcome": outcome,
                "next_action_on": next_on.isoformat() if next_on else None,
                "hold": effect.hold,
                "promise": taken.pk if taken else None,
                "skip_trace_task": task.pk if task else None,
            },
        )
    return recorded


def queue_entries_reassign(
    *,
    team: Team,
    to_collector: Collector,
    actor,
    account_id: int | None = None,
    bucket: str = "",
    from_collector: Collector | None = None,
    segment: str = "",
) -> int:
    """Move one account (``account_id``) or every entry of ``team``'s latest queue matching the
    filters (bucket, current collector, segment) to ``to_collector``; returns how many moved.

    The new collector must hold an active seat in the same team; the move is audited.
    """
    from arrears.workbench.selectors import decision_run_latest

    if to_collector.team_id != team.pk or not to_collector.active:
        raise WorkRejected(_("Accounts can only move to an active collector of the same team."))
    run = decision_run_latest()
    if run is None:
        raise WorkRejected(_("No decision run yet: there is no queue to re-assign."))
    entries = QueueEntry.objects.filter(run=run, team=team).exclude(collector=to_collector)
    if account_id is not None:
        entries = entries.filter(account_id=account_id)
    else:
        if bucket:
            entries = entries.filter(account__position__bucket=bucket)
        if from_collector is not None:
            entries = entries.filter(collector=from_collector)
        if segment:
            entries = entries.filter(
                account_id__in=Decision.objects.filter(run=run, segment=segment).values(
                    "account_id"
                )
            )
    with transaction.atomic():
        account_ids = list(entries.values_list("account_id", flat=True))
        moved = QueueEntry.objects.filter(run=run, account_id__in=account_ids).update(
            collector=to_collector
        )
        audit_record(
            actor=actor,
            action="queue_reassign",
            object_type="workbench.Team",
            object_id=team.pk,
            details={
                "run": run.pk,
                "to_collector": to_collector.pk,
                "accounts": len(account_ids),
                "filters": {
                    "account": account_id,
                    "bucket": bucket,
                    "from_collector": from_collector.pk if from_collector else None,
                    "segment": segment,
                },
            },
        )
    return moved
