"""The recall as a step of the night (safe to rerun) and as ``arrears recovery recall``."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from arrears.night.steps import STEPS, StepContext, step_recall
from arrears.recovery.models import Placement
from arrears.recovery.services import placement_batch_create
from tests.recovery.conftest import TODAY, make_agency, positioned_accounts

pytestmark = pytest.mark.django_db


@pytest.fixture
def placed(product):
    make_agency("AG1")
    accounts = positioned_accounts(product, 3)
    return placement_batch_create([a.pk for a in accounts], as_of=TODAY, seed=1)


def test_the_night_recalls_before_it_decides_and_a_rerun_changes_nothing(placed):
    names = [name for name, _step in STEPS]
    assert names.index("arrangements") < names.index("recall") < names.index("snapshot")
    day = TODAY + timedelta(days=90)
    assert step_recall(StepContext(as_of=day - timedelta(days=1))).counts == {"recalled": 0}
    assert step_recall(StepContext(as_of=day)).counts == {"recalled": 3}
    assert step_recall(StepContext(as_of=day)).counts == {"recalled": 0}
    assert not Placement.objects.filter(status="active").exists()


def test_the_command_recalls_and_names_a_bad_date(placed):
    out = StringIO()
    call_command("recovery", "recall", "--as-of", (TODAY + timedelta(days=95)).isoformat(),
                 stdout=out)
    assert "Recalled 3 placements" in out.getvalue()
    with pytest.raises(CommandError, match="--as-of: '2026-13-01' is not a date"):
        call_command("recovery", "recall", "--as-of", "2026-13-01")


def test_the_command_places_nothing_without_a_published_night(db):
    out = StringIO()
    call_command("recovery", "place", "--as-of", TODAY.isoformat(), stdout=out)
    assert "Nothing to place" in out.getvalue()
