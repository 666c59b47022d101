"""Kill the night in the middle of every step, run it again, and get what an uninterrupted
night gets: the same positions, postings, decisions, queues and outbox — nothing doubled,
nothing lost.

Real processes and a real SIGKILL: ``arrears night`` runs in a subprocess against its own
database (a SQLite file, or a PostgreSQL database made from a template when the suite runs
on PostgreSQL). The kill lands inside a step deterministically: an uninterrupted night first
counts each step's checkpoints (its SQL statements, ``arrears.night.checkpoints``); the
crashing run is told to stop at the middle checkpoint of one step, writes a file there and
waits; the test sees the file and kills the process with SIGKILL.
"""

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import psycopg
import pytest
from django.conf import settings

import arrears

SRC = Path(arrears.__file__).parent.parent
ACCOUNTS = 60

SETUP = """
from datetime import date
from pathlib import Path
import django, sys
django.setup()
from arrears.demo.services import demo_product_ensure, demo_users_ensure
from arrears.scoring.services import scorecard_ensure_default
from arrears.scoring.taiwan import taiwan_csv_path, taiwan_export
from arrears.strategy.services import strategy_ensure_default
from arrears.workbench.services import teams_ensure_demo
demo_product_ensure()
demo_users_ensure(password="resume-test-1")
teams_ensure_demo(password="resume-test-1")
scorecard_ensure_default()
strategy_ensure_default()
export = taiwan_export(source=taiwan_csv_path(), out_dir=Path(sys.argv[1]),
                       anchor=date(2026, 10, 1), limit=int(sys.argv[2]))
print(export.timeline.data_end.isoformat())
"""

# Everything the night produces, keyed by what is stable across databases (external ids,
# not primary keys: a rolled-back import still uses up PostgreSQL sequence numbers).
DUMP = """
import json, re, sys
from datetime import date
import django
django.setup()
from django.db.models import Count, Sum
from arrears.batch.models import Decision, DecisionRun
from arrears.channels.models import OutboxMessage
from arrears.ledger.models import AccountPosition, BucketChange, CycleRun, Posting
from arrears.night.models import NightRun
from arrears.portfolio.models import Account, Statement
from arrears.selfservice.models import AccessLink
from arrears.workbench.models import QueueEntry
as_of = date.fromisoformat(sys.argv[1])
def stable_key(key, external_id):
    # decision:<date>:<account pk>:<treatment> — the account by its external id instead
    parts = key.split(":")
    if parts[0] == "decision":
        parts[2] = external_id
    return ":".join(parts)
def without_token(body):
    # a self-service link's token is random in every database; how many links there are and
    # whose they are is compared below
    return re.sub(r"/self/l/[^/\\s]+/", "/self/l/TOKEN/", body)
def rows(qs, *fields):
    return sorted([list(map(str, r)) for r in qs.values_list(*fields)])
runs = DecisionRun.objects.filter(as_of=as_of)
run = runs.get()
out = {
  "accounts": rows(Account.objects, "external_id", "product__code", "credit_limit_minor"),
  "statements": rows(Statement.objects, "account__external_id", "cycle_date",
                     "minimum_due_minor"),
  "postings": rows(Posting.objects, "account__external_id", "external_id", "kind",
                   "amount_minor", "posting_date", "source"),
  "posting_sums": rows(Posting.objects.values("kind").annotate(n=Count("id"),
                       s=Sum("amount_minor")).order_by(), "kind", "n", "s"),
  "positions": rows(AccountPosition.objects, "account__external_id", "as_of", "bucket",
                    "days_past_due", "cycles_delinquent", "principal_minor", "interest_minor",
                    "fees_minor", "past_due_minor", "accrued_through"),
  "bucket_changes": rows(BucketChange.objects, "account__external_id", "changed_on",
                         "from_bucket", "to_bucket", "days_past_due"),
  "cycles_finished": CycleRun.objects.filter(as_of=as_of, finished_at__isnull=False).count(),
  "decision_runs": [runs.count(), run.finished_at is not None, run.accounts],
  "decisions": rows(Decision.objects.filter(run=run), "account__external_id", "score",
                    "score_band", "segment", "treatment", "template", "priority", "rule_id",
                    "arm", "expected_recovery_minor"),
  "all_decisions": Decision.objects.count(),
  "queues": rows(QueueEntry.objects.filter(run=run), "account__external_id", "team__name",
                 "collector__user__username", "rank", "treatment", "priority"),
  "all_queue_entries": QueueEntry.objects.count(),
  "outbox": sorted([stable_key(r[0], r[1])] + [without_token(str(v)) for v in r[1:]] for r in
                   OutboxMessage.objects.values_list(
                       "idempotency_key", "account__external_id", "channel", "template_code",
                       "status", "recipient", "body", "gate_verdict")),
  "self_service_links": rows(AccessLink.objects.values("account__external_id")
                             .annotate(n=Count("id")).order_by(), "account__external_id", "n"),
  "night": list(NightRun.objects.filter(as_of=as_of).values_list("status", flat=True)),
}
print(json.dumps(out))
"""

