"""The team lead's view (/work/team/): queues and capacity, re-assignment, the approval queue
and the team's day. A team lead sees the teams they lead; the overseeing roles see all teams."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from arrears.access import policy
from arrears.access.web import area_required
from arrears.arrangements.services import (
    ArrangementError,
    approval_decide,
    approvals_pending_for,
)
from arrears.workbench.access import teams_led_by
from arrears.workbench.charts import team_day_chart
from arrears.workbench.forms import ApprovalForm, ReassignForm
from arrears.workbench.models import Channel, Collector, Team
from arrears.workbench.selectors import (
    decision_run_latest,
    queue_summary,
    team_day,
    team_zone,
)
from arrears.workbench.services import WorkRejected, queue_entries_reassign

TEAM_METRIC_LABELS = {
    "attempts": gettext_lazy("Attempts"),
    "right_party": gettext_lazy("Right-party contacts"),
    "promises_taken": gettext_lazy("Promises taken"),
    "promises_kept": gettext_lazy("Promises kept"),
    "visits": gettext_lazy("Field visits made"),
}

# The bars drawn for a team of each channel (the table shows every metric).
CHART_METRICS = {
    Channel.CALL: ("attempts", "right_party", "promises_taken", "promises_kept"),
    Channel.FIELD_VISIT: ("visits", "promises_taken", "promises_kept"),
}


def _teams_for(user):
    """Every team for a role that oversees all accounts (a collections manager), else the teams
    the user leads."""
    if policy.sees_every_account(user):
        return Team.objects.all()
    return teams_led_by(user)


def _team_lead_only(user) -> None:
    if not _teams_for(user).exists():
        raise PermissionDenied(_("The team page is for team leads."))


@dataclass(frozen=True)
class TeamDayView:
    team: Team
    team_zone: str
    day: date
    today: date
    rows: list
    chart: object

    @property
    def previous_day(self) -> date:
        return self.day - timedelta(days=1)

    @property
    def next_day(self) -> date | None:
        following = self.day + timedelta(days=1)
        return following if following <= self.today else None


def _day_asked(request: HttpRequest) -> date | None:
    """The ``?day=YYYY-MM-DD`` the team lead chose; anything else means today."""
    try:
        return date.fromisoformat(request.GET.get("day", ""))
    except ValueError:
        return None


def _team_day_view(team: Team, asked: date | None, run) -> TeamDayView:
    zone = team_zone(team, run)
    today = timezone.now().astimezone(zone).date()
    day = min(asked, today) if asked else today
    rows = team_day(team=team, day=day, run=run)
    metrics = CHART_METRICS.get(team.channel, tuple(TEAM_METRIC_LABELS))
    return TeamDayView(team=team, team_zone=zone.key, day=day, today=today, rows=rows,
                       chart=team_day_chart(rows, TEAM_METRIC_LABELS, metrics))


@area_required(policy.TEAM)
def team_overview(request: HttpRequest) -> HttpResponse:
    _team_lead_only(request.user)
    teams = list(_teams_for(request.user))
    run = decision_run_latest()
    team_ids = {team.pk for team in teams}
    summaries = [q for q in queue_summary(run=run) if q.team.pk in team_ids] if run else []
    asked = _day_asked(request)
    return render(
        request,
        "workbench/team.html",
        {
            "run": run,
            "summaries": summaries,
            "days": [_team_day_view(team, asked, run) for team in teams],
            "metric_labels": TEAM_METRIC_LABELS,
            "approvals": list(_approvals_for(request.user)[:100]),
            "reassign_form": ReassignForm(),
            "approval_form": ApprovalForm(),
        },
    )


@require_POST
@area_required(policy.TEAM)
def team_reassign(request: HttpRequest) -> HttpResponse:
    _team_lead_only(request.user)
    form = ReassignForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose the collector the accounts go to."))
        return redirect("work:team")
    data = form.cleaned_data
    seats = Collector.objects.filter(team__in=_teams_for(request.user))
    to_collector = seats.filter(pk=data["to_collector"]).select_related("team").first()
    if to_collector is None:
        raise Http404(_("No such collector in your teams."))
    from_collector = None
    if data.get("from_collector"):
        from_collector = seats.filter(pk=data["from_collector"]).first()
        if from_collector is None:
            raise Http404(_("No such collector in your teams."))
    try:
        moved = queue_entries_reassign(
            team=to_collector.team,
            to_collector=to_collector,
            actor=request.user,
            account_id=data.get("account"),
            bucket=data.get("bucket") or "",
            from_collector=from_collector,
            segment=data.get("segment") or "",
        )
    except WorkRejected as error:
        messages.error(request, str(error))
        return redirect("work:team")
    messages.success(
        request,
        _("%(count)d account(s) moved to %(collector)s.")
        % {"count": moved, "collector": to_collector.user},
    )
    return redirect("work:team")


@require_POST
@area_required(policy.TEAM)
def team_approval_decide(request: HttpRequest, pk: int) -> HttpResponse:
    """Approve or reject one request of the approval queue; only requests pending for this
    user (within their authority) can be decided."""
    request_row = _approvals_for(request.user).filter(pk=pk).first()
    if request_row is None:
        raise Http404(_("No such request in your approval queue."))
    form = ApprovalForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Approve or reject."))
        return redirect("work:team")
    try:
        approval_decide(
            request_row,
            actor=request.user,
            approve=form.cleaned_data["approve"],
            note=form.cleaned_data.get("note") or "",
        )
    except ArrangementError as error:
        messages.error(request, str(error))
        return redirect("work:team")
    if form.cleaned_data["approve"]:
        messages.success(request, _("Approved."))
    else:
        messages.success(request, _("Rejected."))
    return redirect("work:team")


def _approvals_for(user):
    """Requests within the user's authority, for accounts the user may work: a team lead
    approves for their own teams' accounts only."""
    return approvals_pending_for(user).filter(account__in=policy.accounts_workable(user))
