"""The nightly decision run: snapshot → pipeline → publish, after the cycle has aged the book."""

import time
from datetime import date
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from tqdm import tqdm

from arrears.audit.services import audit_record
from arrears.batch.engines import engine_for
from arrears.batch.models import DecisionRun
from arrears.batch.pipeline import BatchRules, PipelineError, pipeline_run
from arrears.batch.publish import decisions_publish
from arrears.batch.snapshot import snapshot_write
from arrears.ledger.models import CycleRun
from arrears.portfolio.models import Account


class BatchError(Exception):
    """The decision run cannot run as asked; the message says why and what to do."""


def batch_rules_live(*, as_of: date) -> BatchRules:
    """The live scorecard and strategy, the challenger tests running on ``as_of``, and the
    collectors the queues are dealt to."""
    from arrears.scoring.selectors import scorecard_live
    from arrears.strategy.selectors import challenger_tests_active, strategy_live

    try:
        scorecard = scorecard_live()
    except LookupError as error:
        raise BatchError(str(error)) from None
    strategy = strategy_live()
    if strategy is None:
        raise BatchError(_("No strategy is live; load one with 'arrears strategy load FILE'."))
    try:
        from arrears.workbench.selectors import collector_rows
    except ImportError:  # queues are built once the workbench offers its collectors
        collectors = None
    else:
        collectors = list(collector_rows())
    return BatchRules(
        scorecard=scorecard, strategy=strategy,
        tests=challenger_tests_active(as_of=as_of, champion=strategy), collectors=collectors,
        model_version=scorecard.name, strategy_version=strategy.label,
    )


def work_dir(as_of: date) -> Path:
    """Where a night's snapshot, decisions and queues files are kept (the last run's)."""
    return Path(settings.ARREARS_HOME) / "batch" / as_of.isoformat()


def decisions_run(*, as_of: date, engine: str = "duckdb", progress: bool = False,
                  rules: BatchRules | None = None, actor=None) -> DecisionRun:
    """Decide tonight's treatment of every account and publish it (replacing ``as_of``'s run).

    Runs after the nightly cycle for ``as_of`` (``cycle_run``), whose positions it reads.
    """
    if not CycleRun.objects.filter(as_of=as_of, finished_at__isnull=False).exists():
        raise BatchError(_("The nightly cycle has not run for %(date)s; run 'arrears cycle "
                           "--as-of %(date)s' first.") % {"date": as_of})
    started_at, started = timezone.now(), time.monotonic()
    rules = rules or batch_rules_live(as_of=as_of)
    directory = work_dir(as_of)
    snapshot_path = directory / "snapshot.parquet"
    bar = tqdm(total=Account.objects.count(), unit="acct", desc=_("Decision snapshot"),
               disable=not progress)
    snapshot_write(as_of=as_of, path=snapshot_path, progress=bar.update)
    bar.close()
    try:
        result = pipeline_run(snapshot_path=snapshot_path, out_dir=directory, rules=rules,
                              engine=engine_for(engine))
    except PipelineError as error:
        raise BatchError(str(error)) from error
    run = decisions_publish(as_of=as_of, result=result, rules=rules, engine=engine,
                            started_at=started_at)
    audit_record(actor=actor, action="decisions_run", object_type="decision_run",
                 object_id=run.pk, details={"as_of": as_of.isoformat(), "engine": engine,
                                            "accounts": run.accounts, "queued": result.queued,
                                            "seconds": round(time.monotonic() - started, 3)},
                 system="batch")
    return run
