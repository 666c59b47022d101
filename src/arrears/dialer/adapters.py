"""The "call" and "visit" channels: the outbox hands a message over and it becomes a call
task for the dialer or a field-visit task. Registered in ``DialerConfig.ready()``.

The outbox has already asked the gate when it sends; the dialer export and the visit
assignment ask again for the moment the call or visit really happens."""

from datetime import datetime

from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext as _

from arrears.channels.adapters import SendResult
from arrears.dialer.models import CallTask, VisitTask
from arrears.dialer.services import DialerError, call_task_create, visit_task_create
from arrears.portfolio.models import ADDRESS_KINDS, PHONE_KINDS


def _extra(message) -> dict:
    return getattr(message, "extra", None) or {}


def _point(message, kinds):
    """The message's own contact point when it is of the right kind, else the task picks one."""
    point = getattr(message, "contact_point", None)
    return point if point is not None and point.kind in kinds else None


def _send_result(**values):
    return SendResult(**values)


class CallAdapter:
    """Plans a call task; the gate is asked when the task is exported to the dialer (and by
    the workbench before a collector dials), at the time of the call."""

    channel = "call"
    gateway = "dialer_file"
    max_per_second = 500
    plans_task = True

    def send(self, message):
        extra = _extra(message)
        try:
            task = call_task_create(
                message.account,
                contact_point=_point(message, PHONE_KINDS),
                priority=int(extra.get("priority", 50)),
                script_code=message.template_code,
                due_from=message.not_before or timezone.now(),
                outbox_key=message.idempotency_key,
            )
        except DialerError as error:
            return _send_result(provider_id="", status="failed", detail=str(error))
        return _send_result(
            provider_id=f"call:{task.pk}",
            status="sent",
            detail=_("call task %(id)d queued for the dialer") % {"id": task.pk},
        )


    def lookup(self, message):
        """The call task this message became, if the handing over got that far (the worker
        asks after a crash, so that a message is neither lost nor planned twice)."""
        task = CallTask.objects.filter(outbox_key=message.idempotency_key).first()
        return _send_result(provider_id=f"call:{task.pk}", status="sent") if task else None


class VisitAdapter:
    """Plans a field visit; the gate is asked when collectors are named for it (CN-17 counts
    them) and again when a team lead approves it."""

    channel = "visit"
    gateway = "field_visits"
    max_per_second = 100
    plans_task = True

    def send(self, message):
        extra = _extra(message)
        scheduled = extra.get("scheduled_for")
        collector_ids = extra.get("collectors") or []
        try:
            visit = visit_task_create(
                message.account,
                scheduled_for=(datetime.fromisoformat(scheduled) if scheduled
                               else message.not_before or timezone.now()),
                address_point=_point(message, ADDRESS_KINDS),
                collectors=get_user_model().objects.filter(pk__in=collector_ids),
                outbox_key=message.idempotency_key,
            )
        except (DialerError, ValueError) as error:
            return _send_result(provider_id="", status="failed", detail=str(error))
        return _send_result(
            provider_id=f"visit:{visit.pk}",
            status="sent",
            detail=_("field visit %(id)d planned (%(status)s)")
            % {"id": visit.pk, "status": visit.get_status_display()},
        )

    def lookup(self, message):
        """The visit this message became, if the handing over got that far."""
        visit = VisitTask.objects.filter(outbox_key=message.idempotency_key).first()
        return _send_result(provider_id=f"visit:{visit.pk}", status="sent") if visit else None
