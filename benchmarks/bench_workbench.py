"""Load test of the collector's workbench: the account screen and the queue page, on a large
portfolio in PostgreSQL, with many collectors working at once.

    # once: a synthetic portfolio of 1M accounts with six months of history, loaded and aged
    .venv/bin/python benchmarks/bench_workbench.py prepare --accounts 1000000
    # then: 50 collectors, each opening its queue and the accounts in it, for 120 seconds
    .venv/bin/python benchmarks/bench_workbench.py run --users 50 --seconds 120

``prepare`` imports cardholders, contacts and accounts through ``arrears import`` and copies
the statements and postings straight in (see ``history_copy``), then runs the real nightly
cycle and decisions. The database is ``--database-url`` (default
``postgres://root@127.0.0.1:5432/bench_workbench``); ``prepare`` drops and creates it, so its
name must contain "bench". ``run`` starts ``arrears serve`` (gunicorn, one worker process per
core) on a free loopback port and drives it from one thread per user over real HTTP with real
sessions (log-in form, CSRF cookie). A user works five accounts of the queue, then goes back
to the queue; they read what a page shows before the next click, so each waits ``--think``
seconds (default 1 to 3, uniform) between requests, as a collector at the screen does;
``--think 0`` measures raw throughput instead. Only loopback is used and the run is bounded by
``--seconds``.

Targets (issue 6): the account screen ≤ 150 ms at p95 and the queue page ≤ 200 ms at p95.
"""

import argparse
import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlparse

import httpx

REPO = Path(__file__).resolve().parents[1]
ARREARS = str(Path(sys.executable).with_name("arrears"))
DEFAULT_URL = "postgres://root@127.0.0.1:5432/bench_workbench"
PASSWORD = "bench-password-1"
TEAM = "Bench phone team"
TARGETS_MS = {"account": 150, "queue": 200}


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", DEFAULT_URL))
    sub = parser.add_subparsers(dest="step", required=True)
    prepare = sub.add_parser("prepare", help="build the portfolio in the database")
    prepare.add_argument("--accounts", type=int, default=1_000_000)
    prepare.add_argument("--data", type=Path, default=REPO / "var" / "bench_workbench",
                         help="where the synthetic import files are (made when missing)")
    prepare.add_argument("--users", type=int, default=50, help="collector users to create")
    run = sub.add_parser("run", help="the load test")
    run.add_argument("--users", type=int, default=50)
    run.add_argument("--seconds", type=float, default=120)
    run.add_argument("--think", default="1,3", help="seconds between clicks: MIN,MAX")
    run.add_argument("--workers", type=int, default=os.cpu_count() or 1,
                     help="server worker processes")
    run.add_argument("--threads", type=int, default=8, help="threads per server process")
    return parser.parse_args()


def arrears(*args: str, url: str) -> None:
    env = dict(os.environ, DATABASE_URL=url, ARREARS_LANGUAGE="en")
    subprocess.run([ARREARS, *args], check=True, env=env)


def database_recreate(url: str) -> None:
    import psycopg

    name = urlparse(url).path.lstrip("/")
    if "bench" not in name:
        sys.exit(f"Refusing to drop database {name!r}: its name must contain 'bench'.")
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def prepare(options: argparse.Namespace) -> None:
    url, data = options.database_url, options.data
    if not (data / "postings.parquet").exists():
        shutil.rmtree(data, ignore_errors=True)
        arrears("synth", "--accounts", str(options.accounts), "--out", str(data), "--contacts",
                url="sqlite:///" + str(data.parent / "unused.sqlite3"))
    database_recreate(url)
    arrears("migrate", "--verbosity", "0", url=url)
    django_setup(url)
    from arrears.demo.services import demo_product_ensure

    demo_product_ensure()
    for kind in ("cardholders", "contacts", "accounts"):
        started = time.monotonic()
        arrears("import", kind, str(data / f"{kind}.parquet"), url=url)
        print(f"imported {kind} in {time.monotonic() - started:.0f} s", flush=True)
    started = time.monotonic()
    history_copy(url, data)
    print(f"copied statements and postings in {time.monotonic() - started:.0f} s", flush=True)
    as_of = last_cycle_day(url)
    started = time.monotonic()
    arrears("cycle", "--as-of", as_of.isoformat(), "--no-decisions", url=url)
    print(f"cycle in {time.monotonic() - started:.0f} s", flush=True)
    bench_users_ensure(url, options.users)
    started = time.monotonic()
    arrears("decisions", "--as-of", as_of.isoformat(), url=url)
    print(f"decisions and queues in {time.monotonic() - started:.0f} s", flush=True)


