"""Stratified random assignment of accounts to agencies, on whole arrays (numpy): no Python
loop per account, deterministic for a given seed, so a batch can be derived again.

Strata are bucket × balance band. Every agency gets a quota (equal shares, capped by its room:
water-filling); the quotas are interleaved into one even sequence of agency slots, and the
accounts, ordered by stratum and then at random within it, take the slots in that order. Each
stratum therefore reaches every agency in proportion to its quota (within one account), which is
what makes agencies comparable like for like.
"""

from dataclasses import dataclass

import numpy as np

# Upper bounds of the balance bands in minor units (below 5,000.00; 20,000.00; 50,000.00; above).
BALANCE_BAND_BOUNDS = (500_000, 2_000_000, 5_000_000)


def balance_bands(balances: np.ndarray) -> np.ndarray:
    """The band (0 = smallest) of each balance."""
    return np.searchsorted(np.asarray(BALANCE_BAND_BOUNDS), balances, side="right")


def band_label(band: int) -> str:
    bounds = (0, *BALANCE_BAND_BOUNDS)
    if band >= len(BALANCE_BAND_BOUNDS):
        return f"≥{bounds[-1] // 100:,}"
    return f"{bounds[band] // 100:,}–{bounds[band + 1] // 100:,}"


@dataclass(frozen=True)
class Allocation:
    """``agency[i]`` is the index (into the agencies given) of account ``account_ids[i]``, or
    -1 when no agency had room for it."""

    account_ids: np.ndarray
    buckets: np.ndarray
    balances: np.ndarray
    bands: np.ndarray
    agency: np.ndarray


def quotas(total: int, rooms: list[int]) -> np.ndarray:
    """Equal shares of ``total`` across agencies, none above its room (water-filling); the
    remainder of an uneven split goes to the first agencies with room left."""
    rooms_array = np.asarray(rooms, dtype=np.int64)
    result = np.zeros(len(rooms), dtype=np.int64)
    left = min(total, int(rooms_array.sum()))
    open_ = rooms_array > 0
    while left > 0 and open_.any():
        share = left // int(open_.sum())
        if share == 0:
            for index in np.flatnonzero(open_)[:left]:
                result[index] += 1
            break
        grant = np.where(open_, np.minimum(share, rooms_array - result), 0)
        result += grant
        left -= int(grant.sum())
        open_ = result < rooms_array
    return result


def slot_sequence(quota: np.ndarray) -> np.ndarray:
    """The agencies' slots interleaved evenly: agency ``a`` at positions (k + ½) / quota[a]."""
    labels = np.repeat(np.arange(len(quota)), quota)
    within = np.concatenate([np.arange(q) for q in quota]) if len(quota) else np.array([])
    positions = (within + 0.5) / np.repeat(np.maximum(quota, 1), quota)
    return labels[np.lexsort((labels, positions))]


def allocate(account_ids, buckets, balances, rooms: list[int], seed: int) -> Allocation:
    """Assign each account to one agency (or none when the room runs out)."""
    ids = np.asarray(account_ids, dtype=np.int64)
    order = np.argsort(ids, kind="stable")
    ids = ids[order]
    buckets = np.asarray(buckets, dtype=object)[order]
    balances = np.asarray(balances, dtype=np.int64)[order]
    bands = balance_bands(balances)
    keys = np.random.default_rng(seed).random(len(ids))
    quota = quotas(len(ids), rooms)
    chosen = np.zeros(len(ids), dtype=bool)
    chosen[np.argsort(keys, kind="stable")[: int(quota.sum())]] = True
    agency = np.full(len(ids), -1, dtype=np.int64)
    members = np.flatnonzero(chosen)
    bucket_codes = np.unique(buckets, return_inverse=True)[1].reshape(-1)
    stratum = bucket_codes[members] * (len(BALANCE_BAND_BOUNDS) + 1) + bands[members]
    dealt = members[np.lexsort((keys[members], stratum))] if len(members) else members
    agency[dealt] = slot_sequence(quota)
    return Allocation(ids, buckets, balances, bands, agency)
