"""The nightly decisions as one Ibis expression: snapshot → score → arm → decide → recovery.

:func:`decisions_expr` is pure Ibis built by the scorecard and strategy compilers, so the same
expression runs on DuckDB and on PySpark (``arrears.batch.engines``). :func:`pipeline_run` runs
it from a snapshot Parquet file to a decisions Parquet file and then builds the queues from
those decisions. Nothing is held in Python: the engine streams file to file.

``expected_recovery_minor`` = probability of payment × balance owed (a credit balance counts
as 0), in minor units, rounded half up: ``floor(p × b + 0.5)`` computed in double precision,
the same arithmetic on every engine and in :func:`expected_recovery_one`.
"""

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import ibis
import ibis.expr.types as ir
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext as _

from arrears.batch.snapshot import SNAPSHOT_COLUMNS
from arrears.scoring.compile import score_columns

SCORE_COLUMNS = ("score", "probability_pay", "score_band", "reason_1", "reason_2", "reason_3")
DECISION_COLUMNS = ("segment", "treatment", "template", "priority", "rule_id", "arm")
#: The columns of the decisions file: what is published, plus what the queues need.
OUTPUT_COLUMNS = ("account_id", "bucket", "language", "region", *SCORE_COLUMNS,
                  *DECISION_COLUMNS, "expected_recovery_minor")


class PipelineError(Exception):
    """The batch cannot be built or run as asked; the message says why."""


# The apps above the batch lend it their compilers (registered in their ``AppConfig.ready``),
# so that the batch never imports them: "decide" — the strategy's
# ``decisions_by_arm(scored, champion=, tests=)``; "queues" — the workbench's
# ``queues_compile(decisions, collectors)``.
_COMPILERS: dict[str, Callable[..., ir.Table]] = {}


def compiler_register(name: str, compile_: Callable[..., ir.Table]) -> None:
    """Lend the batch the compiler ``name`` ("decide" or "queues")."""
    _COMPILERS[name] = compile_


def _compiler(name: str) -> Callable[..., ir.Table]:
    try:
        return _COMPILERS[name]
    except KeyError:
        raise ImproperlyConfigured(f"No {name!r} compiler is registered with the batch; the "
                                   "strategy and workbench apps register theirs.") from None


@dataclass(frozen=True)
class BatchRules:
    """What tonight's decisions are made with."""

    scorecard: object
    strategy: object
    tests: Sequence = ()
    collectors: list[dict] | None = None
    model_version: str = ""
    strategy_version: str = ""


@dataclass
class PipelineResult:
    decisions_path: Path
    queues_path: Path | None
    accounts: int
    counts_by_treatment: dict[str, int] = field(default_factory=dict)
    counts_by_segment: dict[str, int] = field(default_factory=dict)
    queued: int = 0
    seconds: float = 0.0
    decisions_seconds: float = 0.0


def expected_recovery_one(probability_pay: float, balance_minor: int) -> int:
    return math.floor(probability_pay * max(balance_minor, 0) + 0.5)


def expected_recovery(probability_pay: ir.FloatingValue,
                      balance_minor: ir.IntegerValue) -> ir.IntegerValue:
    owed = ibis.greatest(balance_minor, 0).cast("float64")
    return (probability_pay.cast("float64") * owed + 0.5).floor().cast("int64")


def _compile(step: str, build, *args, **kwargs) -> ir.Table:
    try:
        return build(*args, **kwargs)
    except Exception as e:  # any failure to build the expression is the compiler's refusal
        raise PipelineError(_("The %(step)s cannot be compiled for the batch: %(reason)s")
                            % {"step": step, "reason": e}) from e


def decisions_expr(snapshot: ir.Table, rules: BatchRules) -> ir.Table:
    """The decisions of every snapshot row, as an expression (:data:`OUTPUT_COLUMNS`)."""
    missing = [c for c in SNAPSHOT_COLUMNS if c not in snapshot.columns]
    if missing:
        raise PipelineError(_("The snapshot lacks the column(s): %(names)s")
                            % {"names": ", ".join(missing)})
    scored = _compile(_("scorecard"), score_columns, snapshot, rules.scorecard)
    decided = _compile(_("strategy"), _compiler("decide"), scored, champion=rules.strategy,
                       tests=rules.tests)
    decided = decided.mutate(
        expected_recovery_minor=expected_recovery(decided.probability_pay, decided.balance_minor)
    )
    return decided.select(*OUTPUT_COLUMNS)


def queues_expr(decisions: ir.Table, rules: BatchRules) -> ir.Table | None:
    """Tonight's call and visit queues, or None when no collectors are set up."""
    if rules.collectors is None:
        return None
    return _compile(_("queue assignment"), _compiler("queues"), decisions, rules.collectors)


def _counts(con, table: ir.Table, column: str) -> dict[str, int]:
    counted = con.to_pyarrow(table.group_by(column).aggregate(n=table.count())).to_pydict()
    return {str(k): int(v) for k, v in zip(counted[column], counted["n"], strict=True)}


def pipeline_run(
    *, snapshot_path: Path, out_dir: Path, rules: BatchRules, engine
) -> PipelineResult:
    """Snapshot file → decisions file (and queues file) on ``engine``; counts for the run."""
    started = time.monotonic()
    out_dir.mkdir(parents=True, exist_ok=True)
    con = engine.connect()
    snapshot = engine.read(con, snapshot_path)
    decisions_path = out_dir / "decisions.parquet"
    engine.write(con, decisions_expr(snapshot, rules), decisions_path)
    decided_after = time.monotonic() - started

    decisions = engine.read(con, decisions_path)
    result = PipelineResult(decisions_path, None, con.to_pyarrow(decisions.count()).as_py(),
                            decisions_seconds=decided_after)
    result.counts_by_treatment = _counts(con, decisions, "treatment")
    result.counts_by_segment = _counts(con, decisions, "segment")
    queues = queues_expr(decisions, rules)
    if queues is not None:
        result.queues_path = out_dir / "queues.parquet"
        engine.write(con, queues, result.queues_path)
        result.queued = con.to_pyarrow(engine.read(con, result.queues_path).count()).as_py()
    result.seconds = time.monotonic() - started
    return result