def history_copy(url: str, data: Path) -> None:
    """Six months of statements and postings (≈ 16M rows for 1M accounts) straight into their
    tables with COPY: a load-test shortcut, since the validating import path runs ≈ 20k rows a
    second (benchmarks/bench_import.py measures that) and would take hours here. DuckDB turns
    the import files into table rows (account external id → id, amounts → minor units)."""
    import duckdb
    import psycopg

    with psycopg.connect(url) as connection:
        accounts = connection.execute("SELECT external_id, id FROM portfolio_account").fetchall()
        duck = duckdb.connect()
        duck.execute("CREATE TABLE m (external_id VARCHAR, id BIGINT)")
        duck.executemany("INSERT INTO m VALUES (?, ?)", accounts)
        loads = {
            "portfolio_statement (external_id, cycle_date, due_date, statement_balance_minor, "
            "minimum_due_minor, created_at, account_id)":
                f"""SELECT s.external_id, s.cycle_date, s.due_date,
                           CAST(round(s.statement_balance * 100) AS BIGINT),
                           CAST(round(s.minimum_due * 100) AS BIGINT), now(), m.id
                    FROM read_parquet('{data / "statements.parquet"}') s
                    JOIN m ON m.external_id = s.account_id""",
            "ledger_posting (external_id, kind, amount_minor, component, posting_date, "
            "value_date, reason, source, created_at, account_id)":
                f"""SELECT p.external_id, p.kind, CAST(round(p.amount * 100) AS BIGINT),
                           coalesce(p.component, ''), p.posting_date, p.posting_date, '',
                           'import', now(), m.id
                    FROM read_parquet('{data / "postings.parquet"}') p
                    JOIN m ON m.external_id = p.account_id""",
        }
        for table, query in loads.items():
            csv_path = data / "copy.csv"
            duck.execute(f"COPY ({query}) TO '{csv_path}' (HEADER false)")
            with connection.cursor() as cursor, cursor.copy(
                    f"COPY {table} FROM STDIN (FORMAT csv)") as copy, open(csv_path, "rb") as f:
                while block := f.read(1 << 20):
                    copy.write(block)
            csv_path.unlink()
        connection.execute("ANALYZE")


def django_setup(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "arrears.settings")
    import django

    django.setup()


def last_cycle_day(url: str) -> date:
    """The last day the synthetic data speaks for: the last statement + 10 days, as the demo."""
    django_setup(url)
    from django.db.models import Max

    from arrears.portfolio.models import Statement

    return Statement.objects.aggregate(last=Max("cycle_date"))["last"] + timedelta(days=10)


