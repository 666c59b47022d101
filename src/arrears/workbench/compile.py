"""Dealing the night's call and visit decisions to teams and collectors, set-at-a-time.

``queue_columns`` is the queue step of the nightly batch: pure Ibis (joins and window
functions), so the same expression runs on DuckDB and PySpark. ``queue_assign_reference`` is
the same rule in plain Python, for tests and for reading. The rule (docs/queues.md):

1. **Team.** A decision whose treatment is ``call`` or ``field_visit`` goes to the first team,
   by (routing order, team id), whose channel is the treatment and which covers the account's
   language, region and bucket (a blank list covers all). No such team: no queue entry.
2. **Order.** Accounts are worked by expected recovery (probability of payment x balance,
   ``expected_recovery_minor``) highest first, then priority (1 first), then account id.
3. **Skill groups.** Active collectors of a team with the same skills (languages, regions,
   buckets) form a skill group with their capacities added up; a group's order is its first
   collector's (narrowest skills first, see ``arrears.workbench.selectors.collector_rows``).
   In ``ASSIGNMENT_ROUNDS`` rounds, every group with room offers to take the team's accounts
   that match its skills and are not dealt yet, best first, as many as it has room for; an
   account offered by several groups goes to the first of them in group order.
4. **Collectors.** A group deals its accounts like cards, best first: one to each of its
   collectors in collector order, round after round; a collector who is full sits out.
5. **Pool.** What is not dealt after the rounds stays in the team's unassigned pool.

So no collector gets more than their daily capacity nor an account outside their skills, and
the same input always gives the same queues. Each queue (a collector's, or a team's pool) is
numbered 1, 2, … in the order of rule 2.
"""

from collections.abc import Iterable, Mapping

import ibis
import ibis.expr.types as ir
import pyarrow as pa

QUEUE_TREATMENTS = ("call", "field_visit")
ASSIGNMENT_ROUNDS = 3

#: One row per active collector, or one row per team without any (``capacity`` 0 and
#: ``collector_id`` 0 or null).
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
_ROUTED_OUT = ("account_id", "treatment", "priority", "expected_recovery_minor", "team_id")
_KIND = ("treatment", "language", "region", "bucket")
_CELL = ("team_id", "language", "region", "bucket")
_SKILLS = ("team_id", "languages", "regions", "buckets")
_PAIR_COLUMNS = (
    "account_id",
    "expected_recovery_minor",
    "priority",
    "group_id",
    "group_order",
    "capacity",
)


class QueueInputError(ValueError):
    """The decisions or collectors table lacks a column the queue step needs."""


def collectors_table(rows: Iterable[Mapping]) -> ir.Table:
    """The collectors as an in-memory Ibis table of ``COLLECTOR_SCHEMA`` (empty is fine).

    A team row without a collector gets collector id 0 and capacity 0 rather than nulls:
    Ibis 12 on PySpark turns a whole int64 column with a null into nulls.
    """
    rows = [
        {name: row.get(name) for name in COLLECTOR_SCHEMA.names}
        | (
            {"collector_id": 0, "collector_order": 0, "capacity": 0}
            if row.get("collector_id") is None
            else {}
        )
        for row in rows
    ]
    return ibis.memtable(pa.Table.from_pylist(rows, schema=COLLECTOR_SCHEMA.to_pyarrow()))


def _require(table: ir.Table, names: Iterable[str], what: str) -> None:
    missing = [name for name in names if name not in table.columns]
    if missing:
        raise QueueInputError(f"The {what} table lacks the column(s): {', '.join(missing)}.")


def _covers(codes: ir.StringValue, value: ir.StringValue) -> ir.BooleanValue:
    """A blank code list covers every value; otherwise the value must be one of its codes."""
    comma = ibis.literal(",")
    return (codes == "") | comma.concat(codes, comma).contains(comma.concat(value, comma))


