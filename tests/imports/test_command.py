"""The ``arrears import`` command: output, error listing and exit status."""

import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from arrears.ledger.models import Posting
from tests.imports.conftest import write_csv

HEADER = ["external_id", "account_id", "kind", "amount", "posting_date"]
REPO = Path(__file__).resolve().parents[2]


def run(*args) -> tuple[str, int]:
    out = io.StringIO()
    try:
        call_command("import_data", *args, stdout=out, stderr=io.StringIO())
    except CommandError as exc:
        return out.getvalue() + f"\n{exc}", exc.returncode
    return out.getvalue(), 0


def test_good_file_prints_the_summary_and_exits_0(a1, tmp_path):
    path = write_csv(tmp_path / "p.csv", HEADER, [["P1", "A1", "purchase", "5e+05", "2024-01-05"]])

    output, status = run("postings", str(path))

    assert status == 0
    assert "postings from" in output and ": committed" in output
    assert "created" in output and "         1" in output
    assert Posting.objects.get().amount_minor == 50_000_000


def test_rejected_file_lists_errors_and_exits_1(a1, tmp_path):
    rows = [["P1", "A1", "purchase", "1", "2024-01-05"],
            ["P2", "A99", "purchase", "1", "2024-01-05"],
            ["P3", "A1", "purchase", "12.345", "2024-01-05"]]
    path = write_csv(tmp_path / "p.csv", HEADER, rows)

    output, status = run("postings", str(path))

    assert status == 1
    assert "NOT committed" in output
    assert "line 3, account_id: unknown account 'A99'" in output
    assert "line 4, amount: '12.345' has more decimals than CNY allows (2)" in output
    assert "the file was rejected: nothing was imported" in output
    assert not Posting.objects.exists()


def test_skip_bad_rows_exits_0_and_still_lists_the_bad_rows(a1, tmp_path):
    rows = [["P1", "A1", "purchase", "1", "2024-01-05"],
            ["P2", "A99", "purchase", "1", "2024-01-05"]]
    output, status = run("postings", str(write_csv(tmp_path / "p.csv", HEADER, rows)),
                         "--skip-bad-rows")

    assert status == 0
    assert "line 3, account_id: unknown account 'A99'" in output
    assert list(Posting.objects.values_list("external_id", flat=True)) == ["P1"]


def test_dry_run_writes_nothing(a1, tmp_path):
    path = write_csv(tmp_path / "p.csv", HEADER, [["P1", "A1", "purchase", "1", "2024-01-05"]])

    output, status = run("postings", str(path), "--dry-run")

    assert status == 0
    assert "dry run, nothing was written" in output
    assert not Posting.objects.exists()


def test_first_50_errors_are_shown_and_errors_csv_has_all(a1, tmp_path):
    rows = [[f"P{n}", "A99", "purchase", "1", "2024-01-05"] for n in range(120)]
    errors_csv = tmp_path / "errors.csv"

    output, status = run("postings", str(write_csv(tmp_path / "p.csv", HEADER, rows)),
                         "--errors-csv", str(errors_csv))

    assert status == 1
    assert "line 51, account_id" in output and "line 52, account_id" not in output
    assert f"... and 70 more (written to {errors_csv})" in output
    lines = errors_csv.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0] == "line,column,reason"
    assert len(lines) == 121
    assert lines[-1] == "121,account_id,unknown account 'A99'"


@pytest.mark.parametrize(("args", "message"), [
    (["postings", "/nonexistent/p.csv"], "no such file: /nonexistent/p.csv"),
    (["payments", "p.csv"], "unknown kind 'payments'"),
    (["postings", "p.xlsx"], "must end in .csv, .txt, .dat (delimited text) or .parquet"),
])
def test_usage_and_file_errors_exit_2(db, args, message):
    output, status = run(*args)

    assert status == 2
    assert message in output


def test_help_lists_the_kinds_and_points_to_the_docs(db):
    from arrears.imports.management.commands.import_data import Command

    text = Command().create_parser("arrears", "import_data").format_help()

    assert text.startswith("usage: arrears import")
    for kind in ("cardholders", "contacts", "accounts", "statements", "postings"):
        assert f"\n  {kind} " in text
    assert "docs/imports.md" in text
    assert "--skip-bad-rows" in text and "--dry-run" in text


