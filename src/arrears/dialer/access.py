"""The field agent's relationship to an account (COMPLIANCE.md b.4): one approved visit of
theirs, valid for a time box around the time it is scheduled for. Registered with the access
policy as the ``visit`` scope."""

from datetime import timedelta

from django.db.models import QuerySet
from django.utils import timezone

from arrears.dialer.models import VisitTask

VISIT_TIME_BOX = timedelta(hours=24)


def visits_in_time_box(user, *, now=None) -> QuerySet[VisitTask]:
    """``user``'s approved visits scheduled within 24 hours of ``now``."""
    now = now or timezone.now()
    return VisitTask.objects.filter(
        collectors=user,
        status=VisitTask.Status.APPROVED,
        scheduled_for__gte=now - VISIT_TIME_BOX,
        scheduled_for__lte=now + VISIT_TIME_BOX,
    )


def visit_account_ids(user):
    return visits_in_time_box(user).values("account_id")


def in_time_box(user, visit: VisitTask) -> bool:
    return visits_in_time_box(user).filter(pk=visit.pk).exists()
