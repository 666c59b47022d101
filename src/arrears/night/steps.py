"""The steps of the night, each a thin adapter over the service of the app that owns the work.

A step is a function ``step(ctx) -> StepResult``: it reads what the steps before it recorded
(``ctx.record(name)``, their ``StepRun.details``) and returns its counts and its own details.
Every step can run again for the same date with the same end result — nothing doubled,
nothing lost — which is what makes the night resumable after a crash
(:func:`arrears.night.services.night_run` redoes the step that did not finish):

- **import**: each file is imported all-or-nothing in one transaction and recorded in the
  step's details once committed; a rerun skips the files already in.
- **cycle**: the ledger's cycle re-ages to the date and posts only the charges not yet booked.
- **arrangements**: judging a promise or plan again gives the same status; reminders and
  plan charges have idempotency keys.
- **recall**: one statement recalls the placements whose window has ended; a rerun finds
  none left to recall.
- **snapshot** and **decisions**: files, written whole and renamed into place.
- **publish**: one transaction that replaces the date's decision run (not yet shown).
- **queues**: one transaction that replaces the run's queue entries.
- **outbox**: one transaction; every message has an idempotency key.
- **open**: shows the run to the workbench — the last write of the night's decisions.
- **send**: the outbox worker, which claims each message before sending it and reconciles
  the claims a crashed worker left.

This module is the only place that knows which app does what; each adapter is one call so
that a new implementation of a step (a set-based cycle, a staged import) is a one-line change.
"""

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from django.utils.translation import gettext as _

from arrears.arrangements.services import arrangements_evaluate
from arrears.batch.models import DecisionRun
from arrears.batch.pipeline import BatchRules, PipelineResult
from arrears.batch.publish import decision_run_open, decisions_publish, parquet_rows
from arrears.batch.services import (
    BatchError,
    decisions_audit,
    pipeline_decide,
    snapshot_take,
)
from arrears.channels.services import outbox_fill_for_run
from arrears.channels.worker import outbox_send
from arrears.imports.schemas import KINDS
from arrears.imports.services import ImportFileError, import_file
from arrears.ledger.cycle import cycle_run
from arrears.ledger.services import CycleError
from arrears.night import checkpoints
from arrears.recovery.services import placements_recall_due
from arrears.scoring.selectors import scorecard_live
from arrears.strategy.selectors import challenger_tests_active, strategy_live
from arrears.workbench.selectors import collector_names_for_run, collector_rows
from arrears.workbench.services import queues_publish


class StepError(Exception):
    """A step cannot do its work; the message says why and what to do."""


@dataclass
class StepResult:
    counts: dict = field(default_factory=dict)
    details: dict = field(default_factory=dict)
    skipped: bool = False


@dataclass
class StepContext:
    as_of: date
    actor: object = None
    files: Path | None = None
    progress: bool = False
    engine: str = "duckdb"
    send: bool = True
    #: ``record(step)`` → the details a finished step of this night left.
    record: Callable[[str], dict] = lambda step: {}
    #: what a step has already recorded in this attempt's earlier tries (import: files in).
    previous: dict = field(default_factory=dict)
    #: ``save(details)`` stores details of a step while it runs (import: file by file).
    save: Callable[[dict], None] = lambda details: None


# --- the adapters: one call into the app that owns the work ----------------------------------

def import_one(*, kind: str, path: Path, actor, progress: bool):
    return import_file(kind=kind, path=path, actor=actor, progress=progress)


def cycle_one(*, as_of: date, actor, progress: bool):
    """The ledger's set-based cycle; returns its CycleRun."""
    return cycle_run(as_of=as_of, actor=actor, progress=progress).run


# --- the steps -------------------------------------------------------------------------------

FILE_NAME = re.compile(r"^(?P<kind>[a-z]+)(?:[-_.].*)?\.(?:csv|txt|tsv|parquet)$", re.IGNORECASE)


