"""Decision runs and decisions made directly, as the nightly batch would publish them."""

import itertools
from datetime import date

from django.utils import timezone

from arrears.batch.models import Decision, DecisionRun

_seq = itertools.count(1)


def make_run(*, as_of: date = date(2025, 3, 20), finished: bool = True, **overrides):
    now = timezone.now() + timezone.timedelta(seconds=next(_seq))
    values = {"as_of": as_of, "started_at": now, "finished_at": now if finished else None}
    values.update(overrides)
    return DecisionRun.objects.create(**values)


def make_decision(*, run, account, **overrides) -> Decision:
    values = {
        "run": run,
        "account": account,
        "score": 612,
        "probability_pay": 0.8234,
        "score_band": "B",
        "reason_1": "DPD_HIGH",
        "reason_2": "PAY_RATIO_LOW",
        "reason_3": "",
        "segment": "early_high_risk",
        "treatment": "call",
        "template": "CALL_M1",
        "priority": 2,
        "rule_id": "early-call-3",
        "arm": "champion",
        "expected_recovery_minor": 100_000,
    }
    values.update(overrides)
    return Decision.objects.create(**values)
