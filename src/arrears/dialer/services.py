"""Services of the dialer app: tasks for calls, field visits and skip tracing."""

from django.db import transaction

from arrears.audit.services import audit_record
from arrears.dialer.models import SkipTraceTask
from arrears.portfolio.models import Account, ContactPoint

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
