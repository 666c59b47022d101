"""Services of the dialer app: tasks for calls, field visits and skip tracing."""

import csv
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import phonenumbers
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from tqdm import tqdm

from arrears.access.policy import require_work
from arrears.audit.services import audit_record
from arrears.compliance.services import contact_record, gate_ask
from arrears.dialer.models import CallResult, CallTask, SkipTraceTask, VisitTask
from arrears.imports.readers import FileRejected, csv_records
from arrears.portfolio.masking import mask_phone, pii_scrub
from arrears.portfolio.models import ADDRESS_KINDS, PHONE_KINDS, Account, ContactPoint
from arrears.portfolio.selectors import contact_point_best

_REASONS = frozenset(SkipTraceTask.Reason.values)


def skip_trace_task_create(
    account: Account,
    *,
    contact_point: ContactPoint | None,
    reason: str,
    actor=None,
    note: str = "",
) -> SkipTraceTask:
    """Open a task to find a new way to reach the cardholder, because ``contact_point`` turned
    out dead or wrong. An open task for the same account, contact point and reason is reused,
    so repeated failed calls to one number make one task, not many."""
    if reason not in _REASONS:
        raise ValueError(f"unknown skip-trace reason {reason!r}; use one of {sorted(_REASONS)}")
    with transaction.atomic():
        task, created = SkipTraceTask.objects.get_or_create(
            account=account,
            contact_point=contact_point,
            reason=reason,
            status=SkipTraceTask.Status.OPEN,
            defaults={"created_by": actor if getattr(actor, "pk", None) else None, "note": note},
        )
        if created:
            audit_record(
                actor=actor,
                action="skip_trace_task_create",
                object_type="dialer.SkipTraceTask",
                object_id=task.pk,
                details={
                    "account": account.pk,
                    "contact_point": getattr(contact_point, "pk", None),
                    "reason": reason,
                },
            )
    return task


# --- call tasks -----------------------------------------------------------------------------

DEAD_NUMBER_RESULTS = {"wrong_number": "wrong_number", "disconnected": "disconnected"}


class DialerError(Exception):
    """A call or visit task cannot be made or changed; the message says why."""


def phone_e164(value: str) -> str:
    """The number in E.164 (+8613812345678); numbers without a country code are read in
    ``settings.ARREARS_DEFAULT_REGION`` (default CN)."""
    region = getattr(settings, "ARREARS_DEFAULT_REGION", "CN")
    try:
        number = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_possible_number(number):
        raise DialerError(_("%(value)r is not a phone number") % {"value": mask_phone(value)})
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)




def call_task_create(
    account: Account,
    *,
    contact_point: ContactPoint | None = None,
    priority: int = 50,
    script_code: str = "",
    due_from: datetime | None = None,
    due_until: datetime | None = None,
    outbox_key: str | None = None,
    actor=None,
) -> CallTask:
    """Queue a call. The same outbox key gives the same task back (a retried send never queues
    a second call). Due for ``ARREARS_CALL_TASK_DAYS`` days (default 2) unless told."""
    if outbox_key:
        existing = CallTask.objects.filter(outbox_key=outbox_key).first()
        if existing:
            return existing
    point = contact_point or contact_point_best(account, PHONE_KINDS)
    if point is None or point.kind not in PHONE_KINDS:
        raise DialerError(
            _("account %(account)s has no phone number to call") % {"account": account.external_id}
        )
    start = due_from or timezone.now()
    days = int(getattr(settings, "ARREARS_CALL_TASK_DAYS", 2))
    with transaction.atomic():
        task = CallTask.objects.create(
            account=account,
            contact_point=point,
            phone=phone_e164(point.value),
            priority=priority,
            script_code=script_code,
            due_from=start,
            due_until=due_until or start + timedelta(days=days),
            outbox_key=outbox_key,
        )
        audit_record(
            actor=actor,
            action="call_task_create",
            object_type="dialer.CallTask",
            object_id=task.pk,
            details={"account": account.pk, "key": outbox_key},
        )
    return task


