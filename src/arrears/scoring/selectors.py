"""Reading score models: the live scorecard the batch runs, and the version history."""

import dataclasses

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from arrears.scoring.models import ModelVersion
from arrears.scoring.scorecard import Scorecard


class NoLiveScorecard(LookupError):
    """No scorecard is live: train one, or run ``arrears demo`` to load the default."""


def model_version_live() -> ModelVersion | None:
    return ModelVersion.objects.filter(status=ModelVersion.Status.LIVE).first()


def scorecard_of(version: ModelVersion) -> Scorecard:
    """The scorecard of a version, named after the version."""
    return dataclasses.replace(Scorecard.from_json(version.scorecard), name=version.name)


def scorecard_live() -> Scorecard:
    """The live scorecard, named after its model version (e.g. ``collect-score-v1``)."""
    version = model_version_live()
    if version is None or not version.scorecard:
        raise NoLiveScorecard(_("no scorecard is live; train one with 'arrears model train' or "
                                "load the default with 'arrears demo'"))
    return scorecard_of(version)


def model_versions() -> QuerySet[ModelVersion]:
    return ModelVersion.objects.all()


def model_version_get(*, name: str) -> ModelVersion | None:
    return ModelVersion.objects.filter(name=name).first()
