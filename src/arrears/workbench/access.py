"""Who may see and work which account on the workbench.

A collector works the accounts of the latest run dealt to their seats, plus the unassigned pool
of their teams; a team lead every account queued to the teams they lead (a team lead is a
collector seat in the team held by a user of the ``team_lead`` group); the roles that oversee
the whole portfolio see everything; anybody else sees nothing. Every /work/ view, GET or POST,
goes through :func:`account_for_user_or_404`, so editing a URL never reaches another account.
"""

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from arrears.portfolio.models import Account
from arrears.users.services import group_names_of
from arrears.workbench.models import QueueEntry, Team
from arrears.workbench.selectors import decision_run_latest

ALL_ACCOUNTS_ROLES = ("compliance_officer", "auditor", "administrator", "collections_manager")


def sees_all_accounts(user) -> bool:
    return user.is_authenticated and (
        user.is_superuser or bool(group_names_of(user) & set(ALL_ACCOUNTS_ROLES))
    )


def teams_led_by(user) -> QuerySet[Team]:
    """The teams in which ``user`` holds a seat while being in the team lead group."""
    if not (user.is_authenticated and (user.is_superuser or "team_lead" in group_names_of(user))):
        return Team.objects.none()
    return Team.objects.filter(collectors__user=user).distinct()


def queue_entries_visible_to(user, *, run=None) -> QuerySet[QueueEntry]:
    """The latest run's queue entries ``user`` may work (all of them for the overseeing roles)."""
    run = run or decision_run_latest()
    if run is None or not user.is_authenticated:
        return QueueEntry.objects.none()
    entries = QueueEntry.objects.filter(run=run)
    if sees_all_accounts(user):
        return entries
    own_teams = Team.objects.filter(collectors__user=user, collectors__active=True)
    mine = Q(collector__user=user)
    if "collector" in group_names_of(user):
        mine |= Q(collector__isnull=True, team__in=own_teams)
    led = teams_led_by(user)
    return entries.filter(mine | Q(team__in=led))


def accounts_visible_to(user) -> QuerySet[Account]:
    """The accounts ``user`` may open and work on the workbench."""
    if not user.is_authenticated:
        return Account.objects.none()
    if sees_all_accounts(user):
        return Account.objects.all()
    return Account.objects.filter(pk__in=queue_entries_visible_to(user).values("account_id"))


def account_for_user_or_404(user, pk) -> Account:
    """The account ``pk`` if ``user`` may work it, else 404 (never saying that it exists)."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404(_("No such account in your work.")) from None
    account = (
        accounts_visible_to(user)
        .select_related("cardholder", "product")
        .filter(pk=pk)
        .first()
    )
    if account is None:
        raise Http404(_("No such account in your work."))
    return account