EXPORT_COLUMNS = [
    "task_id",
    "account",
    "phone",
    "window_start",
    "window_end",
    "time_zone",
    "priority",
    "script",
]


@dataclass
class ExportReport:
    batch_id: str
    exported: int = 0
    delayed: int = 0
    blocked: int = 0
    expired: int = 0


def call_window(now: datetime, time_zones: Iterable[str]) -> tuple[datetime, datetime, str]:
    """The stretch of today the dialer may call in: from now until the end of the calling day
    (``ARREARS_DIALER_DAY_END``, default "21:00", lawful under every shipped rule pack) in the
    debtor's local time; with several candidate zones, until the earliest end among them."""
    zones = [z for z in time_zones if z] or [getattr(settings, "TIME_ZONE", "Asia/Shanghai")]
    hour, minute = (
        int(part) for part in getattr(settings, "ARREARS_DIALER_DAY_END", "21:00").split(":")
    )
    ends = []
    for name in zones:
        local_now = now.astimezone(ZoneInfo(name))
        ends.append(local_now.replace(hour=hour, minute=minute, second=0, microsecond=0))
    first = ZoneInfo(zones[0])
    return now.astimezone(first), min(ends).astimezone(first), zones[0]


def _exportable(now: datetime, limit: int | None):
    tasks = (
        CallTask.objects.filter(status=CallTask.Status.QUEUED, due_from__lte=now)
        .filter(Q(not_before__isnull=True) | Q(not_before__lte=now))
        .select_related("account", "contact_point")
        .order_by("priority", "due_from", "pk")
    )
    return tasks[:limit] if limit else tasks


def call_tasks_export(
    path: Path, *, limit: int | None = None, now: datetime | None = None, progress: bool = False
) -> ExportReport:
    """Write the calls the dialer may make now to ``path`` (CSV). Every due task asks the gate
    first (reference "call:<id>"): allowed ones are exported, delayed ones keep the gate's
    not_before and wait, blocked ones are marked blocked; tasks past their due window are
    cancelled. The file is written whole or not at all."""
    now = now or timezone.now()
    report = ExportReport(batch_id=f"{now:%Y%m%d%H%M%S}-{uuid.uuid4().hex[:6]}")
    CallTask.objects.filter(status=CallTask.Status.QUEUED, due_until__lt=now).update(
        status=CallTask.Status.CANCELLED
    )
    rows = []
    tasks = list(_exportable(now, limit))
    for task in tqdm(tasks, unit="call", desc=_("Asking the gate"), disable=not progress):
        answer = gate_ask(
            task.account,
            channel="call",
            at=now,
            contact_point=task.contact_point,
            reference=f"call:{task.pk}",
        )
        task.gate_answer_store(answer)
        if answer.verdict == "allow":
            start, end, zone = call_window(now, answer.time_zones)
            rows.append(
                [
                    task.pk,
                    task.account.external_id,
                    task.phone,
                    start.isoformat(),
                    end.isoformat(),
                    zone,
                    task.priority,
                    task.script_code,
                ]
            )
            task.status, task.exported_at, task.batch_id = "exported", now, report.batch_id
            report.exported += 1
        elif answer.verdict == "delay":
            task.not_before = answer.not_before
            report.delayed += 1
        else:
            task.status = CallTask.Status.BLOCKED
            report.blocked += 1
    _write_atomically(path, EXPORT_COLUMNS, rows)
    CallTask.objects.bulk_update(
        tasks,
        [
            "status",
            "exported_at",
            "batch_id",
            "not_before",
            "gate_check_id",
            "gate_verdict",
            "gate_rule_ids",
        ],
    )
    return report


