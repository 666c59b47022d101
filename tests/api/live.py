"""A real Arrears server for tests: ``arrears serve`` (gunicorn, 2 workers × 8 threads, as the
demo runs it) in a child process, on its own database — a SQLite file, or a scratch PostgreSQL
database next to the test database when the tests run on PostgreSQL."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import psycopg
from django.conf import settings

REPO = Path(__file__).resolve().parents[2]
STARTUP_SECONDS = 90


@dataclass(frozen=True)
class LiveServer:
    url: str
    token: str
    accounts: list[str]
    sqlite_file: Path | None

    def headers(self) -> dict:
        return {"Authorization": f"Bearer {self.token}"}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _postgres_url(name: str) -> str:
    database = settings.DATABASES["default"]
    user = database.get("USER") or "root"
    password = f":{database['PASSWORD']}" if database.get("PASSWORD") else ""
    host, port = database.get("HOST") or "127.0.0.1", database.get("PORT") or 5432
    return f"postgres://{user}{password}@{host}:{port}/{name}"


@contextmanager
def _scratch_postgres():
    name = f"{settings.DATABASES['default']['NAME']}_live"
    admin_url = _postgres_url("postgres")
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield _postgres_url(name)
    finally:
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def live_server(home: Path, *, accounts: int = 1, backend: str | None = None,
                extra_env: dict | None = None):
    """Start a server on ``backend`` ("sqlite", "postgresql"; default: the tests' database)."""
    backend = backend or settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    with (_scratch_postgres() if backend == "postgresql" else _no_scratch()) as pg_url:
        sqlite_file = None if pg_url else home / "live.sqlite3"
        env = {**os.environ, "ARREARS_HOME": str(home), "ARREARS_LANGUAGE": "en",
               "PYTHONPATH": os.pathsep.join([str(REPO / "src"), str(REPO)]),
               "DATABASE_URL": pg_url or f"sqlite:///{sqlite_file}", **(extra_env or {})}
        env.pop("DJANGO_SETTINGS_MODULE", None)
        seeded = subprocess.run([sys.executable, "-m", "tests.api.live_seed", str(accounts)],
                                env=env, cwd=REPO, capture_output=True, text=True, check=True)
        seed = json.loads(seeded.stdout.strip().splitlines()[-1])
        port = _free_port()
        server = subprocess.Popen(
            [sys.executable, "-m", "arrears.cli", "serve", "--port", str(port), "--workers",
             "2", "--threads", "8"], env=env, cwd=REPO, stdout=subprocess.DEVNULL,
            stderr=open(home / "server.log", "w"), start_new_session=True)  # noqa: SIM115
        try:
            url = f"http://127.0.0.1:{port}"
            _wait_until_up(url, server)
            yield LiveServer(url, seed["token"], seed["accounts"], sqlite_file)
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)


@contextmanager
def _no_scratch():
    yield None


def _wait_until_up(url: str, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the server stopped with status {server.returncode}")
        try:
            if httpx.get(f"{url}/login/", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise RuntimeError("the server did not start in time")
