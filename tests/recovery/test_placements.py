"""Placement batches through the compliance gate, re-derivation from the seed, recall and
extension, and the placement scope of the access policy."""

from datetime import date, timedelta

import pytest
from django.db.models import Count
from django.utils import timezone

from arrears.access import policy
from arrears.audit.models import AuditEvent
from arrears.batch.models import Decision, DecisionRun
from arrears.compliance.models import GateCheck
from arrears.recovery.models import Placement, PlacementExtension, PlacementRefusal
from arrears.recovery.services import (
    RecoveryError,
    placement_batch_create,
    placement_batch_from_night,
    placement_batch_rederive,
    placement_extend,
    placement_plan,
    placement_recall,
    placements_recall_due,
)
from tests.recovery.conftest import TODAY, add_tier, make_agency, positioned_accounts

pytestmark = pytest.mark.django_db


def test_a_batch_places_what_the_gate_allows_and_says_why_not_the_rest(product):
    agency = make_agency("AG1")
    told = positioned_accounts(product, 6)
    untold = positioned_accounts(product, 2, notice=False)
    batch = placement_batch_create([a.pk for a in told + untold], as_of=TODAY, seed=11)
    assert (batch.candidates, batch.placed, batch.refused) == (8, 6, 2)
    placed = Placement.objects.filter(batch=batch)
    assert set(placed.values_list("account_id", flat=True)) == {a.pk for a in told}
    assert set(placed.values_list("agency_id", flat=True)) == {agency.pk}
    assert all(p.due_on == TODAY + timedelta(days=90) for p in placed)
    refusal = PlacementRefusal.objects.filter(batch=batch).first()
    assert refusal.reason == "gate" and "CN-14" in refusal.rule_ids
    assert "entrustment" in refusal.reasons[0]["text"]
    assert GateCheck.objects.filter(action="agency_assign",
                                    reference=f"placement-batch:{batch.pk}").count() == 8
    assert AuditEvent.objects.filter(action="placement.batch").count() == 1


def test_an_uninspected_agency_gets_nothing_and_the_gate_says_cn15(product):
    stale = make_agency("OLD", inspected=date(2024, 1, 1))
    accounts = positioned_accounts(product, 3)
    with pytest.raises(RecoveryError, match="No agency may receive"):
        placement_plan([a.pk for a in accounts], as_of=TODAY)
    plan = placement_plan([a.pk for a in accounts], as_of=TODAY, agencies=[stale])
    assert {a.verdict for a in plan.answers} == {"block"}
    assert all("CN-15" in a.rule_ids for a in plan.answers)


def test_accounts_placed_already_are_not_placed_twice(product):
    make_agency("AG1")
    accounts = positioned_accounts(product, 4)
    placement_batch_create([a.pk for a in accounts[:2]], as_of=TODAY, seed=1)
    plan = placement_plan([a.pk for a in accounts], as_of=TODAY, seed=1)
    assert (plan.candidates, plan.already_placed) == (2, 2)


def test_a_few_thousand_accounts_in_bounded_queries_and_the_batch_can_be_derived_again(
        product, django_assert_max_num_queries):
    agencies = [make_agency("AG1", capacity=1200), make_agency("AG2", capacity=1200),
                make_agency("AG3", capacity=300)]
    add_tier(agencies[0], (0, "0.1"), bucket="M2")
    add_tier(agencies[0], (0, "0.2"), position=2)
    accounts = positioned_accounts(product, 3000)
    # bulk inserts in chunks (SQLite limits the parameters of one statement): ~100, not 3000
    with django_assert_max_num_queries(150):
        batch = placement_batch_create([a.pk for a in accounts], as_of=TODAY, seed=2026)
    assert (batch.placed, batch.refused) == (2700, 300)
    counts = dict(Placement.objects.filter(batch=batch).values_list("agency__code")
                  .annotate(n=Count("pk")))
    assert counts == {"AG1": 1200, "AG2": 1200, "AG3": 300}
    assert PlacementRefusal.objects.filter(batch=batch, reason="capacity").count() == 300
    stored = dict(Placement.objects.filter(batch=batch).values_list("account_id", "agency_id"))
    stored |= {a: None for a in PlacementRefusal.objects.filter(batch=batch)
               .values_list("account_id", flat=True)}
    assert placement_batch_rederive(batch) == stored
    tiers = Placement.objects.filter(batch=batch, agency=agencies[0])
    assert set(tiers.filter(bucket="M2").values_list("tier__position", flat=True)) == {1}
    assert set(tiers.exclude(bucket="M2").values_list("tier__position", flat=True)) == {2}