def day_files(directory: Path) -> list[tuple[str, Path]]:
    """The import files of ``directory`` in import order: a file's name starts with its kind
    (``postings.csv``, ``statements-2026-03-01.parquet``). Anything else is refused."""
    if not directory.is_dir():
        raise StepError(_("The files directory %(dir)s does not exist.") % {"dir": directory})
    found, unknown = [], []
    for path in sorted(p for p in directory.iterdir() if p.is_file()
                       and not p.name.startswith(".")):
        match = FILE_NAME.match(path.name)
        kind = match and match.group("kind").lower()
        if kind not in KINDS:
            unknown.append(path.name)
        else:
            found.append((KINDS.index(kind), path.name, kind, path))
    if unknown:
        raise StepError(
            _("%(dir)s holds files whose name does not start with a kind (%(kinds)s): "
              "%(names)s") % {"dir": directory, "kinds": ", ".join(KINDS),
                              "names": ", ".join(unknown)})
    return [(kind, path) for _order, _name, kind, path in sorted(found)]


def _digest(path: Path) -> str:
    sha = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            sha.update(block)
    return sha.hexdigest()


def step_import(ctx: StepContext) -> StepResult:
    if ctx.files is None:
        return StepResult(skipped=True)
    imported = dict(ctx.previous.get("files", {}))
    counts = {"files": 0, "rows": 0, "created": 0, "updated": 0}
    for kind, path in day_files(ctx.files):
        digest = _digest(path)
        if imported.get(path.name) == digest:
            continue  # committed by an earlier try of this step
        try:
            report = import_one(kind=kind, path=path, actor=ctx.actor, progress=ctx.progress)
        except ImportFileError as error:
            raise StepError(f"{path.name}: {error}") from None
        if not report.committed:
            errors = "; ".join(str(e) for e in report.errors[:5])
            raise StepError(_("%(file)s was not imported (nothing of it was kept): %(errors)s")
                            % {"file": path.name, "errors": errors})
        imported[path.name] = digest
        ctx.save({"files": imported})
        counts["files"] += 1
        counts["rows"] += report.rows_read
        counts["created"] += report.created
        counts["updated"] += report.updated
    return StepResult(counts, {"files": imported})


def step_cycle(ctx: StepContext) -> StepResult:
    try:
        run = cycle_one(as_of=ctx.as_of, actor=ctx.actor, progress=ctx.progress)
    except CycleError as error:
        raise StepError(str(error)) from None
    return StepResult(
        {"accounts": run.accounts, "interest_postings": run.interest_postings,
         "fee_postings": run.fee_postings, "by_bucket": dict(run.counts_by_bucket)},
        {"cycle_run": run.pk})


def step_arrangements(ctx: StepContext) -> StepResult:
    report = arrangements_evaluate(ctx.as_of, actor=ctx.actor)
    return StepResult({"promises": dict(report.promises), "plans": dict(report.plans),
                       "settlements": dict(report.settlements), "reminders": report.reminders,
                       "reminder_errors": dict(report.reminder_errors)})


def step_recall(ctx: StepContext) -> StepResult:
    """Placements whose window ended come back to the bank before the night decides again."""
    return StepResult({"recalled": placements_recall_due(ctx.as_of, actor=ctx.actor)})


def step_snapshot(ctx: StepContext) -> StepResult:
    try:
        path = snapshot_take(as_of=ctx.as_of, progress=ctx.progress)
    except BatchError as error:
        raise StepError(str(error)) from None
    return StepResult({}, {"snapshot": str(path)})


def batch_rules_live(*, as_of: date) -> BatchRules:
    """The live scorecard and strategy, the challenger tests running on ``as_of``, and the
    collectors the queues are dealt to."""
    try:
        scorecard = scorecard_live()
    except LookupError as error:
        raise StepError(str(error)) from None
    strategy = strategy_live()
    if strategy is None:
        raise StepError(_("No strategy is live; load one with 'arrears strategy load FILE'."))
    return BatchRules(
        scorecard=scorecard, strategy=strategy,
        tests=challenger_tests_active(as_of=as_of, champion=strategy),
        collectors=list(collector_rows()),
        model_version=scorecard.name, strategy_version=strategy.label,
    )


