"""Reads of field visits for the pages: a collector's visits for their day, and the visits a
team lead still has to staff and approve."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import QuerySet
from django.utils import timezone

from arrears.dialer.access import VISIT_TIME_BOX
from arrears.dialer.models import VisitTask

# Visits that still need a team lead: collectors to name (again, after a block), an approval.
TO_STAFF = (VisitTask.Status.UNASSIGNED, VisitTask.Status.BLOCKED,
            VisitTask.Status.AWAITING_APPROVAL)


@dataclass(frozen=True)
class CollectorVisit:
    visit: VisitTask
    in_time_box: bool  # the collector may open the account and the full address now


def visits_of_collector(user, *, now: datetime | None = None) -> list[CollectorVisit]:
    """The visits ``user`` goes on that are not done yet: approved ones from 24 hours ago on
    (within the time box they may be opened and recorded), and those waiting for a team lead's
    approval, soonest first."""
    now = now or timezone.now()
    visits = (
        VisitTask.objects.filter(
            collectors=user,
            status__in=(VisitTask.Status.APPROVED, VisitTask.Status.AWAITING_APPROVAL),
            scheduled_for__gte=now - VISIT_TIME_BOX,
        )
        .select_related("account__cardholder")
        .order_by("scheduled_for", "pk")
    )
    return [
        CollectorVisit(
            visit=visit,
            in_time_box=(visit.status == VisitTask.Status.APPROVED
                         and visit.scheduled_for <= now + VISIT_TIME_BOX),
        )
        for visit in visits
    ]


def visits_to_staff(accounts: QuerySet) -> QuerySet[VisitTask]:
    """Open visits to ``accounts`` (those a team lead may work) that still need collectors or
    an approval, the soonest first."""
    return (
        VisitTask.objects.filter(status__in=TO_STAFF, account__in=accounts)
        .select_related("account__cardholder", "account__product")
        .prefetch_related("collectors")
        .order_by("scheduled_for", "pk")
    )