def test_windows_end_in_one_statement_unless_extended(product, roles):
    make_agency("AG1")
    accounts = positioned_accounts(product, 3)
    placement_batch_create([a.pk for a in accounts], as_of=TODAY, seed=5)
    manager = roles("strategy_manager")
    kept = Placement.objects.get(account=accounts[0])
    placement_extend(kept, actor=manager, days=30, reason="分期协商中，客户手机13812345678")
    assert placements_recall_due(TODAY + timedelta(days=89)) == 0
    assert placements_recall_due(TODAY + timedelta(days=90)) == 2
    kept.refresh_from_db()
    assert kept.status == "active" and kept.due_on == TODAY + timedelta(days=120)
    extension = PlacementExtension.objects.get()
    assert extension.due_before == TODAY + timedelta(days=90)
    assert "13812345678" not in extension.reason and extension.reason.startswith("分期协商中")
    assert AuditEvent.objects.filter(action="placement.extend").count() == 1
    recalled = Placement.objects.filter(status="recalled")
    assert set(recalled.values_list("ended_on", flat=True)) == {TODAY + timedelta(days=90)}


def test_only_a_permitted_role_extends_or_recalls(product, roles):
    make_agency("AG1")
    accounts = positioned_accounts(product, 1)
    placement_batch_create([a.pk for a in accounts], as_of=TODAY, seed=5)
    placement = Placement.objects.get()
    with pytest.raises(RecoveryError):
        placement_extend(placement, actor=roles("compliance_officer"), days=10, reason="x")
    with pytest.raises(RecoveryError, match="1 to 180"):
        placement_extend(placement, actor=roles("collections_manager"), days=0, reason="x")
    placement_recall(placement, actor=roles("strategy_manager", "sm2"), reason="投诉",
                     on=TODAY + timedelta(days=3))
    placement.refresh_from_db()
    assert (placement.status, placement.ended_on) == ("recalled", TODAY + timedelta(days=3))


def test_an_agency_user_reaches_exactly_the_accounts_actively_placed_with_their_agency(
        product, roles):
    first, second = make_agency("AG1", capacity=2), make_agency("AG2", capacity=2)
    accounts = positioned_accounts(product, 4)
    placement_batch_create([a.pk for a in accounts], as_of=TODAY, seed=9)
    mine = set(Placement.objects.filter(agency=first).values_list("account_id", flat=True))
    theirs = set(Placement.objects.filter(agency=second).values_list("account_id", flat=True))
    user = roles("agency_manager", agency=first)
    other = roles("agency_manager", "other_agency", agency=second)
    unlinked = roles("agency_manager", "nobody")
    assert set(policy.accounts_readable(user).values_list("pk", flat=True)) == mine
    assert set(policy.accounts_readable(other).values_list("pk", flat=True)) == theirs
    assert not policy.accounts_readable(unlinked).exists()
    assert policy.masking_level(user) == "M0"
    placements_recall_due(TODAY + timedelta(days=365))
    assert not policy.accounts_readable(user).exists()


def test_the_nights_agency_decisions_become_a_batch(product):
    make_agency("AG1")
    chosen, other = positioned_accounts(product, 2), positioned_accounts(product, 1)
    now = timezone.now()
    run = DecisionRun.objects.create(as_of=TODAY, started_at=now, finished_at=now)
    for account, treatment in ((chosen[0], "agency_placement"), (chosen[1], "agency_placement"),
                               (other[0], "call")):
        Decision.objects.create(run=run, account=account, segment="M4", treatment=treatment,
                                rule_id="r", priority=1)
    batch = placement_batch_from_night(as_of=TODAY, seed=3)
    assert (batch.source, batch.run, batch.placed) == ("night", run, 2)
    assert set(batch.placements.values_list("account_id", flat=True)) == {a.pk for a in chosen}
    assert placement_batch_from_night(as_of=TODAY) is None  # all placed already
