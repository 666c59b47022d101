"""The README's first command on a fresh clone: ``git clone`` into an empty directory, then
``bash scripts/start.sh`` — install, database, the demo portfolio, its users, its night and
the web server — until the first page shows the demo portfolio. Nothing beside the clone is
used; the install is real (uv's or pip's download cache may make it quick).

It runs once per CI run, in the SQLite pass (start.sh's own database is SQLite either way).
"""

import os
import re
import signal
import socket
import subprocess
import time
from pathlib import Path

import httpx
import pytest

REPOSITORY = Path(__file__).resolve().parents[2]
READY_WITHIN = 30 * 60  # seconds; the figure itself is measured in docs/operations.md

pytestmark = pytest.mark.skipif(
    bool(os.environ.get("DATABASE_URL")),
    reason="start.sh uses its own SQLite database: run once, in the SQLite pass",
)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class StartScript:
    """``bash scripts/start.sh`` in ``clone``, its output collected as it comes."""

    def __init__(self, clone: Path, port: int, locale: str):
        env = {key: value for key, value in os.environ.items()
               if not key.startswith(("ARREARS_", "DATABASE_URL", "DJANGO_", "VIRTUAL_ENV",
                                      "PYTHONPATH", "LC_"))}
        env.update(PORT=str(port), LANG=locale)
        self.log = clone / f"start-{locale}.log"
        with self.log.open("w") as out:
            self.process = subprocess.Popen(
                ["bash", "scripts/start.sh"], cwd=clone, env=env, stdout=out,
                stderr=subprocess.STDOUT, start_new_session=True)

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def wait_for(self, pattern: str, timeout: float) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            text = self.output()
            if re.search(pattern, text):
                return text
            if self.process.poll() is not None:
                pytest.fail(f"start.sh ended with {self.process.returncode}:\n{text}")
            time.sleep(1)
        pytest.fail(f"start.sh did not get to {pattern!r} in {timeout} s:\n{self.output()}")

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


def logged_in_portfolio(base: str, username: str, password: str) -> httpx.Response:
    with httpx.Client(base_url=base, timeout=120) as client:
        login = client.get("/login/")
        assert login.status_code == 200
        answer = client.post("/login/", data={
            "username": username, "password": password,
            "csrfmiddlewaretoken": client.cookies["csrftoken"],
        }, headers={"Referer": f"{base}/login/"})
        assert answer.status_code == 302, answer.text[:2000]
        return client.get("/")


@pytest.fixture(scope="module")
def clone(tmp_path_factory):
    target = tmp_path_factory.mktemp("fresh") / "arrears"
    subprocess.run(["git", "clone", "--quiet", str(REPOSITORY), str(target)], check=True,
                   timeout=300)
    assert not (target / ".venv").exists() and not (target / "var").exists()
    return target


@pytest.fixture(scope="module")
def first_start(clone):
    """The first ``start.sh`` on the clone, up to the first portfolio page (then stopped).
    A fixture, so that the second start is a second start whichever test runs first."""
    port = free_port()
    started = time.monotonic()
    start = StartScript(clone, port, "en_US.UTF-8")
    try:
        text = start.wait_for(r"Arrears is running at .*ready", READY_WITHIN)
        portfolio = logged_in_portfolio(f"http://127.0.0.1:{port}", "collector", "arrears-demo")
        first_page_after = time.monotonic() - started
    finally:
        start.stop()
    return text, start.output(), portfolio, first_page_after


def test_start_sh_on_a_fresh_clone_serves_the_demo_portfolio(first_start):
    text, output, portfolio, first_page_after = first_start
    # The server stops cleanly: its workers were not forked from the process that ran the
    # demo's DuckDB and Arrow thread pools (one of them used to die of SIGSEGV here).
    assert "SIGSEGV" not in output and "Traceback" not in output
    for stage in ("Install:", "Database:", "Demo portfolio:", "Demo users:", "The night of",
                  "Web server:"):
        assert re.search(rf"==> {stage}.*\n(.*\n)*?    done in \d", text), (stage, text)
    assert "arrears serve" not in text  # it started the server itself
    assert re.search(r"Demo users: .*collector.*admin", text) and "Password: arrears-demo" in text
    assert portfolio.status_code == 200
    page = portfolio.text
    assert 'data-currency="TWD"' in page and ">30,000<" in page, page[:3000]
    print(f"fresh clone to the first portfolio page: {first_page_after:.0f} s")


def test_start_sh_again_is_quick_and_speaks_the_locale(clone, first_start):
    port = free_port()
    start = StartScript(clone, port, "zh_CN.UTF-8")
    try:
        text = start.wait_for(r"Arrears 正在 .* 运行", READY_WITHIN)
        portfolio = logged_in_portfolio(f"http://127.0.0.1:{port}", "admin", "arrears-demo")
    finally:
        start.stop()
    assert "==> 安装：" in text and "已是最新" in text and "==> 数据库：" in text
    assert "完成，用时" in text
    assert "正在将台湾数据集转换" not in text  # loaded once: the demo is not converted again
    assert portfolio.status_code == 200 and ">30,000<" in portfolio.text
