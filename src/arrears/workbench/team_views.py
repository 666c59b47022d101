"""The team lead's view (/work/team/): queues and capacity, re-assignment, the approval queue
and the team's day. A team lead sees the teams they lead; the overseeing roles see all teams."""

from dataclasses import dataclass
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from arrears.access import policy
from arrears.access.web import area_required
from arrears.arrangements.models import ApprovalRequest
from arrears.arrangements.services import (
    ArrangementError,
    account_zone,
    approval_decide,
    approvals_pending_for,
)
from arrears.charts import team_day_chart
from arrears.dialer.models import VisitTask
from arrears.dialer.selectors import visits_to_staff
from arrears.dialer.services import DialerError, visit_assign
from arrears.lists import Column, Filter, ListSpec, Money, Name, list_respond
from arrears.portfolio.masking import mask_address
from arrears.rules.aging import BUCKET_CODES
from arrears.workbench.access import teams_led_by
from arrears.workbench.forms import ApprovalForm, ReassignForm, VisitStaffForm
from arrears.workbench.labels import team_label, treatment_label
from arrears.workbench.models import Channel, Collector, QueueEntry, Team
from arrears.workbench.screen import queue_rows_prepare
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

VISITS_SHOWN = 100

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


# No team worked before this day; an earlier one (0001-01-01 overflowed the conversion of its
# midnight to UTC) means today, like any other day that is not one.
EARLIEST_DAY = date(1900, 1, 1)


def _day_asked(request: HttpRequest) -> date | None:
    """The ``?day=YYYY-MM-DD`` the team lead chose; anything else means today."""
    try:
        asked = date.fromisoformat(request.GET.get("day", ""))
    except ValueError:
        return None
    return asked if asked >= EARLIEST_DAY else None


def _team_day_view(team: Team, asked: date | None, run) -> TeamDayView:
    zone = team_zone(team, run)
    today = timezone.now().astimezone(zone).date()
    day = min(asked, today) if asked else today
    rows = team_day(team=team, day=day, run=run)
    metrics = CHART_METRICS.get(team.channel, tuple(TEAM_METRIC_LABELS))
    return TeamDayView(team=team, team_zone=zone.key, day=day, today=today, rows=rows,
                       chart=team_day_chart(rows, TEAM_METRIC_LABELS, metrics))


def _person(user) -> str:
    return (user.get_full_name() or user.get_username()) if user else ""


APPROVALS_LIST = ListSpec(
    name=policy.APPROVALS_LIST,
    title=gettext_lazy("Approval queue"),
    columns=(
        Column("account", gettext_lazy("Account"), lambda a, v: a.account.external_id,
               sort="account__external_id",
               link=lambda a: reverse("work:account", args=[a.account_id])),
        Column("what", gettext_lazy("What"), lambda a, v: a.get_subject_type_display(),
               sort="subject_type"),
        Column("amount", gettext_lazy("Amount"),
               lambda a, v: Money(a.amount_minor, a.account.product.currency),
               sort="amount_minor", numeric=True),
        Column("months", gettext_lazy("Months"), lambda a, v: a.months, sort="months"),
        Column("requested_by", gettext_lazy("Requested by"),
               lambda a, v: _person(a.requested_by), sort="requested_by__username",
               personal=True),
        Column("requested_at", gettext_lazy("Requested at"), lambda a, v: a.requested_at,
               sort="requested_at"),
        Column("reason", gettext_lazy("Why approval is needed"), lambda a, v: a.reason_text),
        Column("decide", gettext_lazy("Decision"), template="workbench/_approval_decide.html",
               export=False),
    ),
    filters=(
        Filter("what", gettext_lazy("What"), lambda rows, value: rows.filter(
            subject_type=value), choices=lambda: ApprovalRequest.Subject.choices,
            kind="choice"),
        Filter("account", gettext_lazy("Account"), lambda rows, value: rows.filter(
            account__external_id=value)),
    ),
    default_sort="requested_at",
    page_size=25,
    table_id="approvals-table",
    row_attributes=lambda a: {"data-approval": a.pk},
)


