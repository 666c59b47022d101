"""Commission from the ledger, against a hand calculation.

Agency AG1 (payments it collects have references starting "AG1-"; direct payments to the bank
count at half). Tier 1: bucket M2, 10 % on the first 1,000.00 collected, 15 % above. Tier 2:
any other bucket, 20 %.

March, account X (M2, placed 1 March): AG1-1 800.00, AG1-2 500.00, AG1-3 400.10 collected by
the agency; D-1 200.00 paid directly to the bank; AG1-2 reversed on 15 March; AG1-0 (999.99,
before the placement) and its reversal do not count.
    agency 800.00 + 500.00 + 400.10 − 500.00 = 1,200.10; direct 200.00 × 0.5 = 100.00
    credited 1,300.10 → 1,000.00 × 10 % + 300.10 × 15 % = 100.00 + 45.015 = 145.015 → 145.02
Account Y (M4, placed 1 March, recalled 10 March): AG1-9 100.00 on 9 March counts, AG1-10
50.00 on 10 March does not → 100.00 × 20 % = 20.00.
March total: 165.02. April: AG1-1 (800.00) reversed on 2 April → clawed back −80.00.
"""

from datetime import date
from decimal import Decimal

import pytest

from arrears.ledger.models import Posting
from arrears.recovery.commission import Level, sliding
from arrears.recovery.models import Placement, PlacementBatch
from arrears.recovery.services import RecoveryError, commission_for
from tests.recovery.conftest import add_tier, make_agency, positioned_accounts

pytestmark = pytest.mark.django_db


def _post(account, external_id, amount, day, kind="payment", reverses=None):
    return Posting.objects.create(external_id=external_id, account=account, kind=kind,
                                  amount_minor=amount, posting_date=day, value_date=day,
                                  source="import", reverses=reverses)


@pytest.fixture
def ledger(product):
    agency = make_agency("AG1", payment_prefix="AG1-", direct_share=Decimal("0.5"))
    first = add_tier(agency, (0, "0.10"), (100_000, "0.15"), bucket="M2")
    second = add_tier(agency, (0, "0.20"), position=2)
    x, y = positioned_accounts(product, 2)
    batch = PlacementBatch.objects.create(as_of=date(2026, 3, 1), source="manual", seed=1)
    common = {"batch": batch, "agency": agency, "balance_minor": 500_000, "band": 0,
              "placed_on": date(2026, 3, 1), "due_on": date(2026, 5, 30)}
    Placement.objects.create(account=x, tier=first, bucket="M2", **common)
    Placement.objects.create(account=y, tier=second, bucket="M4", status="recalled",
                             ended_on=date(2026, 3, 10), **common)
    before = _post(x, "AG1-0", 99_999, date(2026, 2, 20))
    _post(x, "AG1-0R", 99_999, date(2026, 3, 3), kind="reversal", reverses=before)
    first_payment = _post(x, "AG1-1", 80_000, date(2026, 3, 5))
    second_payment = _post(x, "AG1-2", 50_000, date(2026, 3, 10))
    _post(x, "D-1", 20_000, date(2026, 3, 12))
    _post(x, "AG1-2R", 50_000, date(2026, 3, 15), kind="reversal", reverses=second_payment)
    _post(x, "AG1-3", 40_010, date(2026, 3, 20))
    _post(x, "FEE-1", 5_000, date(2026, 3, 21), kind="late_fee")
    _post(y, "AG1-9", 10_000, date(2026, 3, 9))
    _post(y, "AG1-10", 5_000, date(2026, 3, 10))
    _post(x, "AG1-1R", 80_000, date(2026, 4, 2), kind="reversal", reverses=first_payment)
    return agency


def test_march_commission_agrees_with_the_hand_calculation(ledger):
    statement = commission_for(ledger, date(2026, 3, 1), date(2026, 3, 31))
    by_tier = {row.tier.position: row for row in statement.tiers}
    assert (by_tier[1].agency_minor, by_tier[1].direct_minor) == (170_010, 20_000)
    assert by_tier[1].reversed_agency_minor == 50_000
    assert by_tier[1].commission_minor == 14_502
    assert (by_tier[2].agency_minor, by_tier[2].commission_minor) == (10_000, 2_000)
    assert statement.total_minor == 16_502


def test_a_reversal_in_a_later_period_is_clawed_back(ledger):
    statement = commission_for(ledger, date(2026, 4, 1), date(2026, 4, 30))
    assert statement.total_minor == -8_000
    assert statement.reversed_minor == 80_000


def test_without_a_prefix_every_payment_is_the_agencys(ledger):
    ledger.payment_prefix = ""
    ledger.save()
    statement = commission_for(ledger, date(2026, 3, 1), date(2026, 3, 31))
    first = next(row for row in statement.tiers if row.tier.position == 1)
    # 190,010 − 50,000 = 140,010 credited: 10,000 + 40,010 × 15 % = 16,001.5 → 16,002
    assert (first.direct_minor, first.commission_minor) == (0, 16_002)


def test_a_period_that_ends_before_it_starts_is_refused(ledger):
    with pytest.raises(RecoveryError):
        commission_for(ledger, date(2026, 3, 31), date(2026, 3, 1))


def test_sliding_levels_are_marginal():
    levels = [Level(0, Decimal("0.1")),
              Level(1000, Decimal("0.2"))]
    assert sliding(Decimal(1500), levels) == 200
    assert sliding(Decimal(-500), levels) == -50
