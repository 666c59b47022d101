"""Dealing the night's call and visit decisions to teams and collectors, set-at-a-time.

``queue_columns`` is the queue step of the nightly batch: pure Ibis (joins and window
functions), so the same expression runs on DuckDB and PySpark. ``queue_assign_reference`` is
the same rule in plain Python, for tests and for reading. The rule (docs/queues.md):

1. **Team.** A decision whose treatment is ``call`` or ``field_visit`` goes to the first team,
   by (routing order, team id), whose channel is the treatment and which covers the account's
   language, region and bucket (a blank list covers all). No such team: no queue entry.
2. **Order.** Accounts are worked by expected recovery (probability of payment x balance,
   ``expected_recovery_minor``) highest first, then priority (1 first), then account id.
3. **Collectors.** Within the team, in ``ASSIGNMENT_ROUNDS`` rounds: every active collector
   with room offers to take the accounts of the team that match their skills and are not dealt
   yet, best first, as many as they have room for; an account offered by several collectors
   goes to the first of them in collector order (narrowest skills first, see
   ``arrears.workbench.selectors.collector_rows``). So no collector gets more than their daily
   capacity nor an account outside their skills, and the same input always gives the same queues.
4. **Pool.** What is not dealt after the rounds stays in the team's unassigned pool.

Each queue (a collector's, or a team's pool) is numbered 1, 2, … in the order of rule 2.
"""

from collections.abc import Iterable, Mapping

import ibis
import ibis.expr.types as ir
import pyarrow as pa

QUEUE_TREATMENTS = ("call", "field_visit")
ASSIGNMENT_ROUNDS = 3

#: One row per active collector (or one row per team without any, ``collector_id`` null).
COLLECTOR_SCHEMA = ibis.schema(
    {
        "team_id": "int64",
        "team_channel": "string",
        "team_routing_order": "int64",
        "team_languages": "string",
        "team_regions": "string",
        "team_buckets": "string",
        "collector_id": "int64",
        "collector_order": "int64",
        "capacity": "int64",
        "languages": "string",
        "regions": "string",
        "buckets": "string",
    }
)

#: What ``queue_columns`` returns, one row per queued account.
QUEUE_COLUMNS = (
    "account_id",
    "treatment",
    "priority",
    "expected_recovery_minor",
    "team_id",
    "collector_id",
    "queue_rank",
)

_DECISION_COLUMNS = (
    "account_id",
    "treatment",
    "priority",
    "expected_recovery_minor",
    "bucket",
    "language",
    "region",
)
_CELL = ("team_id", "language", "region", "bucket")


class QueueInputError(ValueError):
    """The decisions or collectors table lacks a column the queue step needs."""


def collectors_table(rows: Iterable[Mapping]) -> ir.Table:
    """The collectors as an in-memory Ibis table of ``COLLECTOR_SCHEMA`` (empty is fine)."""
    rows = [{name: row.get(name) for name in COLLECTOR_SCHEMA.names} for row in rows]
    return ibis.memtable(pa.Table.from_pylist(rows, schema=COLLECTOR_SCHEMA.to_pyarrow()))


def _require(table: ir.Table, names: Iterable[str], what: str) -> None:
    missing = [name for name in names if name not in table.columns]
    if missing:
        raise QueueInputError(f"The {what} table lacks the column(s): {', '.join(missing)}.")


def _covers(codes: ir.StringValue, value: ir.StringValue) -> ir.BooleanValue:
    """A blank code list covers every value; otherwise the value must be one of its codes."""
    comma = ibis.literal(",")
    return (codes == "") | comma.concat(codes, comma).contains(comma.concat(value, comma))


def _work_order(table: ir.Table) -> list:
    return [table.expected_recovery_minor.desc(), table.priority.asc(), table.account_id.asc()]


