"""The nightly decision run: snapshot → pipeline → publish, after the cycle has aged the book.

The three parts are separate services so that the night (``arrears.night``) can run, record
and resume them one by one; :func:`decisions_run` chains them for callers that hold the rules.
The live rules themselves (scorecard, strategy, challenger tests, collectors) belong to the
apps above the batch and are gathered by the night (``arrears.night.steps.batch_rules_live``).
"""

import os
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from tqdm import tqdm

from arrears.audit.services import audit_record
from arrears.batch.engines import engine_for
from arrears.batch.models import DecisionRun
from arrears.batch.pipeline import BatchRules, PipelineError, PipelineResult, pipeline_run
from arrears.batch.publish import decisions_publish
from arrears.batch.snapshot import snapshot_write
from arrears.ledger.models import CycleRun
from arrears.portfolio.models import Account


class BatchError(Exception):
    """The decision run cannot run as asked; the message says why and what to do."""


def work_dir(as_of: date) -> Path:
    """Where a night's snapshot, decisions and queues files are kept (the last run's)."""
    return Path(settings.ARREARS_HOME) / "batch" / as_of.isoformat()


def cycle_done_check(as_of: date) -> None:
    """Refuse to decide a date the nightly cycle has not finished."""
    if not CycleRun.objects.filter(as_of=as_of, finished_at__isnull=False).exists():
        raise BatchError(_("The nightly cycle has not run for %(date)s; run 'arrears cycle "
                           "--as-of %(date)s' first.") % {"date": as_of})


def snapshot_take(*, as_of: date, progress: bool | Callable[[int], object] = False) -> Path:
    """Write ``as_of``'s decision snapshot file and return its path.

    Written beside and then renamed over the last one, so that a crash never leaves half a
    snapshot where the pipeline looks. ``progress``: True for a progress bar, or a callable
    given the number of accounts read after each chunk.
    """
    cycle_done_check(as_of)
    path = work_dir(as_of) / "snapshot.parquet"
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f"snapshot.{os.getpid()}.partial")
    if callable(progress):
        snapshot_write(as_of=as_of, path=partial, progress=progress)
    else:
        bar = tqdm(total=Account.objects.count(), unit="acct", desc=_("Decision snapshot"),
                   disable=not progress)
        snapshot_write(as_of=as_of, path=partial, progress=bar.update)
        bar.close()
    partial.replace(path)
    return path


def pipeline_decide(*, as_of: date, rules: BatchRules, engine: str = "duckdb",
                    snapshot_path: Path | None = None) -> PipelineResult:
    """Score, segment and decide ``as_of``'s snapshot into the decisions (and queues) files."""
    snapshot_path = snapshot_path or work_dir(as_of) / "snapshot.parquet"
    if not snapshot_path.is_file():
        raise BatchError(_("There is no decision snapshot for %(date)s (%(path)s); take it "
                           "first.") % {"date": as_of, "path": snapshot_path})
    try:
        return pipeline_run(snapshot_path=snapshot_path, out_dir=work_dir(as_of), rules=rules,
                            engine=engine_for(engine))
    except PipelineError as error:
        raise BatchError(str(error)) from error


def decisions_run(*, as_of: date, rules: BatchRules, engine: str = "duckdb",
                  progress: bool = False, actor=None, open_now: bool = True) -> DecisionRun:
    """Decide tonight's treatment of every account and publish the decisions (replacing
    ``as_of``'s run): snapshot, pipeline, publish.

    Runs after the nightly cycle for ``as_of`` (``cycle_run``), whose positions it reads. The
    queues and the outbox of the run are written by their own apps (see ``arrears.night``).
    """
    cycle_done_check(as_of)
    started_at, started = timezone.now(), time.monotonic()
    snapshot_path = snapshot_take(as_of=as_of, progress=progress)
    result = pipeline_decide(as_of=as_of, rules=rules, engine=engine,
                             snapshot_path=snapshot_path)
    run = decisions_publish(as_of=as_of, result=result, rules=rules, engine=engine,
                            started_at=started_at, open_now=open_now)
    decisions_audit(run, actor=actor, queued=result.queued, seconds=time.monotonic() - started)
    return run


def decisions_audit(run: DecisionRun, *, actor, queued: int, seconds: float) -> None:
    audit_record(actor=actor, action="decisions_run", object_type="decision_run",
                 object_id=run.pk, details={"as_of": run.as_of.isoformat(), "engine": run.engine,
                                            "accounts": run.accounts, "queued": queued,
                                            "seconds": round(seconds, 3)},
                 system="batch")