def _write_atomically(path: Path, columns: list[str], rows: list[list]) -> None:
    path = Path(path)
    partial = path.with_name(path.name + ".part")
    try:
        with open(partial, "w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(columns)
            writer.writerows(rows)
        partial.replace(path)
    except OSError as error:
        partial.unlink(missing_ok=True)
        raise DialerError(
            _("cannot write %(path)s: %(error)s") % {"path": path, "error": error}
        ) from None


# --- call results ---------------------------------------------------------------------------

RESULT_COLUMNS = ["task_id", "started_at", "result", "duration_seconds", "recording_ref", "agent"]
COUNTERPARTY_FOR_RESULT = {"third_party": "third_party"}


@dataclass
class ImportReport:
    imported: int = 0
    already: int = 0
    skipped: list[tuple[int, str]] = field(default_factory=list)
    skip_traces: int = 0


@dataclass
class ResultsImportError(DialerError):
    """Nothing imported; ``errors`` lists (line, message) for every bad row."""

    errors: list[tuple[int, str]] = field(default_factory=list)

    def __str__(self) -> str:
        return "\n".join(
            _("line %(line)d: %(message)s") % {"line": n, "message": m} for n, m in self.errors
        )


@dataclass(frozen=True)
class ParsedResult:
    line: int
    task: CallTask
    started_at: datetime
    result: str
    duration_seconds: int
    recording_ref: str
    agent: str


def _parse_result_row(line: int, row: dict, tasks: dict[int, CallTask]) -> ParsedResult | str:
    """A row of the results file, or the message that says what is wrong with it."""
    task_id = (row.get("task_id") or "").strip()
    task = tasks.get(int(task_id)) if task_id.isdigit() else None
    if task is None:
        return _("no call task with id %(id)r") % {"id": task_id}
    try:
        started_at = datetime.fromisoformat((row.get("started_at") or "").strip())
    except ValueError:
        started_at = None
    if started_at is None or started_at.tzinfo is None:
        return _(
            "started_at %(text)r is not an ISO time with an offset, e.g. 2026-11-23T10:15:00+08:00"
        ) % {"text": row.get("started_at")}
    result = (row.get("result") or "").strip()
    if result not in CallResult.Result.values:
        return _("result %(text)r is not one of %(choices)s") % {
            "text": result,
            "choices": ", ".join(CallResult.Result.values),
        }
    duration = (row.get("duration_seconds") or "0").strip()
    if not duration.isdigit():
        return _("duration_seconds %(text)r is not a whole number of seconds") % {"text": duration}
    return ParsedResult(
        line,
        task,
        started_at,
        result,
        int(duration),
        (row.get("recording_ref") or "").strip()[:300],
        (row.get("agent") or "").strip()[:100],
    )


def _read_results(path: Path) -> list[tuple[int, dict]]:
    try:
        return csv_records(path, RESULT_COLUMNS[:3])
    except FileRejected as rejected:
        raise ResultsImportError(errors=[(rejected.line, rejected.reason)]) from None
    except OSError as error:
        raise DialerError(
            _("cannot read %(path)s: %(error)s") % {"path": path, "error": error}
        ) from None


def call_results_import(path: Path, *, skip_bad_rows: bool = False, actor=None) -> ImportReport:
    """Record the dialer's results: each new call goes to the contact ledger
    (``contact_record``) with its recording reference; a wrong or disconnected number opens a
    skip-trace task. All or nothing unless ``skip_bad_rows``; a call already imported (same
    task and start time) is skipped, so a file can be imported again safely."""
    rows = _read_results(path)
    ids = {int(r["task_id"]) for _n, r in rows if (r.get("task_id") or "").strip().isdigit()}
    tasks = CallTask.objects.select_related("account", "contact_point").in_bulk(ids)
    report, parsed = ImportReport(), []
    for line, row in rows:
        outcome = _parse_result_row(line, row, tasks)
        if isinstance(outcome, str):
            report.skipped.append((line, outcome))
        else:
            parsed.append(outcome)
    if report.skipped and not skip_bad_rows:
        raise ResultsImportError(errors=report.skipped)
    with transaction.atomic():
        for item in parsed:
            _result_record(item, report, actor)
    return report


def _result_record(item: ParsedResult, report: ImportReport, actor) -> None:
    task = item.task
    if CallResult.objects.filter(task=task, started_at=item.started_at).exists():
        report.already += 1
        return
    note = _("call of %(seconds)ds by %(agent)s; recording %(recording)s") % {
        "seconds": item.duration_seconds,
        "agent": item.agent or "-",
        "recording": item.recording_ref or "-",
    }
    attempt = contact_record(
        task.account,
        channel="call",
        outcome=item.result,
        counterparty=COUNTERPARTY_FOR_RESULT.get(item.result, "debtor"),
        at=item.started_at,
        contact_point=task.contact_point,
        check_id=task.gate_check_id,
        actor=actor,
        note=note,
    )
    CallResult.objects.create(
        task=task,
        started_at=item.started_at,
        result=item.result,
        duration_seconds=item.duration_seconds,
        recording_ref=item.recording_ref,
        agent=item.agent,
        contact_attempt_id=getattr(attempt, "pk", None),
    )
    latest = task.results.order_by("-started_at").first()
    task.status, task.last_result = CallTask.Status.DONE, latest.result
    task.save(update_fields=["status", "last_result"])
    if item.result in DEAD_NUMBER_RESULTS:
        skip_trace_task_create(
            task.account,
            contact_point=task.contact_point,
            reason=DEAD_NUMBER_RESULTS[item.result],
            actor=actor,
        )
        report.skip_traces += 1
    report.imported += 1


# --- field visits ---------------------------------------------------------------------------

MIN_VISIT_COLLECTORS = 2
VISITED_RESULTS = {"met_debtor", "moved", "refused", "promise"}




def visit_task_create(
    account: Account,
    *,
    scheduled_for: datetime,
    collectors: Iterable = (),
    address_point: ContactPoint | None = None,
    outbox_key: str | None = None,
    actor=None,
) -> VisitTask:
    """Plan a field visit to the home (else billing) address. With collectors it is assigned
    at once (see ``visit_assign``); without, it waits for a team lead to name them. The same
    outbox key gives the same visit back."""
    if outbox_key and (existing := VisitTask.objects.filter(outbox_key=outbox_key).first()):
        return existing
    point = address_point or contact_point_best(account, ADDRESS_KINDS)
    if point is None or point.kind not in ADDRESS_KINDS:
        raise DialerError(
            _("account %(account)s has no address to visit") % {"account": account.external_id}
        )
    with transaction.atomic():
        visit = VisitTask.objects.create(
            account=account,
            address_point=point,
            address=point.value.strip(),
            scheduled_for=scheduled_for,
            outbox_key=outbox_key,
        )
        audit_record(
            actor=actor,
            action="visit_task_create",
            object_type="dialer.VisitTask",
            object_id=visit.pk,
            details={"account": account.pk, "key": outbox_key},
        )
        collectors = list(collectors)
        if collectors:
            visit_assign(visit, collectors=collectors, actor=actor)
    return visit


def visit_assign(
    visit: VisitTask, *, collectors: Iterable, scheduled_for: datetime | None = None, actor=None
) -> VisitTask:
    """Name the collectors (at least two, CN-17) and ask the gate (channel "visit") for the
    scheduled time: a blocked visit is kept as blocked with the rules that decided; an allowed
    one waits for a team lead's approval."""
    people = list({user.pk: user for user in collectors}.values())
    if len(people) < MIN_VISIT_COLLECTORS:
        raise DialerError(
            _("a field visit needs at least %(n)d collectors (CN-17)") % {"n": MIN_VISIT_COLLECTORS}
        )
    if visit.status not in (
        VisitTask.Status.UNASSIGNED,
        VisitTask.Status.BLOCKED,
        VisitTask.Status.AWAITING_APPROVAL,
    ):
        raise DialerError(
            _("this visit is %(status)s; it cannot be reassigned")
            % {"status": visit.get_status_display()}
        )
    with transaction.atomic():
        visit.scheduled_for = scheduled_for or visit.scheduled_for
        visit.collectors.set(people)
        answer = _gate_ask_visit(visit, len(people), actor)
        visit.gate_answer_store(answer)
        waits_for_approval = answer.verdict == "allow" or answer.decision == "REQUIRE_APPROVAL"
        visit.status = (VisitTask.Status.AWAITING_APPROVAL if waits_for_approval
                        else VisitTask.Status.BLOCKED)
        visit.save()
        audit_record(
            actor=actor,
            action="visit_assign",
            object_type="dialer.VisitTask",
            object_id=visit.pk,
            details={
                "collectors": [u.pk for u in people],
                "verdict": answer.verdict,
                "rules": list(answer.rule_ids),
            },
        )
    return visit


def _gate_ask_visit(visit: VisitTask, collectors: int, actor, approval_reference: str = ""):
    """The gate's answer for the visit: CN-17 counts the collectors and, until a team lead's
    approval is named, answers REQUIRE_APPROVAL (a block that only the approval lifts)."""
    return gate_ask(
        visit.account,
        channel="visit",
        at=visit.scheduled_for,
        contact_point=visit.address_point,
        actor=actor,
        reference=f"visit:{visit.pk}",
        collectors=collectors,
        approval_reference=approval_reference,
    )


def visit_approve(visit: VisitTask, *, actor) -> VisitTask:
    """A team lead approves a planned visit (CN-17: REQUIRE_APPROVAL)."""
    if not actor.has_perm("dialer.approve_visittask"):
        raise DialerError(_("only a team lead may approve a field visit"))
    require_work(actor, visit.account)
    if visit.status != VisitTask.Status.AWAITING_APPROVAL:
        raise DialerError(
            _("this visit is %(status)s, not awaiting approval")
            % {"status": visit.get_status_display()}
        )
    if visit.collectors.filter(pk=actor.pk).exists():
        raise DialerError(_("a collector on the visit cannot approve it"))
    answer = _gate_ask_visit(visit, visit.collectors.count(), actor,
                             approval_reference=f"visit-approval:{visit.pk}:{actor.pk}")
    visit.gate_answer_store(answer)
    if answer.verdict == "allow":
        visit.status, visit.approved_by = VisitTask.Status.APPROVED, actor
    else:
        visit.status = VisitTask.Status.BLOCKED
    visit.save(update_fields=["status", "approved_by", "gate_check_id", "gate_verdict",
                              "gate_rule_ids"])
    audit_record(
        actor=actor, action="visit_approve", object_type="dialer.VisitTask", object_id=visit.pk,
        details={"verdict": answer.verdict, "rules": list(answer.rule_ids)},
    )
    return visit


def visit_result_record(
    visit: VisitTask,
    *,
    result: str,
    visited_at: datetime,
    id_shown: bool,
    entry_consent: bool,
    notes: str = "",
    actor=None,
) -> VisitTask:
    """Record what happened on the visit, in the contact ledger too (outcome "visited" or
    "not_home"); a debtor who moved away opens a skip-trace task for the address."""
    require_work(actor, visit.account)
    if visit.status != VisitTask.Status.APPROVED:
        raise DialerError(
            _("only an approved visit can have a result; this one is %(status)s")
            % {"status": visit.get_status_display()}
        )
    notes, _findings = pii_scrub(notes)
    with transaction.atomic():
        contact_record(
            visit.account,
            channel="visit",
            outcome="visited" if result in VISITED_RESULTS else "not_home",
            at=visited_at,
            contact_point=visit.address_point,
            check_id=visit.gate_check_id,
            actor=actor,
            note=notes,
        )
        visit.result, visit.visited_at, visit.notes = result, visited_at, notes
        visit.id_shown, visit.entry_consent = id_shown, entry_consent
        visit.status = VisitTask.Status.DONE
        visit.save()
        if result == VisitTask.Result.MOVED:
            skip_trace_task_create(
                visit.account, contact_point=visit.address_point, reason="moved", actor=actor
            )
        audit_record(
            actor=actor,
            action="visit_result_record",
            object_type="dialer.VisitTask",
            object_id=visit.pk,
            details={"result": result},
        )
    return visit


def location_task_open(sender, *, account, actor, **kwargs) -> None:
    """The compliance gate found nothing that tells where the debtor is: a skip-trace task to
    find out (one open task per account, reused)."""
    skip_trace_task_create(account, contact_point=None, reason="other", actor=actor,
                           note=_("Location unknown: the compliance gate used the hours lawful "
                                  "in every zone of the jurisdiction."))