def test_the_installed_command_end_to_end(tmp_path):
    """``arrears migrate`` then ``arrears import`` in a child process, against a fresh SQLite."""
    arrears = Path(sys.executable).parent / "arrears"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'arrears.sqlite3'}",
           "ARREARS_HOME": str(tmp_path)}
    subprocess.run([arrears, "migrate", "-v", "0"], env=env, check=True, cwd=tmp_path,
                   capture_output=True)
    header = ["external_id", "name", "monthly_income"]
    bad = write_csv(tmp_path / "bad.csv", header,
                    [["C1", "张三", "5e+04"], ["C2", "李四", "1.001"]])
    good = write_csv(tmp_path / "good.csv", header, [["C1", "张三", "5e+04"]], bom=True,
                     final_newline=False)

    rejected = subprocess.run([arrears, "import", "cardholders", bad], env=env, cwd=tmp_path,
                              capture_output=True, text=True)
    imported = subprocess.run([arrears, "import", "cardholders", good], env=env, cwd=tmp_path,
                              capture_output=True, text=True)
    again = subprocess.run([arrears, "import", "cardholders", good], env=env, cwd=tmp_path,
                           capture_output=True, text=True)
    missing = subprocess.run([arrears, "import", "cardholders", tmp_path / "nope.csv"], env=env,
                             cwd=tmp_path, capture_output=True, text=True)

    assert rejected.returncode == 1, rejected.stderr
    assert re.search(r"\b3\b.*monthly_income: '1.001'", rejected.stdout)
    assert "Traceback" not in rejected.stderr
    assert imported.returncode == 0, imported.stderr
    assert again.returncode == 0
    assert [line.split()[-1] for line in again.stdout.splitlines()[1:6]] == [
        "1", "0", "0", "1", "0"]
    assert missing.returncode == 2
    assert "Traceback" not in missing.stderr and "nope.csv" in missing.stderr


def test_docs_describe_every_column_of_every_kind():
    from arrears.imports.schemas import SCHEMAS

    text = (REPO / "docs" / "imports.md").read_text(encoding="utf-8")
    for kind, columns in SCHEMAS.items():
        section = text.split(f"### {kind}\n", 1)[1].split("\n### ", 1)[0]
        for column in columns:
            assert f"| `{column.name}` | {'yes' if column.required else ''} |" in section, (
                kind, column.name)


@pytest.mark.parametrize("dry_run", [False, True])
def test_a_header_only_file_is_rejected_and_imports_nothing(a1, tmp_path, dry_run):
    path = tmp_path / "p.csv"
    path.write_text(",".join(HEADER) + "\n\n\n", encoding="utf-8")

    output, status = run("postings", str(path), "--skip-bad-rows", *(["--dry-run"] * dry_run))

    assert status == 1
    assert "line 1: the file has no data rows, only a header: nothing to import" in output
    assert not Posting.objects.exists()


def test_a_parquet_file_without_rows_is_rejected(db, tmp_path):
    from arrears.imports.services import import_file
    from tests.imports.conftest import write_parquet

    report = import_file(kind="cardholders",
                         path=write_parquet(tmp_path / "c.parquet", ["external_id", "name"], []))

    assert [(e.line, e.reason) for e in report.errors] == [
        (1, "the file has no data rows, only a header: nothing to import")]
    assert not report.committed


def test_a_file_of_another_kind_says_which_kind_it_is(a1, tmp_path):
    path = write_csv(tmp_path / "p.csv", HEADER, [["P1", "A1", "purchase", "1", "2024-01-05"]])

    output, status = run("cardholders", str(path))

    assert status == 1
    assert ("line 1: this is a file of postings, not of cardholders: its header has the "
            "columns of postings. Import it as postings") in output
    assert "unknown column" not in output


