"""Reads behind the queues and the decisions pages.

Counts over a whole run are aggregated by the database (or taken from the run record the batch
wrote), never by a loop over decisions.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, F, Prefetch, QuerySet, Sum
from django.utils import timezone

from arrears.arrangements.models import Promise
from arrears.batch.models import Decision, DecisionRun
from arrears.charts import CountRow
from arrears.dialer.models import VisitTask
from arrears.ledger.models import Posting
from arrears.portfolio.models import Account
from arrears.workbench.models import Channel, Collector, QueueEntry, Team, codes_split


def collector_rows() -> list[dict]:
    """The collectors table of the queue step (``compile.COLLECTOR_SCHEMA``), from the database.

    One row per active collector; a team without any gets one row with ``collector_id`` None,
    so that its accounts still reach its unassigned pool. Collector order puts the narrowest
    skills first (fewer skill lists left blank, then fewer codes, then the older seat), so a
    specialist is offered the accounts only they can work before a generalist takes them.
    """
    rows = []
    teams = Team.objects.prefetch_related("collectors").order_by("routing_order", "pk")
    seats = []
    for team in teams:
        team_columns = {
            "team_id": team.pk,
            "team_channel": team.channel,
            "team_routing_order": team.routing_order,
            "team_languages": team.languages,
            "team_regions": team.regions,
            "team_buckets": team.buckets,
        }
        active = [c for c in team.collectors.all() if c.active]
        if not active:
            rows.append(
                {
                    **team_columns,
                    "collector_id": None,
                    "collector_order": None,
                    "capacity": 0,
                    "languages": "",
                    "regions": "",
                    "buckets": "",
                }
            )
        seats += [(team_columns, collector) for collector in active]

    def breadth(collector: Collector) -> tuple[int, int, int]:
        lists = (collector.languages, collector.regions, collector.buckets)
        blank = sum(1 for codes in lists if not codes)
        return blank, sum(len(codes_split(codes)) for codes in lists), collector.pk

    seats.sort(key=lambda seat: breadth(seat[1]))
    for order, (team_columns, collector) in enumerate(seats):
        rows.append(
            {
                **team_columns,
                "collector_id": collector.pk,
                "collector_order": order,
                "capacity": collector.daily_capacity,
                "languages": collector.languages,
                "regions": collector.regions,
                "buckets": collector.buckets,
            }
        )
    return rows


def decision_run_latest() -> DecisionRun | None:
    """The most recent finished decision run, or None before the first ``arrears cycle``."""
    return DecisionRun.objects.filter(finished_at__isnull=False).order_by("-started_at").first()


def _count_rows(counts: dict[str, int]) -> list[CountRow]:
    total = sum(counts.values())
    ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return [
        CountRow(key=key, accounts=n, share=round(100 * n / total, 1) if total else 0.0)
        for key, n in ordered
    ]


def _grouped(run: DecisionRun, column: str) -> dict[str, int]:
    rows = Decision.objects.filter(run=run).order_by().values(column).annotate(n=Count("pk"))
    return {row[column]: row["n"] for row in rows}


@dataclass(frozen=True)
class RunCounts:
    accounts: int
    by_segment: list[CountRow]
    by_treatment: list[CountRow]
    by_arm: list[CountRow]


def decision_counts(*, run: DecisionRun) -> RunCounts:
    """Accounts by segment, treatment and champion/challenger arm in one run.

    Segment and treatment counts come from the run record when the batch filled it in.
    """
    by_segment = run.counts_by_segment or _grouped(run, "segment")
    by_treatment = run.counts_by_treatment or _grouped(run, "treatment")
    return RunCounts(
        accounts=run.accounts or sum(by_treatment.values()),
        by_segment=_count_rows(by_segment),
        by_treatment=_count_rows(by_treatment),
        by_arm=_count_rows(_grouped(run, "arm")),
    )


Recovery = dict[str, int]  # currency → minor units; amounts of two currencies never added


def _recovery_add(total: Recovery, more: Recovery) -> Recovery:
    merged = dict(total)
    for currency, minor in more.items():
        merged[currency] = merged.get(currency, 0) + minor
    return merged


@dataclass
class CollectorQueue:
    collector: Collector
    capacity: int
    assigned: int
    expected_recovery: Recovery


@dataclass
class TeamQueue:
    team: Team
    collectors: list[CollectorQueue] = field(default_factory=list)
    pool: int = 0
    pool_expected_recovery: Recovery = field(default_factory=dict)

    @property
    def assigned(self) -> int:
        return sum(c.assigned for c in self.collectors)

    @property
    def capacity(self) -> int:
        return sum(c.capacity for c in self.collectors)

    @property
    def expected_recovery(self) -> Recovery:
        total: Recovery = {}
        for collector in self.collectors:
            total = _recovery_add(total, collector.expected_recovery)
        return total


def queue_summary(*, run: DecisionRun) -> list[TeamQueue]:
    """Per team: each collector's assigned accounts against capacity, and the unassigned pool,
    with the expected recovery by currency.

    Every team and active collector is listed, with zeros when nothing was queued for them.
    """
    grouped = (
        QueueEntry.objects.filter(run=run)
        .order_by()
        .values("team_id", "collector_id", currency=F("account__product__currency"))
        .annotate(n=Count("pk"), recovery=Sum("expected_recovery_minor"))
    )
    counts: dict[tuple, tuple[int, Recovery]] = {}
    for group in grouped:
        key = (group["team_id"], group["collector_id"])
        n, recovery = counts.get(key, (0, {}))
        counts[key] = (
            n + group["n"],
            _recovery_add(recovery, {group["currency"]: group["recovery"] or 0}),
        )
    teams = []
    collectors = Collector.objects.select_related("user").order_by("pk")
    teams_with_collectors = Team.objects.prefetch_related(
        Prefetch("collectors", queryset=collectors)
    ).order_by("routing_order", "pk")
    for team in teams_with_collectors:
        queue = TeamQueue(team=team)
        queue.pool, queue.pool_expected_recovery = counts.get((team.pk, None), (0, {}))
        for collector in team.collectors.all():
            assigned, recovery = counts.get((team.pk, collector.pk), (0, {}))
            if collector.active or assigned:
                queue.collectors.append(
                    CollectorQueue(
                        collector=collector,
                        capacity=collector.daily_capacity if collector.active else 0,
                        assigned=assigned,
                        expected_recovery=recovery,
                    )
                )
        teams.append(queue)
    return teams


def _entries(run: DecisionRun | None) -> QuerySet[QueueEntry]:
    run = run or decision_run_latest()
    if run is None:
        return QueueEntry.objects.none()
    return QueueEntry.objects.filter(run=run).select_related(
        "account", "account__cardholder", "account__product", "team", "collector__user"
    )


def queue_for_collector(*, user, run: DecisionRun | None = None) -> QuerySet[QueueEntry]:
    """The accounts dealt to ``user`` (in any of their phone teams) in ``run`` (default: the
    latest), best expected recovery first; field-visit teams' accounts are reached through
    their visits instead."""
    return (
        _entries(run)
        .filter(collector__user=user)
        .exclude(team__channel=Channel.FIELD_VISIT)
        .order_by("-expected_recovery_minor", "priority", "account_id")
    )


def queue_for_team(
    *, team: Team, run: DecisionRun | None = None, pool_only: bool = False
) -> QuerySet[QueueEntry]:
    """A team's queue entries in ``run`` (default: the latest), best expected recovery first;
    ``pool_only`` keeps the accounts no collector had room for."""
    entries = _entries(run).filter(team=team)
    if pool_only:
        entries = entries.filter(collector__isnull=True)
    return entries.order_by("-expected_recovery_minor", "priority", "account_id")


def account_decision_history(*, account: Account) -> list[Decision]:
    """The account's decisions in every finished run, newest first."""
    return list(
        Decision.objects.filter(account=account, run__finished_at__isnull=False)
        .select_related("run")
        .order_by("-run__as_of", "-run__started_at")
    )