def _skill_match(skills: ir.Table, accounts: ir.Table) -> list[ir.BooleanValue]:
    return [
        _covers(skills.languages, accounts.language),
        _covers(skills.regions, accounts.region),
        _covers(skills.buckets, accounts.bucket),
    ]


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

    # 1. Team: the first covering team in routing order. Coverage is decided once per kind of
    # account (treatment, language, region, bucket), then joined to the accounts by equality.
    teams = collectors.select(
        "team_id",
        "team_channel",
        "team_routing_order",
        "team_languages",
        "team_regions",
        "team_buckets",
    ).distinct()
    kinds = queued.select(*_KIND).distinct()
    kind_team = kinds.join(
        teams,
        [
            kinds.treatment == teams.team_channel,
            _covers(teams.team_languages, kinds.language),
            _covers(teams.team_regions, kinds.region),
            _covers(teams.team_buckets, kinds.bucket),
        ],
    )
    kind_team = (
        kind_team.mutate(
            team_pick=ibis.row_number().over(
                group_by=[kind_team[name] for name in _KIND],
                order_by=[kind_team.team_routing_order.asc(), kind_team.team_id.asc()],
            )
        )
        .filter(lambda t: t.team_pick == 0)
        .select(*_KIND, "team_id")
    )
    routed = queued.join(kind_team, list(_KIND)).select(*queued.columns, "team_id")

    # 3. Skill groups: collectors of a team with the same skills share their capacity.
    seats = collectors.filter(collectors.collector_id.notnull() & (collectors.capacity > 0))
    groups = seats.group_by(list(_SKILLS)).aggregate(
        group_id=seats.collector_id.min(),
        group_order=seats.collector_order.min(),
        capacity=seats.capacity.sum(),
    )
    team_capacity = groups.group_by("team_id").aggregate(team_capacity=groups.capacity.sum())

    # Only the best accounts of a skill cell (team, language, region, bucket) can ever be
    # offered: fewer than the cell's groups have room for in all; and only the best of a
    # group's own list: fewer than its team has room for (each account ahead of an offered
    # one was either dealt or offered too).
    cells = routed.select(*_CELL).distinct()
    cell_groups = cells.join(
        groups, [cells.team_id == groups.team_id, *_skill_match(groups, cells)]
    ).select(
        *[cells[name] for name in _CELL],
        groups.group_id,
        groups.group_order,
        groups.capacity,
    )
    cell_capacity = cell_groups.group_by(list(_CELL)).aggregate(
        cell_capacity=cell_groups.capacity.sum()
    )
    ranked = routed.mutate(
        cell_rank=ibis.row_number().over(group_by=list(_CELL), order_by=_work_order(routed))
    )
    candidates = ranked.join(cell_capacity, list(_CELL)).filter(
        lambda t: t.cell_rank < t.cell_capacity
    )
    pairs = candidates.join(cell_groups, list(_CELL)).select(
        "account_id",
        "expected_recovery_minor",
        "priority",
        "team_id",
        "group_id",
        "group_order",
        "capacity",
    )
    pairs = pairs.mutate(
        group_rank=ibis.row_number().over(group_by=pairs.group_id, order_by=_work_order(pairs))
    )
    pairs = (
        pairs.join(team_capacity, "team_id")
        .filter(lambda t: t.group_rank < t.team_capacity)
        .select(*_PAIR_COLUMNS)
    )

    # Each round is a pass of window functions over the same pairs, so the expression grows
    # linearly with the rounds (no self-joins a backend would have to recompute).
    state = pairs.mutate(taken=ibis.literal(0, type="int64"))
    for _round in range(ASSIGNMENT_ROUNDS):
        state = state.mutate(
            account_done=state.taken.max().over(group_by=state.account_id),
            room=state.capacity - state.taken.sum().over(group_by=state.group_id),
        )
        state = state.mutate(open=(state.account_done == 0) & (state.room > 0))
        state = state.mutate(
            offer=ibis.row_number().over(
                group_by=[state.group_id, state.open], order_by=_work_order(state)
            )
        )
        state = state.mutate(offered=state.open & (state.offer < state.room))
        state = state.mutate(
            pick=ibis.row_number().over(
                group_by=[state.account_id, state.offered],
                order_by=[state.group_order.asc(), state.group_id.asc()],
            )
        )
        state = state.select(
            *_PAIR_COLUMNS,
            taken=ibis.ifelse(state.offered & (state.pick == 0), 1, state.taken),
        )
    taken = state.filter(state.taken == 1)
    taken = taken.mutate(
        deal=ibis.row_number().over(group_by=taken.group_id, order_by=_work_order(taken))
    )

    # 4. Deal like cards: the collectors' places at the table, level by level (a collector has
    # a place on levels 0 … capacity-1), in collector order; the n-th account takes the n-th.
    members = seats.join(groups, [seats[name] == groups[name] for name in _SKILLS]).select(
        groups.group_id, seats.collector_id, seats.collector_order, seats.capacity
    )
    levels = taken.select(level_group_id=taken.group_id, level=taken.deal)
    places = members.join(levels, members.group_id == levels.level_group_id).filter(
        lambda t: t.level < t.capacity
    )
    places = places.select(
        place_group_id=places.group_id,
        collector_id=places.collector_id,
        place=ibis.row_number().over(
            group_by=places.group_id,
            order_by=[places.level.asc(), places.collector_order.asc(), places.collector_id.asc()],
        ),
    )
    dealt = taken.join(
        places, [taken.group_id == places.place_group_id, taken.deal == places.place]
    ).select(dealt_account_id=taken.account_id, collector_id=places.collector_id)

    # Dealt accounts and the pool, as an inner join and an anti-join (an equality in a left
    # join lets Ibis 12 take the key from the right side, which is null for the pool).
    on_dealt = routed.account_id == dealt.dealt_account_id
    queue = routed.join(dealt, on_dealt).select(
        *[routed[name] for name in _ROUTED_OUT], collector_id=dealt.collector_id
    )
    pool = routed.anti_join(dealt, on_dealt).select(*_ROUTED_OUT, collector_id=ibis.null("int64"))
    queue = queue.union(pool, distinct=False)
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
    groups: dict[tuple, list[Mapping]] = {}  # skills → members, in collector order
    for seat in seats:
        groups.setdefault(tuple(seat[name] for name in _SKILLS), []).append(seat)

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

    def matches(skills: tuple, row: Mapping) -> bool:
        team_id, languages, regions, buckets = skills
        return (
            row["team_id"] == team_id
            and _covers_py(languages, row["language"])
            and _covers_py(regions, row["region"])
            and _covers_py(buckets, row["bucket"])
        )

    # Groups in group order: their first collector's (order, id).
    ordered = sorted(
        groups,
        key=lambda skills: (
            groups[skills][0]["collector_order"],
            groups[skills][0]["collector_id"],
        ),
    )
    worklists = {
        skills: [row["account_id"] for row in routed if matches(skills, row)] for skills in ordered
    }
    room = {skills: sum(seat["capacity"] for seat in groups[skills]) for skills in ordered}
    taken: dict[int, tuple] = {}
    for _round in range(ASSIGNMENT_ROUNDS):
        offers: dict[int, tuple] = {}
        for skills in ordered:  # in group order: the first offer for an account wins
            open_accounts = [a for a in worklists[skills] if a not in taken]
            for account_id in open_accounts[: room[skills]]:
                offers.setdefault(account_id, skills)
        for account_id, skills in offers.items():
            taken[account_id] = skills
            room[skills] -= 1

    dealt: dict[int, int] = {}
    for skills in ordered:
        members = groups[skills]
        places = [
            seat["collector_id"]
            for level in range(max(seat["capacity"] for seat in members))
            for seat in members
            if level < seat["capacity"]
        ]
        mine = [row["account_id"] for row in routed if taken.get(row["account_id"]) == skills]
        dealt.update(zip(mine, places, strict=False))

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


def queues_compile(decisions: ir.Table, collectors: Iterable[Mapping]) -> ir.Table:
    """The batch's "queues" compiler: :func:`queue_columns` over the collector rows
    (registered with ``arrears.batch.pipeline`` in ``WorkbenchConfig.ready``)."""
    return queue_columns(decisions, collectors_table(collectors))
