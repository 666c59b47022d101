"""The suite runs in several processes, a file at a time each; a transactional test in one file
must not leave the next file in its process without the rows the migrations put there."""

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

CASES = Path(__file__).parent / "isolation_cases"


def _another_database(url):
    """The run inside this test must not take the test database of the run that is running it."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=parts.path.rstrip("/") + "_isolation"))


def test_a_file_after_a_transactional_test_still_finds_the_migrated_rules(tmp_path):
    environment = {**os.environ, "ARREARS_HOME": str(tmp_path)}
    environment.pop("PYTEST_XDIST_WORKER", None)
    if "DATABASE_URL" in environment:
        environment["DATABASE_URL"] = _another_database(environment["DATABASE_URL"])
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-n", "1", "--dist", "loadfile",
         "-q", str(CASES / "case_mixed_file.py"), str(CASES / "case_plain_file.py")],
        capture_output=True, text=True, env=environment, cwd=Path(__file__).parent.parent,
        timeout=600)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert "3 passed" in run.stdout
