"""``arrears model``: train, list, show, live, export and the Taiwan training file."""

import json
import subprocess
import sys

import pandas as pd
import pytest
from django.core.management import CommandError, call_command

from arrears.scoring.features import TAIWAN_TARGET
from arrears.scoring.models import ModelVersion
from arrears.scoring.services import model_import

pytestmark = pytest.mark.django_db


def test_train_prints_metrics_and_registers(taiwan_file, capsys):
    call_command("model", "train", str(taiwan_file), "--target", TAIWAN_TARGET,
                 "--name", "slice-v1", "--live")
    out = capsys.readouterr().out
    version = ModelVersion.objects.get(name="slice-v1")
    assert version.status == "live" and version.training_rows == 3000
    assert f"AUC {version.metrics['auc']:.4f}" in out and "KS" in out and "Gini" in out
    assert "Registered model version slice-v1" in out

    call_command("model", "list")
    out = capsys.readouterr().out
    assert "slice-v1" in out and "live" in out
    call_command("model", "show", "slice-v1")
    out = capsys.readouterr().out
    assert "days_past_due (numeric)" in out and "bands: A ≥" in out
    call_command("model", "show", "slice-v1", "--json")
    assert json.loads(capsys.readouterr().out)["name"] == "slice-v1"


def test_train_challenger_and_errors(taiwan_file, tmp_path, capsys):
    call_command("model", "train", str(taiwan_file), "--target", TAIWAN_TARGET,
                 "--name", "gbm-1", "--challenger")
    assert ModelVersion.objects.get(name="gbm-1").kind == "gbm-challenger"
    with pytest.raises(CommandError, match="not a scorecard"):
        call_command("model", "live", "gbm-1")
    with pytest.raises(CommandError, match="already exists"):
        call_command("model", "train", str(taiwan_file), "--target", TAIWAN_TARGET,
                     "--name", "gbm-1")
    with pytest.raises(CommandError, match="no column 'nope'"):
        call_command("model", "train", str(taiwan_file), "--target", "nope")
    with pytest.raises(CommandError, match="no model version named x"):
        call_command("model", "show", "x")


def test_live_and_export(default_document, tmp_path, capsys):
    model_import(document={**default_document, "name": "a"})
    call_command("model", "live", "a")
    assert ModelVersion.objects.get(name="a").status == "live"
    out = tmp_path / "a.json"
    call_command("model", "export", "a", str(out))
    exported = json.loads(out.read_text())
    assert exported["name"] == "a" and exported["scorecard"] == default_document["scorecard"]


def test_taiwan_training_file(tmp_path, capsys):
    out = tmp_path / "tw.parquet"
    call_command("model", "taiwan-training-file", str(out), "--limit", "50")
    frame = pd.read_parquet(out)
    assert len(frame) == 50 and TAIWAN_TARGET in frame.columns
    assert "Wrote 50 rows" in capsys.readouterr().out


def test_a_bad_file_exits_1_without_a_traceback(tmp_path):
    path = tmp_path / "one_class.csv"
    path.write_text("paid,x\n" + "1,2\n" * 300)
    env = {"ARREARS_LANGUAGE": "en", "PATH": "/usr/bin:/bin",
           "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}
    subprocess.run([sys.executable, "-m", "arrears.cli", "migrate", "-v", "0"], env=env,
                   check=True)
    done = subprocess.run([sys.executable, "-m", "arrears.cli", "model", "train", str(path),
                           "--target", "paid"], capture_output=True, text=True, env=env)
    assert done.returncode == 1
    assert "one class only" in done.stderr and "Traceback" not in done.stderr