def account_queue_entry(*, account: Account, run: DecisionRun) -> QueueEntry | None:
    return (
        QueueEntry.objects.filter(run=run, account=account)
        .select_related("team", "collector__user")
        .first()
    )


@dataclass
class CollectorDay:
    """One collector's day: the outcomes they recorded (attempts, conversations with the
    debtor), the promises they took (how many, for how much) and those judged kept that day,
    the field visits they made, and the payments posted on the accounts of their queue."""

    collector: Collector
    attempts: int = 0
    right_party: int = 0
    promises_taken: int = 0
    promised: Recovery = field(default_factory=dict)
    promises_kept: int = 0
    visits: int = 0
    collected: Recovery = field(default_factory=dict)

    @property
    def worked(self) -> bool:
        return bool(self.attempts or self.promises_taken or self.promises_kept or self.visits
                    or self.collected)


def team_zone(team: Team, run: DecisionRun | None = None) -> ZoneInfo:
    """The time zone of the team's business day: that of the product most of its queued
    accounts belong to (the zone the cardholders' dates are kept in, like
    ``services.account_today``), else the installation's."""
    run = run or decision_run_latest()
    zone = None
    if run is not None:
        zone = (
            QueueEntry.objects.filter(run=run, team=team)
            .order_by()
            .values_list("account__product__time_zone")
            .annotate(n=Count("pk"))
            .order_by("-n", "account__product__time_zone")
            .values_list("account__product__time_zone", flat=True)
            .first()
        )
    return ZoneInfo(zone or settings.TIME_ZONE)