def step_decisions(ctx: StepContext) -> StepResult:
    rules = batch_rules_live(as_of=ctx.as_of)
    snapshot = Path(ctx.record("snapshot")["snapshot"])
    try:
        result = pipeline_decide(as_of=ctx.as_of, rules=rules, engine=ctx.engine,
                                 snapshot_path=snapshot)
    except BatchError as error:
        raise StepError(str(error)) from None
    checkpoints.tick()
    return StepResult(
        {"accounts": result.accounts, "queued": result.queued,
         "by_treatment": result.counts_by_treatment},
        {"decisions": str(result.decisions_path),
         "queues": str(result.queues_path) if result.queues_path else "",
         "accounts": result.accounts, "queued": result.queued,
         "by_treatment": result.counts_by_treatment, "by_segment": result.counts_by_segment,
         "engine": ctx.engine, "model_version": rules.model_version,
         "strategy_version": rules.strategy_version})


def step_publish(ctx: StepContext) -> StepResult:
    decided = ctx.record("decisions")
    result = PipelineResult(
        decisions_path=Path(decided["decisions"]),
        queues_path=Path(decided["queues"]) if decided["queues"] else None,
        accounts=decided["accounts"], counts_by_treatment=decided["by_treatment"],
        counts_by_segment=decided["by_segment"], queued=decided["queued"])
    rules = BatchRules(scorecard=None, strategy=None, model_version=decided["model_version"],
                       strategy_version=decided["strategy_version"])
    run = decisions_publish(as_of=ctx.as_of, result=result, rules=rules,
                            engine=decided["engine"], open_now=False)
    return StepResult({"decisions": run.accounts}, {"decision_run": run.pk})


def _published_run(ctx: StepContext) -> DecisionRun:
    run = DecisionRun.objects.filter(pk=ctx.record("publish")["decision_run"]).first()
    if run is None:
        raise StepError(_("The decision run published for %(date)s is gone; run the night "
                          "again with --again.") % {"date": ctx.as_of})
    return run


def step_queues(ctx: StepContext) -> StepResult:
    run = _published_run(ctx)
    queues = ctx.record("decisions")["queues"]
    written = queues_publish(run=run, assignments=parquet_rows(Path(queues))) if queues else 0
    return StepResult({"queue_entries": written})


def outbox_fill(run: DecisionRun) -> int:
    """The outbox of a published run, with the names of the collectors its queues hold."""
    return outbox_fill_for_run(run, collector_names=collector_names_for_run(run))


def step_outbox(ctx: StepContext) -> StepResult:
    return StepResult({"messages": outbox_fill(_published_run(ctx))})


def step_open(ctx: StepContext) -> StepResult:
    run = decision_run_open(_published_run(ctx))
    decided = ctx.record("decisions")
    decisions_audit(run, actor=ctx.actor, queued=decided["queued"], seconds=run.seconds)
    return StepResult({"accounts": run.accounts}, {"decision_run": run.pk})


def step_send(ctx: StepContext) -> StepResult:
    if not ctx.send:
        return StepResult(skipped=True)
    report = outbox_send(progress=ctx.progress)
    return StepResult({"sent": report.sent, "delayed": report.delayed,
                       "blocked": report.blocked, "failed": report.failed})


#: The night, in order: (name, step, what it does — shown by ``arrears night --help``).
STEPS: tuple[tuple[str, Callable[[StepContext], StepResult]], ...] = (
    ("import", step_import),
    ("cycle", step_cycle),
    ("arrangements", step_arrangements),
    ("recall", step_recall),
    ("snapshot", step_snapshot),
    ("decisions", step_decisions),
    ("publish", step_publish),
    ("queues", step_queues),
    ("outbox", step_outbox),
    ("open", step_open),
    ("send", step_send),
)
STEP_NAMES = tuple(name for name, _step in STEPS)
#: From the cycle's positions to the decisions shown in the workbench (``arrears decisions``).
DECISION_STEPS = ("snapshot", "decisions", "publish", "queues", "outbox", "open")


def step_label(name: str) -> str:
    return {
        "import": _("Import the day's files"),
        "cycle": _("Cycle: interest, fees, aging"),
        "arrangements": _("Promises, plans, settlements"),
        "recall": _("Recall placements whose window ended"),
        "snapshot": _("Decision snapshot"),
        "decisions": _("Score, segment, decide"),
        "publish": _("Publish the decisions"),
        "queues": _("Work queues"),
        "outbox": _("Outbox"),
        "open": _("Show the night to the workbench"),
        "send": _("Send the outbox"),
    }[name]
