"""The same expressions on PySpark and on DuckDB give exactly the same decisions and queues."""

import json
import random
from pathlib import Path
from types import SimpleNamespace

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from arrears.batch.engines import DuckDBEngine, EngineError, SparkEngine, engine_for
from arrears.batch.pipeline import (
    BatchRules,
    PipelineError,
    decisions_expr,
    expected_recovery_one,
    pipeline_run,
)
from arrears.batch.snapshot import HOLD_ORDER, SNAPSHOT_SCHEMA
from arrears.rules.aging import BUCKET_CODES
from arrears.scoring.scorecard import Scorecard
from arrears.scoring.services import DEFAULT_SCORECARD_PATH
from arrears.strategy.services import default_strategy_text

TREATMENTS = ("none", "sms", "call", "letter", "field_visit")


def synthetic_snapshot(path: Path, n: int, seed: int = 3) -> Path:
    """Snapshot rows spread over every bucket, hold and boundary the rules look at."""
    rng = random.Random(seed)
    rows = []
    for i in range(1, n + 1):
        bucket = rng.choice(BUCKET_CODES)
        limit = rng.choice([0, 500_000, 5_000_000, 20_000_000])
        balance = rng.choice([-5_000, 0, 99_999, 1_000_000, 30_000_000, rng.randint(0, 10**8)])
        rows.append({
            "account_id": i, "account_external_id": f"X{i}", "product": "CN-STD",
            "currency": "CNY", "bucket": bucket,
            "days_past_due": 0 if bucket == "M0" else rng.randint(1, 400),
            "cycles_delinquent": rng.randint(0, 8), "balance_minor": balance,
            "past_due_minor": rng.randint(0, 2_000_000), "credit_limit_minor": limit,
            "days_since_last_payment": rng.choice([0, 15, 30, 31, 60, 90, 181, 9999]),
            "payment_ratio_3m": rng.choice([0.0, 0.5, 0.9999, 1.0, 2.5, 10.0, rng.random()]),
            "utilisation": balance / limit if limit else 0.0, "promise_status": "none",
            "hold": rng.choice(("none",) * 6 + HOLD_ORDER),
            "previous_treatment": rng.choice(TREATMENTS),
            "language": rng.choice(["zh-hans", "zh-hans", "en"]),
            "region": rng.choice(["", "11", "31", "44"]), "vip": rng.random() < 0.05,
        })
    pq.write_table(pa.Table.from_pylist(rows, schema=SNAPSHOT_SCHEMA), path)
    return path


def rules() -> BatchRules:
    scorecard = Scorecard.from_json(json.loads(DEFAULT_SCORECARD_PATH.read_text())["scorecard"])
    champion = json.loads(default_strategy_text())
    challenger = json.loads(default_strategy_text().replace('"letter"', '"call"'))
    test = SimpleNamespace(name="calls-30", share_percent=30, challenger=challenger)
    collectors = [
        {"team_id": team, "team_channel": channel, "team_routing_order": order,
         "team_languages": "", "team_regions": regions, "team_buckets": "",
         "collector_id": 10 * team + k, "collector_order": 10 * team + k, "capacity": 7,
         "languages": "en" if k == 0 else "", "regions": "", "buckets": "M1" if k == 1 else ""}
        for team, channel, order, regions in ((1, "call", 1, "11,31"), (2, "call", 2, ""),
                                              (3, "field_visit", 1, ""))
        for k in range(3)
    ]
    return BatchRules(scorecard=scorecard, strategy=champion, tests=[test],
                      collectors=collectors)


def _sorted(path: Path, keys: list[str]) -> list[dict]:
    return pq.read_table(path).sort_by([(k, "ascending") for k in keys]).to_pylist()


@pytest.mark.spark
def test_pyspark_gives_exactly_the_duckdb_results(spark, tmp_path):
    snapshot = synthetic_snapshot(tmp_path / "snapshot.parquet", 1500)
    batch_rules = rules()

    on_duckdb = pipeline_run(snapshot_path=snapshot, out_dir=tmp_path / "duckdb",
                             rules=batch_rules, engine=DuckDBEngine())
    on_spark = pipeline_run(snapshot_path=snapshot, out_dir=tmp_path / "spark",
                            rules=batch_rules, engine=SparkEngine(session=spark))

    assert on_spark.accounts == on_duckdb.accounts == 1500
    assert on_spark.counts_by_treatment == on_duckdb.counts_by_treatment
    assert len(on_duckdb.counts_by_treatment) >= 5
    assert on_spark.counts_by_segment == on_duckdb.counts_by_segment
    spark_rows = _sorted(on_spark.decisions_path, ["account_id"])
    duckdb_rows = _sorted(on_duckdb.decisions_path, ["account_id"])
    # exp() differs in the last bit between Java (StrictMath) and C (libm): compare
    # probability_pay to 1e-12 and everything else, expected recovery included, exactly.
    for spark_row, duckdb_row in zip(spark_rows, duckdb_rows, strict=True):
        assert spark_row.pop("probability_pay") == pytest.approx(
            duckdb_row.pop("probability_pay"), rel=1e-12, abs=0)
    assert spark_rows == duckdb_rows
    assert on_duckdb.queued > 0
    assert _sorted(on_spark.queues_path, ["account_id"]) == \
        _sorted(on_duckdb.queues_path, ["account_id"])


def test_expected_recovery_is_rounded_half_up_on_what_is_owed(tmp_path):
    snapshot = synthetic_snapshot(tmp_path / "snapshot.parquet", 500)
    result = pipeline_run(snapshot_path=snapshot, out_dir=tmp_path / "out", rules=rules(),
                          engine=DuckDBEngine())
    balances = {r["account_id"]: r["balance_minor"] for r in pq.read_table(snapshot).to_pylist()}
    for row in pq.read_table(result.decisions_path).to_pylist():
        assert row["expected_recovery_minor"] == expected_recovery_one(
            row["probability_pay"], balances[row["account_id"]])
    assert expected_recovery_one(0.5, 3) == 2 and expected_recovery_one(0.9, -100) == 0


def test_a_strategy_the_compiler_refuses_is_a_clear_error(tmp_path):
    con = DuckDBEngine().connect()
    snapshot = con.read_parquet(str(synthetic_snapshot(tmp_path / "s.parquet", 10)))
    broken = BatchRules(scorecard=rules().scorecard, strategy={"nodes": [], "edges": []})

    with pytest.raises(PipelineError, match="The strategy cannot be compiled for the batch"):
        decisions_expr(snapshot, broken)


def test_a_snapshot_without_a_column_is_refused(tmp_path):
    con = DuckDBEngine().connect()
    snapshot = con.read_parquet(str(synthetic_snapshot(tmp_path / "s.parquet", 10)))

    with pytest.raises(PipelineError, match="lacks the column"):
        decisions_expr(snapshot.drop("hold"), rules())


def test_unknown_engine():
    with pytest.raises(EngineError, match="Unknown engine"):
        engine_for("oracle")