def team_today(team: Team, run: DecisionRun | None = None) -> date:
    """Today in the team's time zone (see :func:`team_zone`)."""
    return timezone.now().astimezone(team_zone(team, run)).date()


def _counts_by(rows: QuerySet, column: str) -> dict[int, int]:
    return dict(rows.order_by().values_list(column).annotate(n=Count("pk")))


def team_day(*, team: Team, day: date, run: DecisionRun | None = None) -> list[CollectorDay]:
    """Per active collector of ``team``: what they did on ``day``, a business day of the
    team's time zone from local midnight to midnight (see :func:`team_zone`)."""
    from arrears.workbench.models import Outcome
    from arrears.workbench.outcomes import UNANSWERED

    run = run or decision_run_latest()
    zone = team_zone(team, run)
    start = datetime.combine(day, time.min, zone)
    end = datetime.combine(day + timedelta(days=1), time.min, zone)
    seats = list(team.collectors.filter(active=True).select_related("user").order_by("pk"))
    users = [seat.user_id for seat in seats]
    outcomes = Outcome.objects.filter(actor_id__in=users, created_at__gte=start,
                                      created_at__lt=end)
    attempts = _counts_by(outcomes, "actor_id")
    right_party = _counts_by(outcomes.exclude(kind__in=[*UNANSWERED, "third_party"]),
                             "actor_id")
    promises = Promise.objects.filter(taken_by_id__in=users, taken_at__gte=start,
                                      taken_at__lt=end)
    taken = _counts_by(promises, "taken_by_id")
    promised: dict[int, Recovery] = {}
    for row in (promises.order_by().values("taken_by_id", currency=F("account__product__currency"))
                .annotate(total=Sum("amount_minor"))):
        promised[row["taken_by_id"]] = _recovery_add(
            promised.get(row["taken_by_id"], {}), {row["currency"]: row["total"] or 0})
    kept = _counts_by(Promise.objects.filter(taken_by_id__in=users, status="kept",
                                             evaluated_on=day), "taken_by_id")
    visits = _counts_by(VisitTask.objects.filter(collectors__in=users, visited_at__gte=start,
                                                 visited_at__lt=end), "collectors")
    collected: dict[int, Recovery] = {}
    if run is not None:
        paid = (
            Posting.objects.filter(
                kind=Posting.Kind.PAYMENT,
                posting_date=day,
                account__queue_entries__run=run,
                account__queue_entries__collector__in=seats,
            )
            .order_by()
            .values(
                "account__queue_entries__collector_id", currency=F("account__product__currency")
            )
            .annotate(total=Sum("amount_minor"))
        )
        for row in paid:
            seat_id = row["account__queue_entries__collector_id"]
            collected[seat_id] = _recovery_add(
                collected.get(seat_id, {}), {row["currency"]: row["total"] or 0}
            )
    return [
        CollectorDay(
            collector=seat,
            attempts=attempts.get(seat.user_id, 0),
            right_party=right_party.get(seat.user_id, 0),
            promises_taken=taken.get(seat.user_id, 0),
            promised=promised.get(seat.user_id, {}),
            promises_kept=kept.get(seat.user_id, 0),
            visits=visits.get(seat.user_id, 0),
            collected=collected.get(seat.pk, {}),
        )
        for seat in seats
    ]


def collector_names_for_run(run: DecisionRun) -> dict[int, str]:
    """Account id → the name of the collector whose queue of ``run`` holds it (the outbox's
    ``collector_name`` merge field); accounts in a team's unassigned pool are left out."""
    names = {}
    for account_id, first, last, username in QueueEntry.objects.filter(
        run=run, collector__isnull=False
    ).values_list(
        "account_id", "collector__user__first_name", "collector__user__last_name",
        "collector__user__username",
    ):
        names[account_id] = f"{last}{first}".strip() or username
    return names
