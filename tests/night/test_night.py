"""``arrears night``: every step recorded, a done night says so, --again changes nothing, a
failed step is recorded and the night resumes from it; bad input is a clear error."""

import fcntl
import os
import subprocess
import sys
from contextlib import contextmanager
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

import arrears
from arrears.batch.models import Decision, DecisionRun
from arrears.channels.models import OutboxMessage
from arrears.ledger.models import Posting
from arrears.night.models import NightRun, StepRun
from arrears.night.steps import STEP_NAMES
from arrears.scoring.services import scorecard_ensure_default
from arrears.strategy.services import strategy_ensure_default
from arrears.workbench.models import QueueEntry
from tests.batch.conftest import AS_OF, portfolio_build

SRC = Path(arrears.__file__).parent.parent


def _night(*args, **options) -> str:
    out = StringIO()
    call_command("night", *args, as_of=AS_OF.isoformat(), no_progress=True, stdout=out,
                 **options)
    return out.getvalue()


def _state() -> tuple:
    return (Posting.objects.count(), Decision.objects.count(), QueueEntry.objects.count(),
            OutboxMessage.objects.count(), DecisionRun.objects.count())


@pytest.fixture
def portfolio(db, tmp_path):
    portfolio_build(tmp_path / "p", accounts=12)
    scorecard_ensure_default()


def test_the_night_runs_every_step_in_order_and_records_it(portfolio):
    strategy_ensure_default()
    out = _night()

    night = NightRun.objects.get(as_of=AS_OF)
    steps = list(night.steps.order_by("position"))
    assert [s.step for s in steps] == list(STEP_NAMES)
    assert night.status == "done" and night.attempts == 1
    assert steps[0].status == "skipped"  # no --files
    assert all(s.status == "done" and s.attempts == 1 for s in steps[1:])
    assert all(s.finished_at >= s.started_at for s in steps[1:])
    run = DecisionRun.objects.get(as_of=AS_OF)
    published = StepRun.objects.get(night=night, step="publish")
    assert published.details["decision_run"] == run.pk and run.finished_at is not None
    assert StepRun.objects.get(night=night, step="decisions").counts["accounts"] == 12
    assert Decision.objects.filter(run=run).count() == 12
    assert f"The night of {AS_OF} is done." in out
    for name in STEP_NAMES:
        assert f"\n{name} " in out  # the timings table
    assert "total" in out


def test_a_done_night_says_so_and_again_changes_nothing(portfolio):
    strategy_ensure_default()
    _night()
    before = _state()

    out = _night()
    assert "already done" in out and "--again" in out
    assert _state() == before

    _night(again=True)
    assert _state() == before
    night = NightRun.objects.get(as_of=AS_OF)
    assert night.attempts == 2 and night.status == "done"
    assert set(night.steps.exclude(step="import").values_list("attempts", flat=True)) == {2}


def test_a_failed_step_is_recorded_and_the_night_goes_on_from_it(portfolio):
    with pytest.raises(CommandError, match="stopped at the step decisions.*No strategy is live"):
        _night()
    night = NightRun.objects.get(as_of=AS_OF)
    assert night.status == "failed"
    failed = night.steps.get(step="decisions")
    assert failed.status == "failed" and "No strategy is live" in failed.error
    assert night.steps.get(step="publish").status == "pending"
    assert not DecisionRun.objects.exists()

    strategy_ensure_default()
    _night()

    night.refresh_from_db()
    attempts = dict(night.steps.values_list("step", "attempts"))
    assert night.status == "done"
    assert attempts["cycle"] == attempts["snapshot"] == 1  # done before: not run again
    assert attempts["decisions"] == 2 and attempts["publish"] == 1
    assert DecisionRun.objects.get(as_of=AS_OF).finished_at is not None


