"""The workbench's relationships to accounts, registered with the access policy
(:mod:`arrears.access.policy`): a collector's queue and their teams' pool, a team lead's teams,
and the accounts referred to litigation in the latest night.

A collector reaches the accounts of the latest run dealt to their seats, plus the unassigned
pool of their teams; a team lead every account queued to the teams they lead (a team lead is a
collector seat in the team held by a user of the ``team_lead`` group).
"""

from django.db.models import Q, QuerySet

from arrears.batch.models import Decision
from arrears.users.services import group_names_of
from arrears.workbench.models import QueueEntry, Team
from arrears.workbench.selectors import decision_run_latest

LEGAL_TREATMENTS = ("legal_review",)


def teams_led_by(user) -> QuerySet[Team]:
    """The teams in which ``user`` holds a seat while being in the team lead group."""
    if not (user.is_authenticated and (user.is_superuser or "team_lead" in group_names_of(user))):
        return Team.objects.none()
    return Team.objects.filter(collectors__user=user).distinct()


def _latest_entries(run) -> QuerySet[QueueEntry]:
    run = run or decision_run_latest()
    return QueueEntry.objects.none() if run is None else QueueEntry.objects.filter(run=run)


def own_queue_entries(user, *, run=None) -> QuerySet[QueueEntry]:
    """The entries of the latest run dealt to ``user``'s seats, and, for a collector, their
    active teams' unassigned pool."""
    mine = Q(collector__user=user)
    if "collector" in group_names_of(user):
        own_teams = Team.objects.filter(collectors__user=user, collectors__active=True)
        mine |= Q(collector__isnull=True, team__in=own_teams)
    return _latest_entries(run).filter(mine)


def led_queue_entries(user, *, run=None) -> QuerySet[QueueEntry]:
    return _latest_entries(run).filter(team__in=teams_led_by(user))


def queue_account_ids(user):
    return own_queue_entries(user).values("account_id")


def team_account_ids(user):
    return led_queue_entries(user).values("account_id")


def legal_account_ids(user):
    """Accounts whose latest decision refers them to litigation."""
    run = decision_run_latest()
    decisions = Decision.objects.none() if run is None else Decision.objects.filter(run=run)
    return decisions.filter(treatment__in=LEGAL_TREATMENTS).values("account_id")
