"""A command on a database that is not set up says how to set it up — never a traceback."""

import os
import socket
import sqlite3
import subprocess
import sys

import pytest

SRC = os.path.join(os.path.dirname(__file__), "..", "..", "src")


def arrears(*args: str, home, language: str = "en", database_url: str | None = None):
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    env.update(ARREARS_HOME=str(home), ARREARS_LANGUAGE=language,
               PYTHONPATH=os.pathsep.join([os.path.abspath(SRC), env.get("PYTHONPATH", "")]))
    if database_url:
        env["DATABASE_URL"] = database_url
    return subprocess.run([sys.executable, "-m", "arrears.cli", *args], capture_output=True,
                          text=True, env=env, timeout=300)


@pytest.fixture(scope="module")
def migrated_home(tmp_path_factory):
    home = tmp_path_factory.mktemp("migrated")
    done = arrears("migrate", home=home)
    assert done.returncode == 0, done.stderr
    return home


@pytest.mark.parametrize(("language", "words"),
                         [("en", "is not set up"), ("zh-hans", "尚未初始化")])
def test_a_never_migrated_database_is_named_with_the_way_to_set_it_up(tmp_path, language, words):
    done = arrears("account", "TW-A-1", home=tmp_path, language=language)
    assert done.returncode == 1
    assert words in done.stderr and "arrears migrate" in done.stderr
    assert str(tmp_path / "arrears.sqlite3") in done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "arrears.sqlite3").exists()  # no empty database left behind


def test_an_empty_database_file_is_not_set_up_either(tmp_path):
    (tmp_path / "arrears.sqlite3").touch()
    done = arrears("cycle", "--as-of", "2026-01-31", home=tmp_path)
    assert done.returncode == 1
    assert "is not set up" in done.stderr and "Traceback" not in done.stderr


def test_pending_migrations_are_counted(migrated_home, tmp_path):
    copy = tmp_path / "arrears.sqlite3"
    copy.write_bytes((migrated_home / "arrears.sqlite3").read_bytes())
    with sqlite3.connect(copy) as database:
        database.execute("DELETE FROM django_migrations WHERE id = "
                         "(SELECT max(id) FROM django_migrations)")
    done = arrears("audit", "verify", home=tmp_path)
    assert done.returncode == 1
    assert "not up to date (1 migration to apply)" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_set_up_database_passes_the_check(migrated_home):
    done = arrears("account", "NOPE", home=migrated_home)
    assert "There is no account NOPE" in done.stderr  # the command itself answered
    assert "not set up" not in done.stderr


def test_help_and_file_only_commands_need_no_database(tmp_path):
    assert arrears("cycle", "--help", home=tmp_path).returncode == 0
    assert arrears("--help", home=tmp_path).returncode == 0
    assert not (tmp_path / "arrears.sqlite3").exists()


def test_an_unreachable_server_is_a_clear_error(tmp_path):
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"postgres://someone:secret@127.0.0.1:{port}/arrears"
    for command in (("account", "X"), ("migrate",)):
        done = arrears(*command, home=tmp_path, database_url=url)
        assert done.returncode == 1
        assert f"Cannot reach the database at someone@127.0.0.1:{port}/arrears" in done.stderr
        assert "secret" not in done.stderr and "Traceback" not in done.stderr