def queue_columns(decisions: ir.Table, collectors: ir.Table) -> ir.Table:
    """The queue entries for ``decisions``: one row per call or visit decision a team covers.

    ``decisions`` needs account_id, treatment, priority, expected_recovery_minor, bucket,
    language and region; ``collectors`` has ``COLLECTOR_SCHEMA``. Returns ``QUEUE_COLUMNS``;
    ``collector_id`` is null for the team's unassigned pool.
    """
    _require(decisions, _DECISION_COLUMNS, "decisions")
    _require(collectors, COLLECTOR_SCHEMA.names, "collectors")
    blank = ibis.literal("")
    queued = decisions.filter(decisions.treatment.isin(QUEUE_TREATMENTS)).select(
        account_id=decisions.account_id.cast("int64"),
        treatment=decisions.treatment,
        priority=decisions.priority.cast("int64"),
        expected_recovery_minor=decisions.expected_recovery_minor.cast("int64"),
        bucket=decisions.bucket.fill_null(blank),
        language=decisions.language.fill_null(blank),
        region=decisions.region.fill_null(blank),
    )

    # 1. Team: the first covering team in routing order.
    teams = collectors.select(
        "team_id",
        "team_channel",
        "team_routing_order",
        "team_languages",
        "team_regions",
        "team_buckets",
    ).distinct()
    routed = queued.join(
        teams,
        [
            queued.treatment == teams.team_channel,
            _covers(teams.team_languages, queued.language),
            _covers(teams.team_regions, queued.region),
            _covers(teams.team_buckets, queued.bucket),
        ],
    )
    routed = (
        routed.mutate(
            team_pick=ibis.row_number().over(
                group_by=routed.account_id,
                order_by=[routed.team_routing_order.asc(), routed.team_id.asc()],
            )
        )
        .filter(lambda t: t.team_pick == 0)
        .select(*queued.columns, "team_id")
    )

    # 3. Collectors. Only the best accounts of each skill cell (team, language, region, bucket)
    # can ever be offered: at most as many as the cell's collectors have room for in all.
    seats = collectors.filter(collectors.collector_id.notnull() & (collectors.capacity > 0))
    seats = seats.select(
        "team_id",
        "collector_id",
        "collector_order",
        "capacity",
        "languages",
        "regions",
        "buckets",
    )
    cells = routed.select(*_CELL).distinct()
    cell_capacity = (
        cells.join(
            seats,
            [
                cells.team_id == seats.team_id,
                _covers(seats.languages, cells.language),
                _covers(seats.regions, cells.region),
                _covers(seats.buckets, cells.bucket),
            ],
        )
        .group_by([cells[name] for name in _CELL])
        .aggregate(cell_capacity=seats.capacity.sum())
    )
    ranked = routed.mutate(
        cell_rank=ibis.row_number().over(group_by=list(_CELL), order_by=_work_order(routed))
    )
    candidates = ranked.join(cell_capacity, list(_CELL)).filter(
        lambda t: t.cell_rank < t.cell_capacity
    )
    pairs = candidates.join(
        seats,
        [
            candidates.team_id == seats.team_id,
            _covers(seats.languages, candidates.language),
            _covers(seats.regions, candidates.region),
            _covers(seats.buckets, candidates.bucket),
        ],
    ).select(
        account_id=candidates.account_id,
        expected_recovery_minor=candidates.expected_recovery_minor,
        priority=candidates.priority,
        collector_id=seats.collector_id,
        collector_order=seats.collector_order,
        remaining=seats.capacity,
    )

    assigned = None
    for _round in range(ASSIGNMENT_ROUNDS):
        open_pairs = pairs
        if assigned is not None:
            used = assigned.group_by("collector_id").aggregate(used=assigned.count())
            open_pairs = pairs.anti_join(assigned, "account_id")
            open_pairs = (
                open_pairs.left_join(used, "collector_id")
                .select(
                    *[open_pairs[name] for name in open_pairs.columns if name != "remaining"],
                    remaining=open_pairs.remaining - used.used.fill_null(0),
                )
                .filter(lambda t: t.remaining > 0)
            )
        offered = open_pairs.mutate(
            offer=ibis.row_number().over(
                group_by=open_pairs.collector_id, order_by=_work_order(open_pairs)
            )
        ).filter(lambda t: t.offer < t.remaining)
        accepted = (
            offered.mutate(
                pick=ibis.row_number().over(
                    group_by=offered.account_id,
                    order_by=[offered.collector_order.asc(), offered.collector_id.asc()],
                )
            )
            .filter(lambda t: t.pick == 0)
            .select("account_id", "collector_id")
        )
        assigned = accepted if assigned is None else assigned.union(accepted)

    dealt = assigned.rename(dealt_account_id="account_id")
    queue = routed.left_join(dealt, routed.account_id == dealt.dealt_account_id).select(
        *[
            routed[name]
            for name in (
                "account_id",
                "treatment",
                "priority",
                "expected_recovery_minor",
                "team_id",
            )
        ],
        collector_id=dealt.collector_id,
    )
    return queue.mutate(
        queue_rank=ibis.row_number().over(
            group_by=[queue.team_id, queue.collector_id], order_by=_work_order(queue)
        )
        + 1
    ).select(*QUEUE_COLUMNS)


