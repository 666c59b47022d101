"""Stratified random assignment: deterministic for a seed, within each agency's room, and each
stratum (bucket × balance band) spread across agencies in proportion to their quotas."""

from collections import Counter

import numpy as np
import pytest

from arrears.recovery.allocation import allocate, balance_bands, quotas, slot_sequence


def _portfolio(n=3000, seed=7):
    rng = np.random.default_rng(seed)
    return (np.arange(1, n + 1), rng.choice(["M2", "M3", "M4", "M5"], n),
            rng.integers(10_000, 9_000_000, n))


def test_quotas_are_equal_shares_capped_by_room():
    assert quotas(10, [3, 0, 100]).tolist() == [3, 0, 7]
    assert quotas(2, [5, 5, 5]).tolist() == [1, 1, 0]
    assert quotas(100, [10, 20]).tolist() == [10, 20]
    assert quotas(9, [3, 3, 3]).tolist() == [3, 3, 3]


def test_the_slot_sequence_interleaves_evenly():
    sequence = slot_sequence(np.array([2, 4]))
    assert sequence.tolist() == [1, 0, 1, 1, 0, 1]


def test_the_same_seed_gives_the_same_allocation_whatever_the_input_order():
    ids, buckets, balances = _portfolio()
    first = allocate(ids, buckets, balances, [1000, 800, 5000], seed=42)
    again = allocate(ids[::-1], buckets[::-1], balances[::-1], [1000, 800, 5000], seed=42)
    other = allocate(ids, buckets, balances, [1000, 800, 5000], seed=43)
    assert (first.agency == again.agency).all()
    assert not (first.agency == other.agency).all()


def test_room_is_respected_and_the_rest_is_left_unplaced():
    ids, buckets, balances = _portfolio()
    allocation = allocate(ids, buckets, balances, [500, 700, 0], seed=1)
    counts = Counter(allocation.agency.tolist())
    assert counts == {0: 500, 1: 700, -1: 1800}


@pytest.mark.parametrize("rooms", [[5000, 5000, 5000], [600, 1200, 5000]])
def test_every_stratum_reaches_every_agency_in_proportion(rooms):
    ids, buckets, balances = _portfolio()
    allocation = allocate(ids, buckets, balances, rooms, seed=3)
    quota = quotas(len(ids), rooms)
    bands = balance_bands(balances)
    for bucket in ("M2", "M3", "M4", "M5"):
        for band in range(4):
            stratum = (buckets == bucket) & (bands == band)
            size = int(stratum.sum())
            got = Counter(allocation.agency[stratum].tolist())
            for index, q in enumerate(quota):
                expected = size * q / quota.sum()
                assert abs(got.get(index, 0) - expected) <= 1.5, (bucket, band, got, expected)
