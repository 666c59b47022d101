"""Every shipped case (COMPLIANCE.md part (d) and our own) replayed through `arrears gate check`."""

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from arrears.compliance import gate
from arrears.compliance.management.commands.gate import CASES_DIR, case_mismatches
from arrears.compliance.selectors import pack_cache_clear, pack_live

CASES = sorted(CASES_DIR.glob("*.json"))
REQUIRED = ["01a", "01b", "03a", "03b", "04a", "04b", "06a", "06b", "06c", "07a", "07b", "07c",
            "14a", "14b", "14c", "14d", "16a", "16b", "18", "19a", "19b", "19c", "19d", "20a",
            "20b", "20c", "20d"]


def _answer(*args) -> gate.GateAnswer:
    out = StringIO()
    call_command("gate", "check", *map(str, args), stdout=out)
    data = json.loads(out.getvalue())
    return gate.GateAnswer(data["verdict"], data["decision"],
                           gate._aware(data["not_before"], "not_before")
                           if data["not_before"] else None,
                           tuple(data["rule_ids"]), (), tuple(data["time_zones"]))


def test_every_compliance_md_case_is_shipped():
    names = {path.name.split("-")[0] for path in CASES}
    assert set(REQUIRED) <= names


@pytest.mark.django_db
@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_case_with_the_live_pack(path):
    pack_cache_clear()
    expected = json.loads(path.read_text(encoding="utf-8"))["expected"]
    assert case_mismatches(_answer(path), expected) == []


@pytest.mark.parametrize("path", CASES[:6], ids=lambda p: p.stem)
def test_case_with_a_pack_file_needs_no_database(path):
    request = json.loads(path.read_text(encoding="utf-8"))["request"]
    pack = gate.pack_file(request.get("profile", "CN-BANK"))
    expected = json.loads(path.read_text(encoding="utf-8"))["expected"]
    assert case_mismatches(_answer(path, "--pack", pack), expected) == []


@pytest.mark.django_db
def test_the_database_packs_are_the_shipped_files():
    pack_cache_clear()
    for profile in gate.PROFILES:
        live, shipped = pack_live(profile), gate.default_pack(profile)
        assert live.to_json()["rules"] == shipped.to_json()["rules"]


def test_a_case_that_does_not_match_is_reported():
    answer = gate.GateAnswer("allow", "ALLOW", None, (), (), ())
    assert case_mismatches(answer, {"verdict": "block", "rule_ids": ["CN-05"]}) == [
        "verdict: allow != block", "rule_ids: [] lacks ['CN-05']"]


@pytest.mark.parametrize(("text", "message"), [
    ('{"at": "2025-06-02T10:00:00Z",\n "channel": "fax"}', "field channel"),
    ('{"at": "2025-06-02T10:00:00Z",\n "channel": }', "line 2, column"),
    ("[1, 2]", "a JSON object is required"),
])
def test_a_bad_file_exits_2_with_a_clear_message(tmp_path, text, message):
    path = tmp_path / "request.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CommandError) as error:
        call_command("gate", "check", str(path), "--pack", str(gate.pack_file("CN-BANK")))
    assert error.value.returncode == 2
    assert message in str(error.value)


@pytest.mark.django_db
def test_gate_cases_and_packs_commands():
    out = StringIO()
    call_command("gate", "cases", stdout=out)
    assert f"{len(CASES)} cases, 0 failed." in out.getvalue()
    out = StringIO()
    call_command("gate", "packs", stdout=out)
    assert "CN-BANK  v1" in out.getvalue()
    out = StringIO()
    call_command("gate", "packs", "--profile", "CN-BANK", stdout=out)
    assert "CN-05" in out.getvalue() and '"22:00"' in out.getvalue()


def test_case_files_are_valid_json_objects():
    for path in CASES:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        assert {"description", "request", "expected"} <= set(data), path.name


DOCS = Path(__file__).resolve().parents[2] / "docs" / "compliance.md"
# Every rule of COMPLIANCE.md marked V or S (status column, first part).
VERIFIED_OR_SECONDARY = (
    [f"CN-{n:02d}" for n in range(1, 25)] + [f"US-{n:02d}" for n in range(1, 30)]
    + [f"UK-{n:02d}" for n in range(1, 17)])


def _coverage() -> dict[str, str]:
    text = DOCS.read_text(encoding="utf-8").split("## Rule coverage", 1)[1].split("\n## ", 1)[0]
    rows = {}
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 2 and cells[0][:3] in ("CN-", "US-", "UK-"):
            rows[cells[0]] = cells[1]
    return rows


def test_every_v_or_s_rule_has_a_case_or_says_why_it_is_not_a_gate_rule():
    coverage = _coverage()
    assert sorted(coverage) == sorted(VERIFIED_OR_SECONDARY)
    by_prefix = {path.name.split("-")[0]: path for path in CASES}
    for rule, cell in coverage.items():
        if cell.startswith("not a gate rule:"):
            assert len(cell) > len("not a gate rule: ") + 10, rule
            continue
        names, _sep, note = cell.partition(" (")
        cited = note.split("cited as ", 1)[1].split(":")[0].split(")")[0] if "cited as" in note \
            else rule
        expected, descriptions = [], ""
        for name in (n.strip() for n in names.split(",")):
            assert name in by_prefix, (rule, name)
            data = json.loads(by_prefix[name].read_text(encoding="utf-8"))
            expected += data["expected"].get("rule_ids", [])
            descriptions += data["description"]
        assert cited in expected, (rule, cell)
        assert cited == rule or rule in descriptions, (rule, cell)