def _covers_py(codes: str, value: str) -> bool:
    return codes == "" or value in codes.split(",")


def queue_assign_reference(
    decisions: Iterable[Mapping], collectors: Iterable[Mapping]
) -> list[dict]:
    """The rule of this module in plain Python, one account at a time: ``queue_columns`` rows."""
    collectors = list(collectors)
    teams = sorted(
        {row["team_id"]: row for row in collectors}.values(),
        key=lambda t: (t["team_routing_order"], t["team_id"]),
    )
    seats = sorted(
        (row for row in collectors if row["collector_id"] is not None and row["capacity"] > 0),
        key=lambda c: (c["collector_order"], c["collector_id"]),
    )

    def work_key(row: Mapping) -> tuple:
        return (-row["expected_recovery_minor"], row["priority"], row["account_id"])

    routed = []
    for decision in decisions:
        if decision["treatment"] not in QUEUE_TREATMENTS:
            continue
        row = {
            name: (decision[name] if decision[name] is not None else "")
            for name in _DECISION_COLUMNS
        }
        for team in teams:
            if (
                team["team_channel"] == row["treatment"]
                and _covers_py(team["team_languages"], row["language"])
                and _covers_py(team["team_regions"], row["region"])
                and _covers_py(team["team_buckets"], row["bucket"])
            ):
                routed.append({**row, "team_id": team["team_id"]})
                break
    routed.sort(key=work_key)

    worklists = {
        seat["collector_id"]: [
            row["account_id"]
            for row in routed
            if row["team_id"] == seat["team_id"]
            and _covers_py(seat["languages"], row["language"])
            and _covers_py(seat["regions"], row["region"])
            and _covers_py(seat["buckets"], row["bucket"])
        ]
        for seat in seats
    }
    room = {seat["collector_id"]: seat["capacity"] for seat in seats}
    dealt: dict[int, int] = {}
    for _round in range(ASSIGNMENT_ROUNDS):
        offers: dict[int, int] = {}
        for seat in seats:  # in collector order: the first offer for an account wins
            collector_id = seat["collector_id"]
            open_accounts = [a for a in worklists[collector_id] if a not in dealt]
            for account_id in open_accounts[: room[collector_id]]:
                offers.setdefault(account_id, collector_id)
        for account_id, collector_id in offers.items():
            dealt[account_id] = collector_id
            room[collector_id] -= 1

    ranks: dict[tuple, int] = {}
    queue = []
    for row in routed:
        collector_id = dealt.get(row["account_id"])
        key = (row["team_id"], collector_id)
        ranks[key] = ranks.get(key, 0) + 1
        queue.append(
            {
                "account_id": row["account_id"],
                "treatment": row["treatment"],
                "priority": row["priority"],
                "expected_recovery_minor": row["expected_recovery_minor"],
                "team_id": row["team_id"],
                "collector_id": collector_id,
                "queue_rank": ranks[key],
            }
        )
    return queue
