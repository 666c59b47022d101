"""The batch compiler gives zen-engine's answer for every row, and the arm hash is the same in
Python and DuckDB."""

import math
import random
from decimal import Decimal
from types import SimpleNamespace

import ibis
import pytest

from arrears.strategy.compile import (
    CHAMPION,
    StrategyCompileError,
    arm_bucket,
    arm_bucket_column,
    arm_column,
    arm_for,
    decision_columns,
    decisions_by_arm,
)
from arrears.strategy.jdm import BOOLEAN, FLOAT, INPUT_COLUMNS, INTEGER, SCORE_COLUMNS, parse
from arrears.strategy.services import SAMPLE_INPUT, decide_one
from tests.strategy.conftest import strategy_jdm

SCHEMA = {c: {INTEGER: "int64", FLOAT: "float64", BOOLEAN: "boolean"}.get(k, "string")
          for c, k in INPUT_COLUMNS.items()}
OUTPUTS = ["rule_id", "segment", "treatment", "template", "priority"]


def boundary_values(jdm: dict) -> dict[str, list]:
    """Each column's literals in the table and the values just either side of them."""
    values: dict[str, set] = {c: {SAMPLE_INPUT[c]} for c in INPUT_COLUMNS}
    for rule in parse(jdm).rules:
        for cell in rule.cells:
            for test in cell.tests:
                literals = test.value if test.op == "not_in" else (test.value, test.high)
                for v in literals:
                    if v is None:
                        continue
                    kind = INPUT_COLUMNS[cell.column]
                    if kind == INTEGER:
                        values[cell.column].update({int(v) - 1, int(v), int(v) + 1})
                    elif kind == FLOAT:
                        # zen-engine reads numbers as 28-digit decimals: nothing as tiny as
                        # the float next to 0 (docs/strategy.md, "Limits").
                        f = float(v)
                        near = ({math.nextafter(f, -math.inf), math.nextafter(f, math.inf)}
                                if f else {-1e-12, 1e-12})
                        values[cell.column].update({f, f - 0.001, f + 0.001, *near})
                    else:
                        values[cell.column].add(v)
    return {c: sorted(v, key=repr) for c, v in values.items()}


def synthetic_rows(jdm: dict, count: int, seed: int) -> list[dict]:
    rng = random.Random(seed)
    edges = boundary_values(jdm)
    buckets = ["M0", "M1", "M2", "M3", "M4", "M5", "M6", "M7+"]
    holds = ["none", "deceased", "bankruptcy", "dispute", "cease_contact", "complaint",
             "hardship"]
    treatments = ["none", "sms", "call", "letter", "card_block"]
    rows = []
    for number in range(count):
        dpd = rng.choice([0, rng.randint(1, 400)])
        row = {
            "account_id": number + 1, "account_external_id": f"A{number}",
            "product": rng.choice(["CN-STD", "CN-GOLD"]), "currency": "CNY",
            "bucket": rng.choice(buckets), "days_past_due": dpd,
            "cycles_delinquent": rng.randint(0, 8),
            "balance_minor": rng.choice([0, rng.randint(1, 20_000_000)]),
            "past_due_minor": rng.randint(0, 300), "credit_limit_minor": 5_000_000,
            "days_since_last_payment": rng.choice([9999, rng.randint(0, 400)]),
            "payment_ratio_3m": round(rng.uniform(0, 10), rng.choice([1, 6, 15])),
            "utilisation": rng.uniform(0, 2), "promise_status": rng.choice(
                ["none", "active", "kept", "broken"]),
            "hold": rng.choice(holds), "previous_treatment": rng.choice(treatments),
            "language": "zh-hans", "region": "", "vip": rng.random() < 0.2,
            "score": rng.randint(400, 700), "probability_pay": rng.random(),
            "score_band": rng.choice("ABCDE"), "reason_1": "", "reason_2": "", "reason_3": "",
        }
        # Half the rows take some columns from the table's own boundaries.
        if number % 2:
            for column in rng.sample(sorted(set(edges) - {"account_id"}), 6):
                row[column] = rng.choice(edges[column])
        if number % 10 == 3:  # not scored
            row.update({c: None for c in SCORE_COLUMNS})
        rows.append(row)
    return rows


def batch_decisions(rows: list[dict], strategy) -> dict[int, dict]:
    table = ibis.memtable({c: [r[c] for r in rows] for c in INPUT_COLUMNS}, schema=SCHEMA)
    frame = ibis.duckdb.connect().execute(
        decision_columns(table, strategy).select("account_id", *OUTPUTS))
    return {row.account_id: {o: getattr(row, o) for o in OUTPUTS}
            for row in frame.itertuples(index=False)}