@pytest.mark.parametrize(("args", "message"), [
    (["postings", "{tmp}"], "is a directory, not a file"),
    (["postings", "{tmp}/dir.csv"], "dir.csv is a directory, not a file"),
    (["postings", "{tmp}/p.csv", "--encoding", "klingon"], "unknown encoding 'klingon': use one "
                                                           "of utf-8, utf-16, gb18030"),
    (["postings", "{tmp}/p.csv", "--profile", "nope"], "no import profile 'nope' for postings; "
                                                       "the profiles for postings are: none"),
])
def test_more_usage_and_file_errors_exit_2(db, tmp_path, args, message):
    (tmp_path / "dir.csv").mkdir()
    write_csv(tmp_path / "p.csv", HEADER, [])

    output, status = run(*[arg.format(tmp=tmp_path) for arg in args])

    assert status == 2
    assert message in output


def test_encoding_and_profile_from_the_command_line(a1, tmp_path):
    from arrears.imports.models import ImportProfile

    ImportProfile.objects.create(name="bank", kind="postings", delimiter=";",
                                 date_format="YYYY/MM/DD", currency_symbol="¥")
    path = tmp_path / "p.txt"
    path.write_bytes(";".join(HEADER).encode() + "\nP1;A1;purchase;¥1,234.56;2024/01/05\n"
                     .encode("gb18030"))

    output, status = run("postings", str(path), "--profile", "bank", "--encoding", "gb18030")

    assert status == 0, output
    assert Posting.objects.get().amount_minor == 123456


BAD_FILES = {
    "gbk.csv": "external_id,name\nC1,张三\n".encode("gbk"),
    "nul.csv": b"external_id,name\nC1,a\x00b\n",
    "header.csv": b"external_id,name\n",
    "empty.csv": b"",
    "feb30.csv": b"external_id,name,date_of_birth\nC1,x,2026-02-30\n",
    "broken.parquet": b"PAR1 nope",
    "binary.csv": bytes(range(256)) * 4,
}


@pytest.mark.parametrize(("args", "status", "message"), [
    (["cardholders", "gbk.csv"], 1, "line 2, name: 0xD5 0xC5 0xC8 0xFD is not UTF-8 text"),
    (["cardholders", "gbk.csv", "--encoding", "gbk"], 0, "committed"),
    (["cardholders", "nul.csv"], 1, "line 2, name: holds a NUL character"),
    (["cardholders", "header.csv"], 1, "the file has no data rows"),
    (["cardholders", "empty.csv"], 1, "the file is empty"),
    (["cardholders", "feb30.csv"], 1, "2026-02-30 is not a real date: February 2026 has 28 days"),
    (["cardholders", "broken.parquet"], 1, "not a readable Parquet file"),
    (["cardholders", "binary.csv"], 1, "is not UTF-8 text"),
    (["cardholders", "missing.csv"], 2, "no such file"),
    (["products", "gbk.csv", "--encoding", "gbk"], 1, "this is a file of cardholders, not of "
                                                      "products"),
])
def test_bad_files_get_a_message_and_an_exit_status(db, tmp_path, monkeypatch, args, status,
                                                    message):
    for name, data in BAD_FILES.items():
        (tmp_path / name).write_bytes(data)
    monkeypatch.chdir(tmp_path)

    output, returned = run(*args)

    assert (returned, message in output) == (status, True), output


def test_bad_input_never_prints_a_traceback(tmp_path):
    """The installed command in a child process: a NUL that PostgreSQL would refuse, a GBK file,
    a directory."""
    arrears = Path(sys.executable).parent / "arrears"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'arrears.sqlite3'}",
           "ARREARS_HOME": str(tmp_path), "ARREARS_LANGUAGE": "en"}
    subprocess.run([arrears, "migrate", "-v", "0"], env=env, check=True, cwd=tmp_path,
                   capture_output=True)
    for name, data in BAD_FILES.items():
        (tmp_path / name).write_bytes(data)
    (tmp_path / "folder.csv").mkdir()
    for args, status, message in [
        (["cardholders", "nul.csv"], 1, "line 2, name: holds a NUL character"),
        (["cardholders", "gbk.csv"], 1, "is not UTF-8 text"),
        (["cardholders", "folder.csv"], 2, "is a directory"),
    ]:
        done = subprocess.run([arrears, "import", *args], env=env, cwd=tmp_path,
                              capture_output=True, text=True)
        assert "Traceback" not in done.stdout + done.stderr, (args, done.stderr)
        assert done.returncode == status, (args, done.stdout, done.stderr)
        assert message in done.stdout + done.stderr, (args, done.stdout, done.stderr)
