"""Publishing decisions in bulk: every row exactly, one run per date, re-runs replace."""

from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from arrears.batch.models import Decision, DecisionRun
from arrears.batch.pipeline import BatchRules, PipelineResult
from arrears.batch.publish import decisions_publish
from tests.factories import make_account

AS_OF = date(2026, 10, 10)


def _decisions_file(path: Path, accounts, treatment: str) -> PipelineResult:
    n = len(accounts)
    table = pa.table({
        "account_id": pa.array([a.pk for a in accounts], pa.int64()),
        "score": pa.array([500 + i for i in range(n)], pa.int32()),
        "probability_pay": pa.array([1 / (i + 3) for i in range(n)], pa.float64()),
        "score_band": pa.array(["A", "B", "E"] * (n // 3) + ["C"] * (n % 3)),
        "reason_1": pa.array(["DPD_HIGH"] * n),
        "reason_2": pa.array(["UTIL, \"high\""] * n),
        "reason_3": pa.array([""] * n),
        "segment": pa.array(["early" if i % 2 else "late" for i in range(n)]),
        "treatment": pa.array([treatment] * n),
        "template": pa.array(["" if i % 2 else "SMS-1" for i in range(n)]),
        "priority": pa.array([1 + i % 9 for i in range(n)], pa.int32()),
        "rule_id": pa.array([f"rule-{i % 4}" for i in range(n)]),
        "arm": pa.array(["champion"] * n),
        "expected_recovery_minor": pa.array([10**12 + i for i in range(n)], pa.int64()),
    })
    pq.write_table(table, path)
    return PipelineResult(path, None, n, {treatment: n}, {"early": n // 2, "late": n - n // 2})


def test_publish_writes_every_decision_exactly(db, tmp_path):
    accounts = [make_account() for _ in range(7)]
    result = _decisions_file(tmp_path / "d.parquet", accounts, "sms")
    rules = BatchRules(scorecard=None, strategy=None, model_version="m3", strategy_version="s9")

    run = decisions_publish(as_of=AS_OF, result=result, rules=rules, engine="duckdb")

    assert run.finished_at is not None and run.accounts == 7
    assert (run.model_version, run.strategy_version, run.engine) == ("m3", "s9", "duckdb")
    assert run.counts_by_treatment == {"sms": 7}
    expected = pq.read_table(result.decisions_path).to_pylist()
    stored = list(Decision.objects.filter(run=run).order_by("account_id").values(
        "account_id", *[k for k in expected[0] if k != "account_id"]))
    assert stored == expected


def test_publishing_a_date_again_replaces_its_run(db, tmp_path):
    accounts = [make_account() for _ in range(5)]
    rules = BatchRules(scorecard=None, strategy=None)
    decisions_publish(as_of=date(2026, 10, 9), rules=rules, engine="duckdb",
                      result=_decisions_file(tmp_path / "y.parquet", accounts, "letter"))
    decisions_publish(as_of=AS_OF, rules=rules, engine="duckdb",
                      result=_decisions_file(tmp_path / "a.parquet", accounts, "sms"))

    again = decisions_publish(as_of=AS_OF, rules=rules, engine="duckdb",
                              result=_decisions_file(tmp_path / "b.parquet", accounts[:3], "call"))

    assert DecisionRun.objects.filter(as_of=AS_OF).count() == 1
    today = Decision.objects.filter(run__as_of=AS_OF)
    assert sorted(today.values_list("treatment", flat=True)) == ["call"] * 3
    assert today.filter(run=again).count() == 3
    assert Decision.objects.filter(run__as_of=date(2026, 10, 9)).count() == 5
