"""Reading arrangements for many accounts at once (the decision snapshot) or for one.

``promise_status`` speaks the strategy's vocabulary (docs/strategy.md): ``active`` while a
promise is pending or a plan is current, ``kept`` when the latest promise was kept or plan
completed, ``broken`` when it was broken or partly kept or the plan was breached, ``none``
otherwise. Closed arrangements count for ``ARREARS_PROMISE_STATUS_DAYS`` (default 30) days.
"""

from datetime import UTC, date, datetime, time, timedelta

from django.conf import settings
from django.db.models import Q

from arrears.arrangements.models import Plan, Promise

PROMISE_SNAPSHOT_STATUS = {
    Promise.Status.PENDING: "active", Promise.Status.KEPT: "kept",
    Promise.Status.PARTLY_KEPT: "broken", Promise.Status.BROKEN: "broken",
}
PLAN_SNAPSHOT_STATUS = {
    Plan.Status.ACTIVE: "active", Plan.Status.COMPLETED: "kept", Plan.Status.BREACHED: "broken",
}


def end_of(day: date) -> datetime:
    """The last moment of a business day (UTC): what a snapshot as of that day sees."""
    return datetime.combine(day, time.max, UTC)


def promise_status_by_account(lo: int, hi: int, as_of: date) -> dict[int, str]:
    """The snapshot ``promise_status`` of accounts ``lo``..``hi`` that have one (two queries)."""
    recent = as_of - timedelta(days=getattr(settings, "ARREARS_PROMISE_STATUS_DAYS", 30))
    latest: dict[int, tuple[datetime, str]] = {}
    promises = (Promise.objects.filter(account_id__gte=lo, account_id__lte=hi,
                                       taken_at__lte=end_of(as_of))
                .filter(Q(status=Promise.Status.PENDING)
                        | Q(status__in=list(PROMISE_SNAPSHOT_STATUS), evaluated_on__gte=recent))
                .values_list("account_id", "taken_at", "status"))
    plans = (Plan.objects.filter(account_id__gte=lo, account_id__lte=hi, start_date__lte=as_of)
             .filter(Q(status=Plan.Status.ACTIVE)
                     | Q(status__in=list(PLAN_SNAPSHOT_STATUS), closed_on__gte=recent))
             .values_list("account_id", "proposed_at", "status"))
    for rows, vocabulary in ((promises, PROMISE_SNAPSHOT_STATUS), (plans, PLAN_SNAPSHOT_STATUS)):
        for account_id, at, status in rows:
            if account_id not in latest or at > latest[account_id][0]:
                latest[account_id] = (at, vocabulary[status])
    return {account_id: status for account_id, (_at, status) in latest.items()}
