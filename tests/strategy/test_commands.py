"""``arrears strategy`` and ``arrears decide`` from the command line."""

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from arrears.cli import main
from arrears.scoring.services import scorecard_ensure_default
from arrears.strategy.models import StrategyVersion
from arrears.strategy.selectors import strategy_live
from arrears.strategy.services import default_strategy_text, strategy_ensure_default
from tests.api.conftest import billed, today  # noqa: F401
from tests.strategy.conftest import strategy_jdm

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_load_list_show_and_export(tmp_path):
    path = tmp_path / "cn.json"
    path.write_text(default_strategy_text(), encoding="utf-8")
    assert "cn-default v1 is now live (34 rules)" in run("strategy", "load", str(path),
                                                          "--note", "first")
    assert "nothing changed" in run("strategy", "load", str(path))
    listing = run("strategy", "list")
    assert "cn-default v1" in listing and "first" in listing
    shown = run("strategy", "show")
    assert "CN-M1-02" in shown and 'bucket "M1"; score_band "D", "E"' in shown
    exported = tmp_path / "out.json"
    run("strategy", "show", "1", "--export", str(exported))
    assert json.loads(exported.read_text(encoding="utf-8")) == json.loads(default_strategy_text())


def test_a_rejected_file_says_why_and_keeps_the_live_one(tmp_path):
    strategy_ensure_default()
    jdm = strategy_jdm([("B-01", {"bucket": '"M9"', "days_past_due": "-"}, "sms", 3),
                        ("B-02", {}, "none", 9)])
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(jdm), encoding="utf-8")
    with pytest.raises(CommandError, match=r"bad.json was rejected: rule B-01, column "
                                           r"days_past_due: .* The live strategy is unchanged"):
        run("strategy", "load", str(path))
    assert strategy_live().label == "cn-default v1"
    assert StrategyVersion.objects.count() == 1


def test_missing_file(tmp_path):
    with pytest.raises(CommandError, match="cannot read"):
        run("strategy", "load", str(tmp_path / "nope.json"))


def test_decide_json_without_a_scorecard(billed):  # noqa: F811
    strategy_ensure_default()
    data = json.loads(run("decide", billed.external_id, "--json"))
    assert data["inputs"]["bucket"] == "M1" and data["inputs"]["days_past_due"] == 25
    assert data["score"] is None and "no scorecard" in data["score_note"]
    # Without a score band only the band-free M1 rules can fire: 25 days → a call.
    assert data["decision"]["rule_id"] == "CN-M1-05"
    assert data["decision"]["treatment"] == "call"
    assert data["rule"]["conditions"] == [{"column": "bucket", "test": '"M1"'}]


def test_decide_with_the_live_scorecard(billed):  # noqa: F811
    strategy_ensure_default()
    scorecard_ensure_default()
    data = json.loads(run("decide", billed.external_id, "--json"))
    assert data["score"]["score_band"] in "ABCDE"
    assert data["model_version"]
    assert data["decision"]["rule_id"].startswith("CN-M1-")
    text = run("decide", billed.external_id)
    assert data["decision"]["rule_id"] in text and "Inputs" in text


def test_decide_unknown_account_exits_1(db, capsys, monkeypatch):
    monkeypatch.setenv("ARREARS_LANGUAGE", "en")
    strategy_ensure_default()
    with pytest.raises(SystemExit) as exit_info:
        main(["decide", "NO-SUCH-ACCOUNT", "--json"])
    assert exit_info.value.code == 1
    assert "There is no account NO-SUCH-ACCOUNT" in capsys.readouterr().err