@area_required(policy.TEAM)
def team_overview(request: HttpRequest) -> HttpResponse:
    _team_lead_only(request.user)
    approvals, export = list_respond(
        request, APPROVALS_LIST,
        _approvals_for(request.user).select_related("account__product", "requested_by"),
        extra={"day": request.GET["day"]} if request.GET.get("day") else None)
    if export is not None:
        return export
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
            "approvals": approvals,
            "visits_to_staff": visits_to_staff(policy.accounts_workable(request.user)).count(),
            "reassign_form": ReassignForm(),
            "approval_form": ApprovalForm(),
        },
    )


POOL = "pool"


def _team_choices(user):
    return [(str(team.pk), _team_word(team)) for team in _teams_for(user).order_by("name")]


def _team_word(team: Team) -> str:
    """The catalogue's words for a known team, else the bank's own name (not translated)."""
    label = team_label(team.code, team.name)
    return Name(label) if label == team.name else label


def _team_queue_list(user) -> ListSpec:
    """The team queue's list: its team and collector filters offer the user's own teams."""
    def collector_filter(rows, value):
        return rows.filter(collector__isnull=True) if value == POOL else rows.filter(
            collector_id=value)

    def collector_choices():
        seats = Collector.objects.filter(team__in=_teams_for(user)).select_related("user")
        return [(POOL, _("Unassigned pool"))] + sorted(
            ((str(seat.pk), Name(_person(seat.user))) for seat in seats), key=lambda c: c[1])

    return ListSpec(
        name=policy.TEAM_QUEUE_LIST,
        title=gettext_lazy("Team queue"),
        columns=(
            Column("rank", "#", lambda e, v: e.rank, sort="rank", numeric=True),
            Column("account", gettext_lazy("Account"), lambda e, v: e.account.external_id,
                   sort="account__external_id",
                   link=lambda e: reverse("work:account", args=[e.account_id])),
            Column("team", gettext_lazy("Team"),
                   lambda e, v: team_label(e.team.code, e.team.name), sort="team__name",
                   template="workbench/_team_cell.html"),
            Column("collector", gettext_lazy("Collector"),
                   lambda e, v: _person(e.collector.user) if e.collector else str(
                       _("Unassigned pool")), sort="collector__user__username", personal=True),
            Column("bucket", gettext_lazy("Bucket"), lambda e, v: e.bucket,
                   sort="account__position__bucket"),
            Column("dpd", gettext_lazy("DPD"), lambda e, v: e.days_past_due,
                   sort="account__position__days_past_due", numeric=True),
            Column("balance", gettext_lazy("Balance"),
                   lambda e, v: Money(e.balance_minor, e.account.product.currency),
                   numeric=True),
            Column("recovery", gettext_lazy("Expected recovery"),
                   lambda e, v: Money(e.expected_recovery_minor, e.account.product.currency),
                   sort="expected_recovery_minor", numeric=True),
            Column("treatment", gettext_lazy("Treatment"),
                   lambda e, v: treatment_label(e.treatment), sort="treatment"),
        ),
        filters=(
            Filter("team", gettext_lazy("Team"), lambda rows, value: rows.filter(
                team_id=value), choices=lambda: _team_choices(user), kind="choice"),
            Filter("collector", gettext_lazy("Collector"), collector_filter,
                   choices=collector_choices, kind="choice"),
            Filter("bucket", gettext_lazy("Bucket"),
                   lambda rows, value: rows.filter(account__position__bucket=value),
                   choices=lambda: [(code, code) for code in BUCKET_CODES], kind="choice"),
            Filter("account", gettext_lazy("Account"),
                   lambda rows, value: rows.filter(account__external_id=value)),
        ),
        default_sort="-recovery",
        page_size=50,
        table_id="team-queue",
        row_attributes=lambda e: {"data-account": e.account.external_id},
    )


@area_required(policy.TEAM)
def team_queue(request: HttpRequest) -> HttpResponse:
    """Every account queued to the user's teams in the latest run, assigned or pooled."""
    _team_lead_only(request.user)
    run = decision_run_latest()
    entries = QueueEntry.objects.none()
    if run is not None:
        entries = (QueueEntry.objects.filter(run=run, team__in=_teams_for(request.user))
                   .select_related("account__product", "account__position", "team",
                                   "collector__user"))
    listing, export = list_respond(request, _team_queue_list(request.user), entries,
                                   prepare=lambda rows, view: queue_rows_prepare(rows))
    if export is not None:
        return export
    return render(request, "workbench/team_queue.html", {"run": run, "list": listing})


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


