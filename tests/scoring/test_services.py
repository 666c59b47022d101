"""Model versions: registering, exactly one live scorecard, the shipped default."""

import pytest
from django.db import IntegrityError, transaction

from arrears.audit.models import AuditEvent
from arrears.scoring.models import ModelVersion
from arrears.scoring.selectors import NoLiveScorecard, model_version_live, scorecard_live
from arrears.scoring.services import (
    ModelError,
    model_export,
    model_import,
    model_make_live,
    model_register,
    scorecard_ensure_default,
)
from arrears.scoring.training import TrainingResult
from arrears.users.services import role_groups_ensure, user_create_for_role

pytestmark = pytest.mark.django_db


def _result(document) -> TrainingResult:
    return TrainingResult(
        path="history.parquet", sha256="0" * 64, rows=1000, target="paid",
        pays_when="paid = 1 means pays", features=["days_past_due"], excluded={}, dropped={},
        metrics={"auc": 0.7, "gini": 0.4, "ks": 0.3}, scorecard=dict(document))


@pytest.fixture
def card_json(default_document):
    return default_document["scorecard"]


def test_register_records_who_what_and_how_well(card_json):
    role_groups_ensure()
    user = user_create_for_role(username="strat", role="strategy_manager", password="x")
    version = model_register(result=_result(card_json), name="score-v9", actor=user)
    assert (version.status, version.trained_by, version.metrics["auc"]) == (
        "candidate", "strat", 0.7)
    assert version.scorecard["name"] == "score-v9"
    event = AuditEvent.objects.get(action="model.register")
    assert event.actor == user and event.object_id == str(version.pk)
    with pytest.raises(ModelError, match="already exists"):
        model_register(result=_result(card_json), name="score-v9")


def test_make_live_switches_exactly_one(card_json):
    first = model_register(result=_result(card_json), name="v1")
    second = model_register(result=_result(card_json), name="v2")
    model_make_live(version=first)
    assert model_version_live() == first
    model_make_live(version="v2")
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == ("retired", "live")
    assert second.went_live_at is not None
    assert ModelVersion.objects.filter(status="live").count() == 1
    assert scorecard_live().name == "v2"
    event = AuditEvent.objects.filter(action="model.make_live").first()
    assert event.details == {"name": "v2", "retired": ["v1"]}


def test_the_database_refuses_two_live_versions(card_json):
    model_register(result=_result(card_json), name="v1")
    model_register(result=_result(card_json), name="v2")
    ModelVersion.objects.filter(name="v1").update(status="live")
    with pytest.raises(IntegrityError), transaction.atomic():
        ModelVersion.objects.filter(name="v2").update(status="live")


def test_a_challenger_never_goes_live(card_json):
    result = _result(card_json)
    result.scorecard = None
    model_register(result=result, name="gbm", kind=ModelVersion.Kind.GBM_CHALLENGER)
    with pytest.raises(ModelError, match="not a scorecard"):
        model_make_live(version="gbm")
    with pytest.raises(ModelError, match="no model version named nope"):
        model_make_live(version="nope")


def test_no_live_scorecard_is_a_clear_error():
    with pytest.raises(NoLiveScorecard, match="arrears model train"):
        scorecard_live()


def test_ensure_default_loads_the_shipped_scorecard_once(default_document):
    version = scorecard_ensure_default()
    assert version.name == "collect-score-v1" and version.status == "live"
    assert version.metrics == default_document["metrics"]
    assert scorecard_live().feature_names == default_document["features"]
    assert scorecard_ensure_default() is None
    assert ModelVersion.objects.count() == 1


def test_ensure_default_keeps_a_live_model(card_json):
    mine = model_register(result=_result(card_json), name="bank-v1")
    model_make_live(version=mine)
    assert scorecard_ensure_default() is None
    assert model_version_live() == mine


def test_export_and_import_round_trip(card_json):
    version = model_register(result=_result(card_json), name="v1")
    document = model_export(version=version)
    version.delete()
    again = model_import(document=document)
    assert model_export(version=again) == document
    with pytest.raises(ModelError, match="not an exported model version"):
        model_import(document={"name": "x"})
