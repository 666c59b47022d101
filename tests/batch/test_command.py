"""``arrears decisions``: the run record, the summary, re-runs and a clear refusal."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from arrears.batch.models import Decision, DecisionRun
from arrears.scoring.services import scorecard_ensure_default
from arrears.strategy.services import strategy_ensure_default
from tests.batch.conftest import AS_OF, portfolio_build


def test_decisions_command_publishes_one_run_per_date(db, tmp_path):
    portfolio_build(tmp_path / "p", accounts=30)
    scorecard_ensure_default()
    strategy_ensure_default()
    out = StringIO()

    call_command("decisions", as_of=AS_OF.isoformat(), no_progress=True, stdout=out)
    call_command("decisions", as_of=AS_OF.isoformat(), no_progress=True, stdout=StringIO())

    run = DecisionRun.objects.get(as_of=AS_OF)
    assert run.accounts == 30 == Decision.objects.count()
    assert sum(run.counts_by_treatment.values()) == sum(run.counts_by_segment.values()) == 30
    assert (run.model_version, run.strategy_version) == ("collect-score-v1", "cn-default v1")
    assert run.finished_at is not None and run.engine == "duckdb"
    assert "Decisions for 2026-10-10: 30 accounts" in out.getvalue()


def test_decisions_before_the_cycle_are_refused(db, tmp_path):
    with pytest.raises(CommandError, match="nightly cycle has not run for 2026-10-11"):
        call_command("decisions", as_of="2026-10-11", no_progress=True)


def test_decisions_without_a_live_strategy_are_refused(db, tmp_path):
    portfolio_build(tmp_path / "p", accounts=3)
    scorecard_ensure_default()
    with pytest.raises(CommandError, match="No strategy is live"):
        call_command("decisions", as_of=AS_OF.isoformat(), no_progress=True)