# --- field visits: name the collectors of the visits the night planned, then approve ---------

def _visit_candidates(user) -> list:
    """The people a team lead may send on a visit: the active collectors of the field-visit
    teams they lead (all field teams for a manager who oversees every account), not themselves
    (whoever approves a visit does not go on it)."""
    seats = (Collector.objects.filter(team__in=_teams_for(user), team__channel=Channel.FIELD_VISIT,
                                      active=True)
             .exclude(user=user).select_related("user").order_by("user__username"))
    return list({seat.user_id: seat.user for seat in seats}.values())


def _visit_time_default(visit: VisitTask, zone: ZoneInfo):
    """The time the form offers: the planned time, or the next 10:00 in the debtor's zone when
    that is already past."""
    now = timezone.now()
    if visit.scheduled_for > now:
        return visit.scheduled_for.astimezone(zone)
    local = now.astimezone(zone)
    ten = local.replace(hour=10, minute=0, second=0, microsecond=0)
    return ten if ten > local else ten + timedelta(days=1)


def _staff_rows(user, candidates, forms_by_visit=None) -> list[dict]:
    level = policy.masking_level(user)
    rows = []
    for visit in visits_to_staff(policy.accounts_workable(user))[:VISITS_SHOWN]:
        zone = account_zone(visit.account)
        form = (forms_by_visit or {}).get(visit.pk) or VisitStaffForm(
            candidates=candidates, zone=zone,
            initial={"collectors": [u.pk for u in visit.collectors.all()],
                     "scheduled_for": _visit_time_default(visit, zone)
                     .strftime("%Y-%m-%dT%H:%M")},
        )
        rows.append({
            "visit": visit,
            "zone": zone.key,
            "local_time": visit.scheduled_for.astimezone(zone),
            "area": mask_address(visit.address, level),
            "named": list(visit.collectors.all()),
            "form": form,
            "may_approve": (visit.status == VisitTask.Status.AWAITING_APPROVAL
                            and _may_approve_visit(user, visit)),
        })
    return rows


def _may_approve_visit(user, visit: VisitTask) -> bool:
    return (user.has_perm("dialer.approve_visittask")
            and not visit.collectors.filter(pk=user.pk).exists())


@area_required(policy.TEAM)
def team_visits(request: HttpRequest) -> HttpResponse:
    """The night's field visits within the team lead's reach that still need collectors or
    an approval."""
    _team_lead_only(request.user)
    candidates = _visit_candidates(request.user)
    return render(request, "workbench/team_visits.html",
                  {"rows": _staff_rows(request.user, candidates), "candidates": candidates})


@require_POST
@area_required(policy.TEAM)
def team_visit_assign(request: HttpRequest, pk: int) -> HttpResponse:
    """Name the collectors (and the time) of one visit: the gate is asked for that time; an
    allowed visit then waits for approval."""
    _team_lead_only(request.user)
    visit = visits_to_staff(policy.accounts_workable(request.user)).filter(pk=pk).first()
    if visit is None:
        raise Http404(_("No such visit to staff in your teams."))
    candidates = _visit_candidates(request.user)
    form = VisitStaffForm(request.POST, candidates=candidates, zone=account_zone(visit.account))
    if form.is_valid():
        try:
            visit_assign(visit, collectors=[u for u in candidates
                                            if u.pk in form.cleaned_data["collectors"]],
                         scheduled_for=form.cleaned_data["scheduled_for"], actor=request.user)
        except DialerError as error:
            messages.error(request, str(error))
        else:
            if visit.status == VisitTask.Status.BLOCKED:
                messages.error(request, _("The compliance gate blocks visit %(id)d at that "
                                          "time (%(rules)s).")
                               % {"id": visit.pk, "rules": visit.gate_rule_ids or "—"})
            else:
                messages.success(request, _("Collectors named for visit %(id)d; it now waits "
                                            "for approval.") % {"id": visit.pk})
            return redirect(f"{reverse('work:team_visits')}#visit-{visit.pk}")
    rows = _staff_rows(request.user, candidates, {visit.pk: form})
    return render(request, "workbench/team_visits.html",
                  {"rows": rows, "candidates": candidates}, status=400)