def differences(rows, jdm) -> list:
    batch = batch_decisions(rows, jdm)
    found = []
    for row in rows:
        single = decide_one(row, strategy=jdm)
        compiled = batch[row["account_id"]]
        compiled["priority"] = int(compiled["priority"])
        if single != compiled:
            found.append((row, single, compiled))
    return found


@pytest.mark.parametrize("which", ["default_jdm", "forms_jdm"])
def test_batch_equals_zen_on_every_row(which, request):
    jdm = request.getfixturevalue(which)
    rows = synthetic_rows(jdm, 3000, seed=11)
    fired = {decide_one(r, strategy=jdm)["rule_id"] for r in rows}
    assert len(fired) >= len(parse(jdm).rules) * 0.75  # the rows exercise most rules
    assert differences(rows, jdm) == []


def test_floats_at_the_last_digit_agree(forms_jdm):
    # A float one step below 0.5 is below 0.5 on both sides (zen reads the JSON text exactly).
    base = dict(SAMPLE_INPUT, vip=False, utilisation=0.5, payment_ratio_3m=0.0)
    rows = [dict(base, account_id=i + 1, probability_pay=p) for i, p in enumerate(
        [math.nextafter(0.5, 0), 0.5, math.nextafter(0.5, 1), 0.49999999999999994])]
    assert [decide_one(r, strategy=forms_jdm)["rule_id"] for r in rows] == [
        "F-02", "F-11", "F-11", "F-02"]
    assert differences(rows, forms_jdm) == []


def test_missing_score_matches_zen(forms_jdm):
    row = dict(SAMPLE_INPUT, **{c: None for c in SCORE_COLUMNS}, days_past_due=40, vip=False,
               utilisation=0.1, payment_ratio_3m=0.0)
    # != "A" holds for a missing band in zen-engine, and so it must in the batch.
    assert decide_one(row, strategy=forms_jdm)["rule_id"] == "F-04"
    assert differences([row], forms_jdm) == []


def test_a_missing_column_is_a_compile_error(default_jdm):
    table = ibis.table({"account_id": "int64", "bucket": "string"}, name="snapshot")
    with pytest.raises(StrategyCompileError, match="rule CN-HOLD-01 reads column hold"):
        decision_columns(table, default_jdm)


def test_arm_hash_is_the_same_in_python_and_duckdb():
    ids = list(range(1, 100_001))
    table = ibis.memtable({"account_id": ids}, schema={"account_id": "int64"})
    expr = table.mutate(bucket=arm_bucket_column(table.account_id, "sms-first"))
    frame = ibis.duckdb.connect().execute(expr.order_by("account_id"))
    assert frame["bucket"].tolist() == [arm_bucket(i, "sms-first") for i in ids]


def test_share_is_kept_and_tests_are_independent():
    ids = range(1, 100_001)
    first = SimpleNamespace(name="letters-early", share_percent=Decimal("10"))
    second = SimpleNamespace(name="calls-late", share_percent=Decimal("25.5"))
    in_first = {i for i in ids if arm_for(i, [first]) == "letters-early"}
    in_second = {i for i in ids if arm_for(i, [second]) == "calls-late"}
    assert abs(len(in_first) - 10_000) < 400  # 4 standard deviations
    assert abs(len(in_second) - 25_500) < 560
    assert abs(len(in_first & in_second) - 2_550) < 200  # about 10 % × 25.5 %
    assert {arm_for(i, [first]) for i in range(1, 50)} <= {CHAMPION, "letters-early"}


def test_arm_column_matches_python_and_challenger_rows_use_the_challenger(default_jdm):
    challenger = strategy_jdm([("X-01", {}, "email", 4)])
    test = SimpleNamespace(name="all-email", share_percent=Decimal("30"), challenger=challenger)
    rows = synthetic_rows(default_jdm, 2000, seed=5)
    table = ibis.memtable({c: [r[c] for r in rows] for c in INPUT_COLUMNS}, schema=SCHEMA)
    frame = ibis.duckdb.connect().execute(
        decisions_by_arm(table, champion=default_jdm, tests=[test]).select(
            "account_id", "arm", "rule_id", "treatment"))
    armed = ibis.duckdb.connect().execute(arm_column(table, [test]).select("account_id", "arm"))
    by_id = {r.account_id: r for r in frame.itertuples(index=False)}
    assert dict(armed.itertuples(index=False, name=None)) == {
        r["account_id"]: arm_for(r["account_id"], [test]) for r in rows}
    for row in rows:
        decided = by_id[row["account_id"]]
        strategy = challenger if decided.arm == "all-email" else default_jdm
        assert decided.rule_id == decide_one(row, strategy=strategy)["rule_id"]
    assert 450 < sum(r.arm == "all-email" for r in by_id.values()) < 750
