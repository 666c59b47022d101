"""Registering score models and choosing the one that runs in the nightly batch."""

import json
from datetime import datetime
from pathlib import Path

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from arrears.audit.services import audit_record
from arrears.scoring.models import ModelVersion
from arrears.scoring.scorecard import Scorecard
from arrears.scoring.training import TrainingResult

DEFAULT_SCORECARD_PATH = Path(__file__).with_name("default_scorecard.json")
EXPORT_FIELDS = ("name", "kind", "trained_by", "training_file", "training_sha256",
                 "training_rows", "target", "target_rule", "features", "metrics", "settings",
                 "scorecard")


class ModelError(Exception):
    """A model version cannot be registered or made live; the message says why."""


def _actor_label(actor, fallback: str) -> str:
    if getattr(actor, "is_authenticated", False):
        return actor.get_username()
    return fallback


def model_register(*, result: TrainingResult, name: str, actor=None, system: str = "system",
                   kind: str = ModelVersion.Kind.SCORECARD) -> ModelVersion:
    """Store a trained model as a candidate version."""
    if ModelVersion.objects.filter(name=name).exists():
        raise ModelError(_("a model version named %(name)s already exists") % {"name": name})
    if result.scorecard is not None:
        result.scorecard["name"] = name
    version = ModelVersion.objects.create(
        name=name, kind=kind, trained_by=_actor_label(actor, system),
        trained_at=timezone.now(), training_file=result.path,
        training_sha256=result.sha256, training_rows=result.rows, target=result.target,
        target_rule=result.pays_when, features=result.features, metrics=result.metrics,
        settings={**result.settings, "excluded": result.excluded, "dropped": result.dropped},
        scorecard=result.scorecard,
    )
    audit_record(actor=actor, action="model.register", object_type="model_version",
                 object_id=version.pk, details={"name": name, "kind": kind,
                                                "metrics": result.metrics}, system=system)
    return version


def model_make_live(*, version: ModelVersion | str, actor=None,
                    system: str = "system") -> ModelVersion:
    """Make ``version`` the one live scorecard; the one live before it is retired."""
    with transaction.atomic():
        name = version if isinstance(version, str) else version.name
        try:
            chosen = ModelVersion.objects.select_for_update().get(name=name)
        except ModelVersion.DoesNotExist:
            raise ModelError(_("no model version named %(name)s") % {"name": name}) from None
        if chosen.kind != ModelVersion.Kind.SCORECARD or not chosen.scorecard:
            raise ModelError(_("%(name)s is not a scorecard; only a scorecard can run in the "
                               "nightly batch") % {"name": name})
        Scorecard.from_json(chosen.scorecard)
        if chosen.status == ModelVersion.Status.LIVE:
            return chosen
        previous = list(ModelVersion.objects.select_for_update()
                        .filter(status=ModelVersion.Status.LIVE))
        for old in previous:
            old.status = ModelVersion.Status.RETIRED
            old.save(update_fields=["status"])
        chosen.status = ModelVersion.Status.LIVE
        chosen.went_live_at = timezone.now()
        chosen.save(update_fields=["status", "went_live_at"])
        audit_record(actor=actor, action="model.make_live", object_type="model_version",
                     object_id=chosen.pk,
                     details={"name": chosen.name, "retired": [m.name for m in previous]},
                     system=system)
    return chosen


def model_export(*, version: ModelVersion) -> dict:
    """A model version as a JSON document that :func:`model_import` reads back."""
    data = {name: getattr(version, name) for name in EXPORT_FIELDS}
    data["trained_at"] = version.trained_at.isoformat()
    return data


def model_import(*, document: dict, actor=None, system: str = "system") -> ModelVersion:
    """Register an exported model version (a candidate) exactly as it was trained."""
    try:
        if document.get("scorecard") is not None:
            Scorecard.from_json(document["scorecard"])
        fields = {name: document[name] for name in EXPORT_FIELDS}
        fields["trained_at"] = datetime.fromisoformat(document["trained_at"])
    except (KeyError, TypeError, ValueError) as error:
        raise ModelError(_("not an exported model version: %(error)s")
                         % {"error": error}) from None
    if ModelVersion.objects.filter(name=fields["name"]).exists():
        raise ModelError(_("a model version named %(name)s already exists")
                         % {"name": fields["name"]})
    version = ModelVersion.objects.create(**fields)
    audit_record(actor=actor, action="model.import", object_type="model_version",
                 object_id=version.pk, details={"name": version.name}, system=system)
    return version


def scorecard_ensure_default(*, actor=None, path: Path = DEFAULT_SCORECARD_PATH
                             ) -> ModelVersion | None:
    """Register the shipped scorecard and make it live, unless a scorecard is live already.

    Returns the version made live, or None when one was live before.
    """
    if ModelVersion.objects.filter(status=ModelVersion.Status.LIVE).exists():
        return None
    document = json.loads(path.read_text(encoding="utf-8"))
    version = ModelVersion.objects.filter(name=document["name"]).first()
    if version is None:
        version = model_import(document=document, actor=actor)
    return model_make_live(version=version, actor=actor)
