"""The queue assignment rule: capacity, skills, order, determinism; Ibis agrees with Python."""

import random
from collections import Counter

import ibis
import pyarrow as pa
import pytest

from arrears.workbench.compile import (
    QUEUE_COLUMNS,
    QueueInputError,
    collectors_table,
    queue_assign_reference,
    queue_columns,
)
from tests.workbench.conftest import scenario


def _covers(codes: str, value: str | None) -> bool:
    return codes == "" or (value or "") in codes.split(",")


def _team(team_id, channel="call", routing_order=10, languages="", regions="", buckets=""):
    return {
        "team_id": team_id,
        "team_channel": channel,
        "team_routing_order": routing_order,
        "team_languages": languages,
        "team_regions": regions,
        "team_buckets": buckets,
    }


def _seat(team, collector_id, capacity, order=0, languages="", regions="", buckets=""):
    return {
        **team,
        "collector_id": collector_id,
        "collector_order": order,
        "capacity": capacity,
        "languages": languages,
        "regions": regions,
        "buckets": buckets,
    }


def _decision(
    account_id, recovery, priority=5, treatment="call", bucket="M1", language="zh-hans", region=""
):
    return {
        "account_id": account_id,
        "treatment": treatment,
        "priority": priority,
        "expected_recovery_minor": recovery,
        "bucket": bucket,
        "language": language,
        "region": region,
    }


def _by_account(rows):
    return {row["account_id"]: row for row in rows}


def _ibis_queue(con, decisions, collectors):
    expr = queue_columns(
        ibis.memtable(pa.Table.from_pylist(decisions)), collectors_table(collectors)
    )
    return con.to_pyarrow(expr).to_pylist()


def test_capacity_then_pool_in_order_of_expected_recovery():
    team = _team(1)
    collectors = [_seat(team, 7, capacity=2), _seat(team, 8, capacity=1, order=1)]
    decisions = [_decision(n, recovery=n * 1000) for n in range(1, 7)]
    queue = _by_account(queue_assign_reference(decisions, collectors))

    # The three best accounts are dealt like cards: one each, then the one with room left.
    assert [(queue[n]["collector_id"], queue[n]["queue_rank"]) for n in (6, 5, 4)] == [
        (7, 1),
        (8, 1),
        (7, 2),
    ]
    # The rest wait in the team's pool, numbered in the same order.
    assert [(queue[n]["collector_id"], queue[n]["queue_rank"]) for n in (3, 2, 1)] == [
        (None, 1),
        (None, 2),
        (None, 3),
    ]


def test_a_full_collector_sits_out_while_the_others_are_dealt():
    team = _team(1)
    collectors = [_seat(team, 1, capacity=1), _seat(team, 2, capacity=3, order=1)]
    decisions = [_decision(n, recovery=100 - n) for n in range(1, 6)]
    queue = _by_account(queue_assign_reference(decisions, collectors))
    assert [queue[n]["collector_id"] for n in range(1, 6)] == [1, 2, 2, 2, None]


def test_ties_broken_by_priority_then_account():
    team = _team(1)
    decisions = [
        _decision(30, recovery=500, priority=3),
        _decision(10, recovery=500, priority=3),
        _decision(20, recovery=500, priority=1),
    ]
    queue = queue_assign_reference(decisions, [_seat(team, 1, capacity=5)])
    assert [row["account_id"] for row in sorted(queue, key=lambda r: r["queue_rank"])] == [
        20,
        10,
        30,
    ]


def test_skills_route_accounts_to_the_collector_who_can_work_them():
    team = _team(1)
    english = _seat(team, 1, capacity=10, languages="en")
    everyone = _seat(team, 2, capacity=10, order=1)
    decisions = [
        _decision(1, 900, language="en"),
        _decision(2, 800, language="zh-hans"),
        _decision(3, 700, language="en", bucket="M2"),
    ]
    queue = _by_account(queue_assign_reference(decisions, [english, everyone]))
    assert queue[1]["collector_id"] == 1
    assert queue[3]["collector_id"] == 1
    assert queue[2]["collector_id"] == 2  # the English specialist may not take a Chinese account


def test_a_generalist_gets_what_the_specialist_cannot_fit_in_a_later_round():
    team = _team(1)
    specialist = _seat(team, 1, capacity=1, languages="en")
    generalist = _seat(team, 2, capacity=3, order=1)
    decisions = [_decision(n, 1000 - n, language="en") for n in range(1, 5)]
    queue = _by_account(queue_assign_reference(decisions, [specialist, generalist]))
    assert queue[1]["collector_id"] == 1
    assert [queue[n]["collector_id"] for n in (2, 3, 4)] == [2, 2, 2]


def test_team_routing_order_channel_and_coverage():
    early = _team(1, routing_order=10, buckets="M1,M2")
    general = _team(2, routing_order=20)
    visits = _team(3, channel="field_visit", regions="TPE")
    collectors = [_seat(early, 1, 5), _seat(general, 2, 5), _seat(visits, 3, 5)]
    decisions = [
        _decision(1, 10, bucket="M1"),
        _decision(2, 10, bucket="M4"),
        _decision(3, 10, treatment="field_visit", region="TPE"),
        _decision(4, 10, treatment="field_visit", region="KHH"),  # no team covers it
        _decision(5, 10, treatment="sms"),  # not a queue treatment
    ]
    queue = _by_account(queue_assign_reference(decisions, collectors))
    assert {n: queue[n]["team_id"] for n in queue} == {1: 1, 2: 2, 3: 3}