def bench_users_ensure(url: str, users: int) -> None:
    """The default scorecard and strategy, and one phone team covering every bucket with
    ``users`` collectors of 60 accounts a day."""
    django_setup(url)
    from arrears.scoring.services import scorecard_ensure_default
    from arrears.strategy.services import strategy_ensure_default
    from arrears.users.services import role_groups_ensure, user_create_for_role
    from arrears.workbench.models import Channel, Collector, Team

    scorecard_ensure_default()
    strategy_ensure_default()
    role_groups_ensure()
    team, _ = Team.objects.get_or_create(name=TEAM, defaults={"channel": Channel.CALL,
                                                               "routing_order": 1})
    for number in range(1, users + 1):
        user = user_create_for_role(username=f"bench{number:03d}", role="collector",
                                    password=PASSWORD)
        Collector.objects.get_or_create(user=user, team=team, defaults={"daily_capacity": 60})


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def server_start(url: str, workers: int, threads: int) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = dict(os.environ, DATABASE_URL=url, ARREARS_LANGUAGE="en")
    process = subprocess.Popen(
        [ARREARS, "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers),
         "--threads", str(threads)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    for _attempt in range(100):
        try:
            httpx.get(base + "/login/", timeout=1)
            return process, base
        except httpx.TransportError:
            time.sleep(0.2)
    process.kill()
    sys.exit("The server did not start: " + process.stderr.read().decode()[-2000:])


def log_in(base: str, username: str) -> httpx.Client:
    client = httpx.Client(base_url=base, timeout=30, follow_redirects=False,
                          headers={"Accept-Language": "en"})
    client.get("/login/")
    token = client.cookies["csrftoken"]
    response = client.post("/login/", data={"username": username, "password": PASSWORD,
                                            "csrfmiddlewaretoken": token})
    if response.status_code != 302:
        sys.exit(f"Log-in of {username} failed ({response.status_code}).")
    return client


ACCOUNT_LINK = re.compile(r'href="(/work/accounts/\d+/)"')
# A collector works a few accounts, then goes back to the queue to see what is left.
ACCOUNTS_PER_QUEUE_VISIT = 5


class Worker(threading.Thread):
    """One collector: open the queue, then the accounts in it one by one, and again."""

    def __init__(self, client: httpx.Client, until: float, think: tuple[float, float],
                 samples: dict[str, list[float]], errors: list[str], seed: int):
        super().__init__(daemon=True)
        self.client, self.until, self.think = client, until, think
        self.samples, self.errors = samples, errors
        self.random = random.Random(seed)

    def timed_get(self, page: str, path: str) -> str | None:
        started = time.perf_counter()
        response = self.client.get(path)
        elapsed = (time.perf_counter() - started) * 1000
        if response.status_code != 200:
            self.errors.append(f"{path}: {response.status_code}")
            return None
        self.samples[page].append(elapsed)
        return response.text

    def pause(self) -> None:
        low, high = self.think
        if high > 0:
            time.sleep(self.random.uniform(low, high))

    def run(self) -> None:
        self.pause()  # collectors do not all click at the same instant
        while time.monotonic() < self.until:
            queue = self.timed_get("queue", "/work/")
            links = list(dict.fromkeys(ACCOUNT_LINK.findall(queue or "")))
            if not links:
                self.errors.append("queue without accounts")
                return
            for link in self.random.sample(links, min(ACCOUNTS_PER_QUEUE_VISIT, len(links))):
                if time.monotonic() >= self.until:
                    return
                self.pause()
                self.timed_get("account", link)
            self.pause()


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def run(options: argparse.Namespace) -> None:
    low, high = (float(part) for part in options.think.split(","))
    process, base = server_start(options.database_url, options.workers, options.threads)
    samples: dict[str, list[float]] = {"account": [], "queue": []}
    errors: list[str] = []
    try:
        clients = [log_in(base, f"bench{number:03d}") for number in range(1, options.users + 1)]
        for client in clients:  # warm-up, not timed: each worker process renders once
            client.get("/work/")
        until = time.monotonic() + options.seconds
        workers = [Worker(client, until, (low, high), samples, errors, seed)
                   for seed, client in enumerate(clients)]
        started = time.monotonic()
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
        elapsed = time.monotonic() - started
    finally:
        process.terminate()
        process.wait(timeout=30)
    total = sum(len(values) for values in samples.values())
    print(f"{options.users} users, {elapsed:.0f} s, {total} pages, {total / elapsed:.1f} pages/s, "
          f"think {low:g}-{high:g} s, {len(errors)} errors")
    for page, values in samples.items():
        if not values:
            print(f"{page}: no samples")
            continue
        p95 = percentile(values, 0.95)
        verdict = "ok" if p95 <= TARGETS_MS[page] else "OVER TARGET"
        print(f"{page:8} n={len(values):6} p50={statistics.median(values):7.1f} ms "
              f"p95={p95:7.1f} ms p99={percentile(values, 0.99):7.1f} ms "
              f"(target p95 ≤ {TARGETS_MS[page]} ms: {verdict})")
    for error in errors[:10]:
        print("error:", error)


def main() -> None:
    options = parse_args()
    sys.path.insert(0, str(REPO / "src"))
    if options.step == "prepare":
        prepare(options)
    else:
        run(options)


if __name__ == "__main__":
    main()