EXPIRE_LEASES = """
from datetime import timedelta
import django
django.setup()
from django.utils import timezone
from arrears.channels.models import OutboxMessage
print(OutboxMessage.objects.filter(status="sending").update(
    claimed_until=timezone.now() - timedelta(seconds=1)))
"""


class Database:
    """A database of its own for one night: a SQLite file, or a PostgreSQL database."""

    def __init__(self, home: Path, url: str | None):
        self.home, self.url = home, url
        home.mkdir(parents=True, exist_ok=True)

    def env(self, **extra) -> dict:
        env = {k: v for k, v in os.environ.items()
               if k not in {"DATABASE_URL", "PYTEST_XDIST_WORKER"}
               and not k.startswith("ARREARS_NIGHT_")}
        env.update(ARREARS_HOME=str(self.home), ARREARS_LANGUAGE="en",
                   DJANGO_SETTINGS_MODULE="arrears.settings",
                   PYTHONPATH=os.pathsep.join([str(SRC), env.get("PYTHONPATH", "")]), **extra)
        if self.url:
            env["DATABASE_URL"] = self.url
        return env

    def run(self, *args: str, timeout: int = 600, **extra) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, *args], capture_output=True, text=True,
                              env=self.env(**extra), timeout=timeout)

    def night(self, as_of: str, files: Path, **extra) -> subprocess.CompletedProcess:
        return self.run("-m", "arrears.cli", "night", "--as-of", as_of, "--files", str(files),
                        "--no-progress", **extra)

    def dump(self, as_of: str) -> dict:
        done = self.run("-c", DUMP, as_of)
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)


class Server:
    """Makes the databases: copies of a set-up template (file copy or CREATE DATABASE …
    TEMPLATE)."""

    def __init__(self, tmp: Path):
        self.tmp = tmp
        db = settings.DATABASES["default"]
        self.postgres = db["ENGINE"].endswith("postgresql")
        self.made: list[str] = []
        if self.postgres:
            self.conninfo = (f"host={db['HOST'] or '127.0.0.1'} port={db['PORT'] or 5432} "
                             f"user={db['USER']} dbname=postgres")
            if db.get("PASSWORD"):
                self.conninfo += f" password={db['PASSWORD']}"
            self.prefix = f"night_resume_{uuid.uuid4().hex[:8]}"

    def url(self, name: str) -> str | None:
        if not self.postgres:
            return None
        db = settings.DATABASES["default"]
        password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
        return (f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:"
                f"{db['PORT'] or 5432}/{self.prefix}_{name}")

    def _sql(self, statement: str) -> None:
        with psycopg.connect(self.conninfo, autocommit=True) as connection:
            connection.execute(statement)

    def template(self) -> Database:
        if self.postgres:
            self._sql(f"CREATE DATABASE {self.prefix}_template")
            self.made.append(f"{self.prefix}_template")
        return Database(self.tmp / "template", self.url("template"))

    def copy(self, name: str) -> Database:
        home = self.tmp / name
        if self.postgres:
            self._sql(f"CREATE DATABASE {self.prefix}_{name} TEMPLATE {self.prefix}_template")
            self.made.append(f"{self.prefix}_{name}")
        else:
            home.mkdir(parents=True)
            shutil.copy(self.tmp / "template" / "arrears.sqlite3", home / "arrears.sqlite3")
        return Database(home, self.url(name))

    def drop_all(self) -> None:
        for name in reversed(self.made):
            self._sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture(scope="module")
