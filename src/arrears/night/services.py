"""The night as one service: :func:`night_run` runs the steps of ``arrears.night.steps`` in
order for a business date, each under a :class:`~arrears.night.models.StepRun` record.

- A step that is *done* (or *skipped*) is not run again: after a crash the night goes on from
  the step that did not finish, which runs again from its start (every step is safe to rerun;
  see the steps module).
- A night that is done says so (:class:`NightAlreadyDone`); ``again=True`` runs every step
  again, which changes nothing the first run did right and sends nothing twice.
- A step that fails is recorded *failed* with its error, and the night stops there.

Records are written outside the steps' own transactions, so they survive a crash of a step.
"""

import fcntl
import os
import tempfile
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from arrears.audit.services import audit_record
from arrears.night import checkpoints
from arrears.night.models import NightRun, Status, StepRun
from arrears.night.steps import STEPS, StepContext, StepError, StepResult

#: progress(event, step_run): "start" before a step, "end" after it (done, skipped or failed).
Progress = Callable[[str, StepRun], None]


class NightError(Exception):
    """The night cannot run as asked; the message says why."""


class NightAlreadyDone(NightError):
    """Every step of the night of this date is done."""


class NightStepFailed(NightError):
    """A step failed; the night stopped there (its record holds the error)."""

    def __init__(self, step_run: StepRun, message: str):
        super().__init__(message)
        self.step_run = step_run


#: The first key of the PostgreSQL advisory lock a night holds (the second is its date).
NIGHT_LOCK = 0x4E49474854 & 0x7FFFFFFF


def _already_running(as_of: date) -> NightError:
    return NightError(_("Another process is running the night of %(date)s; wait for it to end "
                        "(or for it to be stopped) and run again.") % {"date": as_of})


def night_lock_path() -> Path:
    """The nights' lock file on SQLite: beside the database file (every process on this
    machine that opens that database sees it); for an in-memory database, which only this
    process can open, one per process. One file for every date: SQLite has one writer, so
    two nights at once would only wait on each other."""
    if connection.is_in_memory_db():
        return Path(tempfile.gettempdir()) / f"arrears-{os.getpid()}-night.lock"
    return Path(f"{connection.settings_dict['NAME']}.night.lock")


@contextmanager
def night_lock(as_of: date) -> Iterator[None]:
    """Only one night per date at a time (on SQLite one night at a time); a killed process
    gives the lock back either way.
    PostgreSQL: a session advisory lock (released with the connection). SQLite: an exclusive
    ``flock`` on a lock file (released with the process's open files)."""
    if connection.vendor == "postgresql":
        with _advisory_lock(as_of):
            yield
    else:
        with _file_lock(night_lock_path(), as_of):
            yield


@contextmanager
def _advisory_lock(as_of: date) -> Iterator[None]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [NIGHT_LOCK, as_of.toordinal()])
        if not cursor.fetchone()[0]:
            raise _already_running(as_of)
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [NIGHT_LOCK, as_of.toordinal()])


