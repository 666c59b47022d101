"""Writes for the work queues: publishing a night's queues, and the demo teams."""

from collections.abc import Iterable, Iterator, Mapping

import pyarrow as pa
from django.contrib.auth.models import Group, Permission, User
from django.db import connection, transaction

from arrears.batch.models import DecisionRun
from arrears.users.services import role_groups_ensure, user_create_for_role
from arrears.workbench.compile import QUEUE_COLUMNS
from arrears.workbench.models import Channel, Collector, QueueEntry, Team

PUBLISH_BATCH = 5000
_ENTRY_COLUMNS = (
    "run_id",
    "account_id",
    "team_id",
    "collector_id",
    "rank",
    "expected_recovery_minor",
    "treatment",
    "priority",
)

Assignments = pa.Table | pa.RecordBatchReader | Iterable[Mapping]


def _assignment_rows(assignments: Assignments) -> Iterator[dict]:
    if isinstance(assignments, pa.Table | pa.RecordBatchReader):
        batches = assignments.to_batches() if isinstance(assignments, pa.Table) else assignments
        for batch in batches:
            yield from batch.to_pylist()
    else:
        yield from assignments


def queues_publish(*, run: DecisionRun, assignments: Assignments) -> int:
    """Replace ``run``'s queue entries by ``assignments`` (rows of ``compile.QUEUE_COLUMNS``).

    Accepts a pyarrow table or record-batch reader (e.g. ``con.to_pyarrow_batches(queue)``)
    or any iterable of mappings. Written in bulk (COPY on PostgreSQL); returns the row count.
    """

    def entry_values(row: Mapping) -> tuple:
        missing = [name for name in QUEUE_COLUMNS if name not in row]
        if missing:
            raise ValueError(f"A queue assignment lacks the column(s): {', '.join(missing)}.")
        return (
            run.pk,
            row["account_id"],
            row["team_id"],
            row["collector_id"],
            row["queue_rank"],
            row["expected_recovery_minor"],
            row["treatment"],
            row["priority"],
        )

    rows = (entry_values(row) for row in _assignment_rows(assignments))
    written = 0
    with transaction.atomic():
        QueueEntry.objects.filter(run=run).delete()
        if connection.vendor == "postgresql":
            table = connection.ops.quote_name(QueueEntry._meta.db_table)
            columns = ", ".join(_ENTRY_COLUMNS)
            with connection.cursor() as cursor:
                with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    for values in rows:
                        copy.write_row(values)
                        written += 1
            return written
        chunk = []
        for values in rows:
            chunk.append(QueueEntry(**dict(zip(_ENTRY_COLUMNS, values, strict=True))))
            if len(chunk) == PUBLISH_BATCH:
                written += len(QueueEntry.objects.bulk_create(chunk))
                chunk = []
        written += len(QueueEntry.objects.bulk_create(chunk))
    return written


WORKBENCH_EDITORS = ("team_lead", "administrator")
_EDIT_PERMISSIONS = (
    "add_team",
    "change_team",
    "delete_team",
    "view_team",
    "add_collector",
    "change_collector",
    "delete_collector",
    "view_collector",
    "view_queueentry",
)


def workbench_permissions_grant() -> None:
    """Team leads and administrators may edit teams and collectors and read the queues."""
    permissions = Permission.objects.filter(
        content_type__app_label="workbench", codename__in=_EDIT_PERMISSIONS
    )
    for group in Group.objects.filter(name__in=WORKBENCH_EDITORS):
        group.permissions.add(*permissions)


# (name, channel, routing order, buckets); languages and regions: all.
DEMO_TEAMS = (
    ("Early-stage calls M1-M2", Channel.CALL, 10, "M1,M2"),
    ("Call centre", Channel.CALL, 20, ""),
    ("Field visits", Channel.FIELD_VISIT, 10, ""),
)
# (username, team, daily capacity, languages, buckets)
DEMO_COLLECTORS = (
    ("collector", "Early-stage calls M1-M2", 60, "", "M1,M2"),
    ("collector_en", "Early-stage calls M1-M2", 30, "en", ""),
    ("collector_late", "Call centre", 50, "", ""),
    ("field_agent", "Field visits", 8, "", ""),
)


@transaction.atomic
def teams_ensure_demo(*, password: str) -> list[str]:
    """The demo's teams and collectors; creates the collector users it needs (role collector,
    ``password``) and returns their usernames. A second run changes nothing."""
    role_groups_ensure()
    workbench_permissions_grant()
    teams = {}
    for name, channel, routing_order, buckets in DEMO_TEAMS:
        teams[name], _ = Team.objects.get_or_create(
            name=name,
            defaults={"channel": channel, "routing_order": routing_order, "buckets": buckets},
        )
    created = []
    for username, team_name, capacity, languages, buckets in DEMO_COLLECTORS:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = user_create_for_role(username=username, role="collector", password=password)
            created.append(username)
        Collector.objects.get_or_create(
            user=user,
            team=teams[team_name],
            defaults={"daily_capacity": capacity, "languages": languages, "buckets": buckets},
        )
    return created