def test_a_team_without_collectors_keeps_its_accounts_in_the_pool():
    team = _team(1)
    empty_team_row = {**_seat(team, None, 0), "collector_order": None}
    queue = queue_assign_reference([_decision(1, 10), _decision(2, 20)], [empty_team_row])
    assert [(r["account_id"], r["collector_id"], r["queue_rank"]) for r in queue] == [
        (2, None, 1),
        (1, None, 2),
    ]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_ibis_on_duckdb_gives_the_python_assignment(duckdb_con, seed):
    decisions, collectors = scenario(seed, 3000)
    expected = queue_assign_reference(decisions, collectors)
    got = _ibis_queue(duckdb_con, decisions, collectors)
    assert set(got[0]) == set(QUEUE_COLUMNS)
    assert _by_account(got) == _by_account(expected)
    # The scenario exercises what the rule is about: dealt accounts, pools and skipped rows.
    dealt = [row for row in expected if row["collector_id"] is not None]
    assert dealt and len(dealt) < len(expected) < len(decisions)


@pytest.mark.parametrize("seed", [4, 5])
def test_invariants_hold_on_varied_portfolios(duckdb_con, seed):
    decisions, collectors = scenario(seed, 2500)
    queue = _ibis_queue(duckdb_con, decisions, collectors)
    decision_of = _by_account(decisions)
    seat_of = {c["collector_id"]: c for c in collectors if c["collector_id"] is not None}

    load = Counter(row["collector_id"] for row in queue if row["collector_id"] is not None)
    for collector_id, accounts in load.items():
        assert accounts <= seat_of[collector_id]["capacity"]
    for row in queue:
        decision = decision_of[row["account_id"]]
        assert row["treatment"] == decision["treatment"] in ("call", "field_visit")
        if row["collector_id"] is not None:
            seat = seat_of[row["collector_id"]]
            assert seat["team_id"] == row["team_id"]
            assert _covers(seat["languages"], decision["language"])
            assert _covers(seat["regions"], decision["region"])
            assert _covers(seat["buckets"], decision["bucket"])

    # Every queue (a collector's or a pool) is numbered 1..n by expected recovery, best first.
    queues: dict[tuple, list[dict]] = {}
    for row in queue:
        queues.setdefault((row["team_id"], row["collector_id"]), []).append(row)
    for rows in queues.values():
        rows.sort(key=lambda r: r["queue_rank"])
        assert [r["queue_rank"] for r in rows] == list(range(1, len(rows) + 1))
        keys = [(-r["expected_recovery_minor"], r["priority"], r["account_id"]) for r in rows]
        assert keys == sorted(keys)

    # A pooled account no collector with room could have worked after the rounds is expected;
    # a pooled account better than something its skilled collector got is not.
    for row in queue:
        if row["collector_id"] is not None:
            continue
        decision = decision_of[row["account_id"]]
        for seat in seat_of.values():
            if seat["team_id"] != row["team_id"] or not (
                _covers(seat["languages"], decision["language"])
                and _covers(seat["regions"], decision["region"])
                and _covers(seat["buckets"], decision["bucket"])
            ):
                continue
            worked = [r for r in queue if r["collector_id"] == seat["collector_id"]]
            pooled_key = (-row["expected_recovery_minor"], row["priority"], row["account_id"])
            assert (
                all(
                    (-r["expected_recovery_minor"], r["priority"], r["account_id"]) < pooled_key
                    for r in worked
                )
                or len(worked) < seat["capacity"]
            )


def test_same_queues_whatever_the_input_order(duckdb_con):
    decisions, collectors = scenario(9, 1500)
    first = _ibis_queue(duckdb_con, decisions, collectors)
    shuffled = list(decisions)
    random.Random(1).shuffle(shuffled)
    again = _ibis_queue(duckdb_con, shuffled, list(reversed(collectors)))
    assert _by_account(first) == _by_account(again)


def test_no_collectors_and_no_decisions(duckdb_con):
    decisions, _ = scenario(2, 50)
    assert _ibis_queue(duckdb_con, decisions, []) == []
    assert queue_assign_reference(decisions, []) == []
    _, collectors = scenario(2, 0)
    empty = ibis.memtable(
        pa.table(
            {
                "account_id": pa.array([], pa.int64()),
                "treatment": pa.array([], pa.string()),
                "priority": pa.array([], pa.int32()),
                "expected_recovery_minor": pa.array([], pa.int64()),
                "bucket": pa.array([], pa.string()),
                "language": pa.array([], pa.string()),
                "region": pa.array([], pa.string()),
            }
        )
    )
    assert duckdb_con.to_pyarrow(queue_columns(empty, collectors_table(collectors))).num_rows == 0


def test_a_missing_column_is_named():
    decisions = ibis.memtable(pa.table({"account_id": [1], "treatment": ["call"]}))
    with pytest.raises(QueueInputError, match="expected_recovery_minor"):
        queue_columns(decisions, collectors_table([]))