def test_the_days_files_are_imported_first_and_a_bad_file_stops_the_night(portfolio, tmp_path):
    strategy_ensure_default()
    files = tmp_path / "day"
    files.mkdir()
    (files / "postings-day.csv").write_text(
        "external_id,account_id,kind,amount,posting_date\n"
        "NIGHT-1,A1,payment,10.00,2026-10-09\n"
        "NIGHT-2,A404,payment,10.00,2026-10-09\n", encoding="utf-8")
    with pytest.raises(CommandError, match=r"postings-day.csv was not imported.*line 3"):
        _night(files=files)
    assert not Posting.objects.filter(external_id="NIGHT-1").exists()  # all-or-nothing
    assert NightRun.objects.get().steps.get(step="import").status == "failed"

    (files / "postings-day.csv").write_text(
        "external_id,account_id,kind,amount,posting_date\n"
        "NIGHT-1,A1,payment,10.00,2026-10-09\n", encoding="utf-8")
    _night(files=files)
    step = NightRun.objects.get().steps.get(step="import")
    assert step.status == "done" and list(step.details["files"]) == ["postings-day.csv"]
    assert Posting.objects.filter(external_id="NIGHT-1").count() == 1

    _night(files=files, again=True)  # the file already in is not imported twice
    assert Posting.objects.filter(external_id="NIGHT-1").count() == 1


def test_a_file_not_named_after_its_kind_is_refused(portfolio, tmp_path):
    strategy_ensure_default()
    files = tmp_path / "day"
    files.mkdir()
    (files / "export.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(CommandError, match="export.csv"):
        _night(files=files)


def _arrears(*args: str, home: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items()
           if k not in {"DATABASE_URL", "PYTEST_XDIST_WORKER"}}
    env.update(ARREARS_HOME=str(home), ARREARS_LANGUAGE="en",
               PYTHONPATH=os.pathsep.join([str(SRC), env.get("PYTHONPATH", "")]))
    return subprocess.run([sys.executable, "-m", "arrears.cli", *args], capture_output=True,
                          text=True, env=env, timeout=300)


def test_bad_input_is_a_clear_error_without_a_traceback(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    not_set_up = _arrears("night", "--as-of", "2026-10-10", home=home)
    assert not_set_up.returncode == 1 and "is not set up" in not_set_up.stderr
    assert _arrears("migrate", home=home).returncode == 0
    bad_date = _arrears("night", "--as-of", "2026-13-01", home=home)
    assert bad_date.returncode == 1 and "YYYY-MM-DD" in bad_date.stderr
    no_dir = _arrears("night", "--as-of", "2026-10-10", "--files", str(tmp_path / "nope"),
                      home=home)
    assert no_dir.returncode == 1 and "is not a directory" in no_dir.stderr
    for done in (not_set_up, bad_date, no_dir):
        assert "Traceback" not in done.stderr


def test_help_explains_the_steps_and_rerunning(tmp_path):
    done = _arrears("night", "--help", home=tmp_path)
    assert done.returncode == 0
    for name in STEP_NAMES:
        assert name in done.stdout
    assert "--again" in done.stdout and "--files" in done.stdout
    assert "run the same command again" in done.stdout
    zh = subprocess.run([sys.executable, "-m", "arrears.cli", "night", "--help"],
                        capture_output=True, text=True, timeout=300,
                        env={**os.environ, "ARREARS_HOME": str(tmp_path),
                             "ARREARS_LANGUAGE": "zh-hans",
                             "PYTHONPATH": str(SRC)})
    assert "步骤（按顺序）" in zh.stdout


def test_two_nights_of_one_date_do_not_run_at_once(portfolio):
    from django.db import connection

    from arrears.night.services import NightError, night_lock, night_run

    with _night_held_elsewhere(connection, AS_OF):
        with pytest.raises(NightError, match="Another process is running the night"):
            night_run(as_of=AS_OF)
        assert not NightRun.objects.exists()
    with night_lock(AS_OF):  # once the other one let go, this one may run
        pass


@contextmanager
def _night_held_elsewhere(connection, as_of):
    """The lock of ``as_of``'s night, taken as another process would take it: PostgreSQL's
    advisory lock from another connection; SQLite's lock file through another open file."""
    from arrears.night.services import NIGHT_LOCK, night_lock_path

    if connection.vendor == "postgresql":
        import psycopg

        settings_dict = connection.settings_dict
        other = psycopg.connect(host=settings_dict["HOST"] or "127.0.0.1",
                                port=settings_dict["PORT"] or 5432,
                                user=settings_dict["USER"], dbname=settings_dict["NAME"],
                                autocommit=True)
        try:
            other.execute("SELECT pg_advisory_lock(%s, %s)", [NIGHT_LOCK, as_of.toordinal()])
            yield
            other.execute("SELECT pg_advisory_unlock(%s, %s)", [NIGHT_LOCK, as_of.toordinal()])
        finally:
            other.close()
        return
    with night_lock_path().open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        yield