@contextmanager
def _file_lock(path: Path, as_of: date) -> Iterator[None]:
    with path.open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise _already_running(as_of) from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _user(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


def night_prepare(*, as_of: date, actor=None, files: Path | None = None,
                  again: bool = False) -> NightRun:
    """The record of ``as_of``'s night with a record for every step (new ones pending)."""
    with transaction.atomic():
        night, _created = NightRun.objects.select_for_update().get_or_create(as_of=as_of)
        if night.status == Status.DONE and not again:
            raise NightAlreadyDone(
                _("The night of %(date)s is already done (finished %(at)s); use --again to "
                  "run it again.") % {"date": as_of, "at": night.finished_at})
        for position, (name, _step) in enumerate(STEPS, start=1):
            StepRun.objects.get_or_create(night=night, step=name,
                                          defaults={"position": position, "as_of": as_of})
        if again:
            night.steps.update(status=Status.PENDING, error="")
        night.status = Status.RUNNING
        night.started_at = night.started_at if night.attempts and not again else timezone.now()
        night.finished_at = None
        night.attempts += 1
        night.files = str(files or "")
        night.actor = _user(actor)
        night.save()
    return night


def night_run(*, as_of: date, actor=None, files: Path | None = None,
              progress: Progress | None = None, show_bars: bool = False, again: bool = False,
              send: bool = True, engine: str = "duckdb") -> NightRun:
    """Run (or resume) the night of ``as_of``: import ``files`` (a directory, optional) →
    cycle → arrangements → snapshot → decisions → publish → queues → outbox → open → send.

    Returns the NightRun, done; raises :class:`NightAlreadyDone`, or
    :class:`NightStepFailed` after recording the failed step.
    """
    if files is not None and not Path(files).is_dir():
        raise NightError(_("The files directory %(dir)s does not exist.") % {"dir": files})
    with night_lock(as_of):
        return _night_run(as_of=as_of, actor=actor, files=files, progress=progress,
                          show_bars=show_bars, again=again, send=send, engine=engine)


def _night_run(*, as_of, actor, files, progress, show_bars, again, send, engine) -> NightRun:
    night = night_prepare(as_of=as_of, actor=actor, files=files, again=again)
    records = {s.step: s for s in night.steps.all()}

    def record(name: str) -> dict:
        return records[name].details

    for name, step in STEPS:
        step_run = records[name]
        if step_run.status in (Status.DONE, Status.SKIPPED):
            if progress:
                progress("end", step_run)
            continue
        _step_once(night, step_run, step, StepContext(
            as_of=as_of, actor=actor, files=Path(files) if files else None,
            progress=show_bars, engine=engine, send=send, record=record,
            previous=step_run.details,
            save=lambda details, s=step_run: _details_save(s, details)), progress)
    night.status = Status.DONE
    night.finished_at = timezone.now()
    night.save(update_fields=["status", "finished_at"])
    audit_record(actor=actor, action="night_run", object_type="night", object_id=night.pk,
                 details={"as_of": as_of.isoformat(), "attempts": night.attempts,
                          "steps": {s.step: s.seconds for s in records.values()}},
                 system="night")
    return night


def _details_save(step_run: StepRun, details: dict) -> None:
    step_run.details = details
    step_run.save(update_fields=["details"])


def _step_once(night: NightRun, step_run: StepRun, step, ctx: StepContext,
               progress: Progress | None) -> None:
    step_run.status = Status.RUNNING
    step_run.started_at, step_run.finished_at = timezone.now(), None
    step_run.attempts += 1
    step_run.error = ""
    step_run.save()
    if progress:
        progress("start", step_run)
    started = time.monotonic()
    try:
        with checkpoints.step_checkpoints(step_run.step):
            result = step(ctx)
    except Exception as error:
        step_run.status = Status.FAILED
        step_run.error = (str(error) if isinstance(error, StepError)
                          else "".join(traceback.format_exception_only(error)).strip())[:4000]
        _finish(step_run, started)
        night.status = Status.FAILED
        night.save(update_fields=["status"])
        if progress:
            progress("end", step_run)
        raise NightStepFailed(step_run, _("The night of %(date)s stopped at the step "
                                          "%(step)s: %(error)s")
                              % {"date": night.as_of, "step": step_run.step,
                                 "error": step_run.error}) from error
    step_run.status = Status.SKIPPED if result.skipped else Status.DONE
    step_run.counts = result.counts
    step_run.details = result.details
    _finish(step_run, started)
    if progress:
        progress("end", step_run)


def _finish(step_run: StepRun, started: float) -> None:
    step_run.finished_at = timezone.now()
    step_run.seconds = round(time.monotonic() - started, 3)
    step_run.save()


def steps_run(*, as_of: date, names: tuple[str, ...], actor=None, show_bars: bool = False,
              send: bool = True, engine: str = "duckdb") -> dict[str, StepResult]:
    """Run some steps of the night in order, without the night's records (the single-step
    commands: ``arrears cycle``, ``arrears decisions``). A step reads the details the steps
    before it left in this call. Raises :class:`~arrears.night.steps.StepError`."""
    steps = dict(STEPS)
    unknown = [name for name in names if name not in steps]
    if unknown:
        raise ValueError(f"unknown step(s): {', '.join(unknown)}")
    results: dict[str, StepResult] = {}
    context = StepContext(as_of=as_of, actor=actor, progress=show_bars, engine=engine,
                          send=send, record=lambda name: results[name].details)
    for name in names:
        results[name] = steps[name](context)
    return results