def night_setup(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("resume")
    server = Server(tmp)
    try:
        template = server.template()
        done = template.run("-m", "arrears.cli", "migrate")
        assert done.returncode == 0, done.stderr
        files = tmp / "files"
        done = template.run("-c", SETUP, str(files), str(ACCOUNTS))
        assert done.returncode == 0, done.stderr
        as_of = done.stdout.strip().splitlines()[-1]
        reference = server.copy("reference")
        counts_file = tmp / "counts.json"
        done = reference.night(as_of, files, ARREARS_NIGHT_COUNT_FILE=str(counts_file))
        assert done.returncode == 0, done.stdout + done.stderr
        yield {"server": server, "files": files, "as_of": as_of,
               "expected": reference.dump(as_of),
               "counts": json.loads(counts_file.read_text())}
    finally:
        server.drop_all()


def _killed_in_the_middle(database: Database, as_of: str, files: Path, step: str,
                          at: int) -> str:
    marker = database.home / "paused"
    env = database.env(ARREARS_NIGHT_PAUSE=f"{step}:{at}", ARREARS_NIGHT_PAUSE_FILE=str(marker))
    process = subprocess.Popen(
        [sys.executable, "-m", "arrears.cli", "night", "--as-of", as_of, "--files", str(files),
         "--no-progress"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 300
    while not marker.exists():
        if process.poll() is not None:
            out, err = process.communicate()
            pytest.fail(f"the night ended before the pause at {step}:{at}\n{out}\n{err}")
        assert time.monotonic() < deadline, f"no pause at {step}:{at}"
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    process.communicate(timeout=60)
    assert process.returncode == -signal.SIGKILL
    return marker.read_text()


def test_the_uninterrupted_night_publishes_everything(night_setup):
    expected = night_setup["expected"]
    assert expected["night"] == ["done"]
    assert expected["decision_runs"] == [1, True, ACCOUNTS]
    assert len(expected["accounts"]) == ACCOUNTS and len(expected["decisions"]) == ACCOUNTS
    assert expected["postings"] and expected["queues"] and expected["outbox"]
    assert set(night_setup["counts"]) >= {"import", "cycle", "publish", "outbox", "send"}


@pytest.mark.parametrize("step", ["import", "cycle", "arrangements", "snapshot", "decisions",
                                  "publish", "queues", "outbox", "open", "send"])
def test_a_night_killed_inside_a_step_and_run_again_ends_as_if_never_killed(night_setup, step):
    setup = night_setup
    count = setup["counts"].get(step, 0)
    if count < 1:
        pytest.fail(f"the step {step} has no checkpoint to stop at")
    database = setup["server"].copy(f"kill_{step}")
    where = _killed_in_the_middle(database, setup["as_of"], setup["files"], step,
                                  max(1, count // 2))
    assert where == f"{step}:{max(1, count // 2)}"

    again = database.night(setup["as_of"], setup["files"])

    assert again.returncode == 0, again.stdout + again.stderr
    assert "Traceback" not in again.stderr
    if step == "send":
        # The messages the killed worker had claimed stay "sending" until their lease runs
        # out (never sent twice: one may have reached the gateway); then the worker settles
        # them. Let the lease run out, and send.
        done = database.run("-c", EXPIRE_LEASES)
        assert done.returncode == 0 and int(done.stdout) > 0, done.stdout + done.stderr
        done = database.run("-m", "arrears.cli", "outbox", "send", "--no-progress")
        assert done.returncode == 0, done.stdout + done.stderr
    got = database.dump(setup["as_of"])
    for key, value in setup["expected"].items():
        assert got[key] == value, key
