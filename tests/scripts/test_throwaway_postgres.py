"""scripts/throwaway_postgres.sh, which test.sh uses when no PostgreSQL answers, for real: a
new cluster starts, takes connections, and is stopped and removed."""

import os
import subprocess
from pathlib import Path

import psycopg

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "throwaway_postgres.sh"


def script(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "ARREARS_LANGUAGE": "en"}
    return subprocess.run(["bash", str(SCRIPT), *args], capture_output=True, text=True,
                          env=env, timeout=600)


def test_a_throwaway_cluster_starts_answers_and_is_removed():
    started = script("start")
    # initdb comes with the Debian package postgresql, which the project's set-up installs.
    assert started.returncode == 0, f"the throwaway cluster did not start:\n{started.stderr}"
    values = dict(line.split("=", 1) for line in started.stdout.splitlines())
    directory = Path(values["DIR"])
    try:
        assert directory.is_dir() and values["URL"].startswith("postgres://arrears@127.0.0.1:")
        with psycopg.connect(values["URL"], connect_timeout=30) as connection:
            (user, superuser), = connection.execute(
                "SELECT current_user, current_setting('is_superuser')").fetchall()
            assert (user, superuser) == ("arrears", "on")  # it may create the test database
            connection.execute("CREATE TABLE probe (n integer)")
    finally:
        stopped = script("stop", str(directory))
    assert stopped.returncode == 0, stopped.stderr
    assert not directory.exists()
    try:
        psycopg.connect(values["URL"], connect_timeout=5).close()
    except psycopg.OperationalError:
        pass
    else:
        raise AssertionError("the server still answers after stop")


def test_stop_of_a_directory_already_gone_is_harmless(tmp_path):
    assert script("stop", str(tmp_path / "gone")).returncode == 0


def test_start_without_initdb_says_how_to_install_it():
    env = {**os.environ, "ARREARS_LANGUAGE": "en"}
    done = subprocess.run(
        ["bash", "-c", 'source "$1"; postgres_bin() { :; }; apt_install_or_explain() { :; };'
         ' throwaway_postgres_start', "bash", str(SCRIPT)],
        capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode != 0
    assert "initdb was not found" in done.stderr and "apt-get install postgresql" in done.stderr
