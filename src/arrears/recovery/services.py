"""Placing accounts with collection agencies, recalling and extending placements, and the
agencies' commission computed from the ledger. Every placement asks the compliance gate
(``agency_assign``: CN-14 entrustment notice, CN-15 approved agency); batches are allocated by
stratified random assignment (``allocation``), set at a time."""

import json
import secrets
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import numpy as np
import pyarrow as pa
from django.db import connection, transaction
from django.utils.translation import gettext as _

from arrears.audit.services import audit_record
from arrears.batch.publish import rows_load
from arrears.compliance.services import AgencyAssignAsk, agency_assigns_ask
from arrears.ledger.models import AccountPosition, Posting
from arrears.portfolio.masking import pii_scrub
from arrears.recovery import commission as rules
from arrears.recovery.allocation import BALANCE_BAND_BOUNDS, Allocation, allocate, band_label
from arrears.recovery.models import (
    Agency,
    CommissionLevel,
    CommissionTier,
    Placement,
    PlacementBatch,
    PlacementExtension,
    PlacementRefusal,
)
from arrears.recovery.selectors import (
    accounts_to_place_from_run,
    agencies_eligible,
    decision_run_latest,
    entrustment_notices,
    rooms_of,
)

BULK = 2000
SEED_MAX = 2**31 - 1


class RecoveryError(ValueError):
    """A request the recovery services refuse, with a reason a person can act on."""


# --- placement batches --------------------------------------------------------------------


@dataclass
class PlacementPlan:
    """A batch before it is confirmed: who would go where and what the gate would say."""

    as_of: date
    seed: int
    agencies: list[Agency]
    rooms: list[int]
    allocation: Allocation
    zones: np.ndarray
    answers: list = field(default_factory=list)
    already_placed: int = 0
    without_position: int = 0

    @property
    def candidates(self) -> int:
        return len(self.allocation.account_ids)

    def allowed_mask(self) -> np.ndarray:
        allowed = np.array([a.verdict == "allow" for a in self.answers], dtype=bool)
        mask = np.zeros(self.candidates, dtype=bool)
        mask[np.flatnonzero(self.allocation.agency >= 0)] = allowed
        return mask

    def counts(self) -> list[dict]:
        """Accounts per agency × stratum (bucket, balance band): dealt and allowed."""
        alloc = self.allocation
        dealt = alloc.agency >= 0
        if not dealt.any():
            return []
        names, bucket_codes = np.unique(alloc.buckets[dealt], return_inverse=True)
        bands = len(BALANCE_BAND_BOUNDS) + 1
        code = (alloc.agency[dealt] * len(names) + bucket_codes.reshape(-1)) * bands \
            + alloc.bands[dealt]
        keys, totals = np.unique(code, return_counts=True)
        allowed = np.bincount(np.searchsorted(keys, code),
                              weights=self.allowed_mask()[dealt], minlength=len(keys))
        rows = [{"agency": self.agencies[int(key) // bands // len(names)],
                 "bucket": str(names[int(key) // bands % len(names)]),
                 "band": band_label(int(key) % bands), "accounts": int(total),
                 "allowed": int(ok)}
                for key, total, ok in zip(keys, totals, allowed, strict=True)]
        return sorted(rows, key=lambda r: (r["agency"].code, r["bucket"]))

    def per_agency(self) -> list[dict]:
        allowed = self.allowed_mask()
        return [{"agency": agency, "room": room,
                 "accounts": int((self.allocation.agency == index).sum()),
                 "allowed": int(((self.allocation.agency == index) & allowed).sum())}
                for index, (agency, room) in enumerate(zip(self.agencies, self.rooms,
                                                           strict=True))]

    @property
    def without_room(self) -> int:
        return int((self.allocation.agency < 0).sum())

    @property
    def allowed(self) -> int:
        return int(self.allowed_mask().sum())


def _candidates(account_ids) -> tuple[list[tuple], int, int]:
    """(account, bucket, balance, time zone) of the accounts to place: those with a position and
    not placed already (counted apart)."""
    wanted = set(account_ids) if not hasattr(account_ids, "query") else None
    positions = AccountPosition.objects.all()
    positions = (positions.filter(account_id__in=wanted) if wanted is not None
                 else positions.filter(account_id__in=account_ids))
    placed = Placement.objects.filter(status=Placement.Status.ACTIVE).values("account_id")
    rows = list(positions.exclude(account_id__in=placed).values_list(
        "account_id", "bucket", "principal_minor", "interest_minor", "fees_minor",
        "account__cardholder__time_zone", "account__product__time_zone"))
    already = positions.filter(account_id__in=placed).count()
    with_position = len(rows) + already
    missing = (len(wanted) - with_position) if wanted is not None else 0
    return rows, already, max(missing, 0)


def placement_plan(account_ids, *, as_of: date, seed: int | None = None,
                   agencies: list[Agency] | None = None, ask_gate: bool = True
                   ) -> PlacementPlan:
    """Allocate the accounts (ids, or a sub-query of ids) across the eligible agencies and ask
    the gate about each placement without storing the answers: the preview of a batch
    (``ask_gate=False``: the allocation only, for a batch that asks and stores next)."""
    seed = secrets.randbelow(SEED_MAX) if seed is None else int(seed)
    if not 0 <= seed <= SEED_MAX:
        raise RecoveryError(_("The seed must be a whole number from 0 to %(max)s.")
                            % {"max": SEED_MAX})
    agencies = list(agencies_eligible(as_of)) if agencies is None else agencies
    if not agencies:
        raise RecoveryError(_("No agency may receive accounts on %(day)s: none is approved, "
                              "under a contract in force and inspected within 12 months.")
                            % {"day": as_of.isoformat()})
    rooms = rooms_of(agencies)
    rows, already, missing = _candidates(account_ids)
    columns = list(zip(*rows, strict=True)) if rows else [()] * 7
    balances = (np.asarray(columns[2], dtype=np.int64) + np.asarray(columns[3], dtype=np.int64)
                + np.asarray(columns[4], dtype=np.int64)) if rows else np.array([], np.int64)
    allocation = allocate(np.asarray(columns[0], dtype=np.int64), np.asarray(columns[1],
                          dtype=object), balances, rooms, seed)
    order = np.argsort(np.asarray(columns[0], dtype=np.int64), kind="stable")
    zones = np.array([a or b or "" for a, b in zip(columns[5], columns[6], strict=True)],
                     dtype=object)[order] if rows else np.array([], dtype=object)
    plan = PlacementPlan(as_of, seed, agencies, rooms, allocation, zones,
                         already_placed=already, without_position=missing)
    if ask_gate:
        plan.answers = agency_assigns_ask(_asks(plan), at=_moment(as_of), store=False)
    return plan


def _moment(as_of: date) -> datetime:
    """A placement is decided at noon UTC of its day (the gate's "today")."""
    now = datetime.now(UTC)
    return now if now.date() == as_of else datetime.combine(as_of, time(12), UTC)


def _asks(plan: PlacementPlan) -> list[AgencyAssignAsk]:
    dealt = np.flatnonzero(plan.allocation.agency >= 0)
    ids = plan.allocation.account_ids[dealt]
    notices = entrustment_notices(ids.tolist())
    facts = [agency.gate_facts() for agency in plan.agencies]
    return [AgencyAssignAsk(int(account_id), zone, facts[agency_index],
                            notices.get(int(account_id)))
            for account_id, zone, agency_index in zip(
                ids.tolist(), plan.zones[dealt].tolist(),
                plan.allocation.agency[dealt].tolist(), strict=True)]


def _tiers_of(agencies: list[Agency]) -> dict[int, list[CommissionTier]]:
    tiers: dict[int, list[CommissionTier]] = {}
    for tier in CommissionTier.objects.filter(agency__in=agencies).order_by("position", "pk"):
        tiers.setdefault(tier.agency_id, []).append(tier)
    return tiers


def tier_ids(tiers: list[CommissionTier], buckets: np.ndarray, balances: np.ndarray
             ) -> np.ndarray:
    """The first tier of the plan matching each placement's bucket and balance (-1: none)."""
    result = np.full(len(buckets), -1, dtype=np.int64)
    for tier in tiers:
        match = (result < 0) & (balances >= tier.balance_from_minor)
        if tier.balance_to_minor is not None:
            match &= balances < tier.balance_to_minor
        if tier.bucket:
            match &= buckets == tier.bucket
        result[match] = tier.pk
    return result


@transaction.atomic
def placement_batch_create(account_ids, *, as_of: date, actor=None, seed: int | None = None,
                           source: str = PlacementBatch.Source.MANUAL, run=None
                           ) -> PlacementBatch:
    """Allocate, ask the gate (answers stored), place what it allows and record every other
    candidate with the reason it was not placed."""
    plan = placement_plan(account_ids, as_of=as_of, seed=seed, ask_gate=False)
    if not plan.candidates:
        raise RecoveryError(_("None of these accounts can be placed: they are placed already "
                              "or have no balance position yet."))
    batch = PlacementBatch.objects.create(
        as_of=as_of, source=source, run=run, seed=plan.seed, candidates=plan.candidates,
        agency_room=[[a.pk, room] for a, room in zip(plan.agencies, plan.rooms, strict=True)],
        created_by=actor if getattr(actor, "is_authenticated", False) else None)
    answers = agency_assigns_ask(_asks(plan), at=_moment(as_of),
                                 reference=f"placement-batch:{batch.pk}", actor=actor)
    placed, refused = _store_outcomes(batch, plan, answers)
    batch.placed, batch.refused = placed, refused
    batch.save(update_fields=["placed", "refused"])
    audit_record(actor=actor, action="placement.batch", object_type="recovery.PlacementBatch",
                 object_id=batch.pk, system="recovery",
                 details={"as_of": as_of.isoformat(), "seed": plan.seed, "source": source,
                          "candidates": plan.candidates, "placed": placed, "refused": refused})
    return batch


def _column(values, kind):
    return pa.array(values, type=kind)


def _store_outcomes(batch: PlacementBatch, plan: PlacementPlan, answers) -> tuple[int, int]:
    """Placements and refusals written as whole columns (COPY on PostgreSQL; pyarrow's CSV
    quotes an empty string, so it stays an empty string and not NULL)."""
    alloc = plan.allocation
    dealt = np.flatnonzero(alloc.agency >= 0)
    allowed = np.fromiter((a.verdict == "allow" for a in answers), dtype=bool,
                          count=len(answers))
    tiers = _tiers_of(plan.agencies)
    tier_of = np.full(len(alloc.account_ids), -1, dtype=np.int64)
    for index, agency in enumerate(plan.agencies):
        mine = alloc.agency == index
        tier_of[mine] = tier_ids(tiers.get(agency.pk, []), alloc.buckets[mine],
                                 alloc.balances[mine])
    agency_pks = np.array([a.pk for a in plan.agencies], dtype=np.int64)
    windows = np.array([a.window_days for a in plan.agencies], dtype="timedelta64[D]")
    placed = dealt[allowed]
    count = len(placed)
    day = np.datetime64(plan.as_of, "D")
    rows_load(Placement._meta.db_table, PLACEMENT_COLUMNS, iter([pa.table([
        _column(np.full(count, batch.pk), pa.int64()),
        _column(alloc.account_ids[placed], pa.int64()),
        _column(agency_pks[alloc.agency[placed]], pa.int64()),
        pa.array(tier_of[placed], mask=tier_of[placed] < 0, type=pa.int64()),
        _column(alloc.buckets[placed].astype(str), pa.string()),
        _column(alloc.balances[placed], pa.int64()),
        _column(alloc.bands[placed], pa.int64()),
        _column(np.full(count, day), pa.date32()),
        _column(day + windows[alloc.agency[placed]], pa.date32()),
        _column(np.full(count, Placement.Status.ACTIVE.value), pa.string()),
        _column(np.full(count, ""), pa.string()),
    ], names=list(PLACEMENT_COLUMNS))]))
    refused = dealt[~allowed]
    without = np.flatnonzero(alloc.agency < 0)
    texts: dict[int, tuple[str, str]] = {}
    for answer in answers:
        if answer.verdict != "allow" and id(answer) not in texts:
            texts[id(answer)] = (",".join(answer.rule_ids)[:200],
                                 json.dumps([r.to_json() for r in answer.reasons],
                                            ensure_ascii=False, default=str))
    gate_texts = [texts[id(a)] for a in answers if a.verdict != "allow"]
    everyone = np.concatenate([refused, without])
    reasons = ([PlacementRefusal.Reason.GATE.value] * len(refused)
               + [PlacementRefusal.Reason.CAPACITY.value] * len(without))
    agency_column = np.concatenate([agency_pks[alloc.agency[refused]],
                                    np.zeros(len(without), dtype=np.int64)])
    rows_load(PlacementRefusal._meta.db_table, REFUSAL_COLUMNS, iter([pa.table([
        _column(np.full(len(everyone), batch.pk), pa.int64()),
        _column(alloc.account_ids[everyone], pa.int64()),
        pa.array(agency_column, mask=np.arange(len(everyone)) >= len(refused),
                 type=pa.int64()),
        _column(alloc.buckets[everyone].astype(str), pa.string()),
        _column(alloc.balances[everyone], pa.int64()),
        _column(reasons, pa.string()),
        _column([t[0] for t in gate_texts] + [""] * len(without), pa.string()),
        _column([t[1] for t in gate_texts] + ["[]"] * len(without), pa.string()),
    ], names=list(REFUSAL_COLUMNS))]))
    return count, len(everyone)


PLACEMENT_COLUMNS = ("batch_id", "account_id", "agency_id", "tier_id", "bucket",
                     "balance_minor", "band", "placed_on", "due_on", "status", "recall_reason")
REFUSAL_COLUMNS = ("batch_id", "account_id", "agency_id", "bucket", "balance_minor", "reason",
                   "rule_ids", "reasons")


def placement_batch_rederive(batch: PlacementBatch) -> dict[int, int | None]:
    """The batch's allocation derived again from what it recorded (its candidates, their
    bucket and balance, the agencies' room, the seed): account id → agency id (None: no
    room). Equal to what was stored, unless the records were changed."""
    rows = list(batch.placements.values_list("account_id", "bucket", "balance_minor"))
    rows += list(batch.refusals.values_list("account_id", "bucket", "balance_minor"))
    agency_ids = [agency_id for agency_id, _room in batch.agency_room]
    rooms = [room for _agency_id, room in batch.agency_room]
    ids, buckets, balances = (list(column) for column in zip(*rows, strict=True))
    allocation = allocate(ids, np.asarray(buckets, dtype=object), balances, rooms, batch.seed)
    return {int(account_id): (agency_ids[index] if index >= 0 else None)
            for account_id, index in zip(allocation.account_ids.tolist(),
                                         allocation.agency.tolist(), strict=True)}


def placement_batch_from_night(*, as_of: date, run=None, actor=None,
                               seed: int | None = None) -> PlacementBatch | None:
    """A batch of the accounts the published night decided to place (None when none)."""
    run = run or decision_run_latest()
    if run is None:
        return None
    ids = accounts_to_place_from_run(run)
    if not ids.exists():
        return None
    try:
        return placement_batch_create(ids, as_of=as_of, actor=actor, seed=seed,
                                      source=PlacementBatch.Source.NIGHT, run=run)
    except RecoveryError:
        return None


# --- recall and extension -----------------------------------------------------------------


def placements_recall_due(as_of: date, *, actor=None) -> int:
    """Recall, in one statement, every active placement whose window has ended by ``as_of``;
    payments from ``as_of`` on no longer count for the agency."""
    with transaction.atomic():
        count = Placement.objects.filter(status=Placement.Status.ACTIVE,
                                         due_on__lte=as_of).update(
            status=Placement.Status.RECALLED, ended_on=as_of,
            recall_reason="window ended")
        audit_record(actor=actor, action="placement.recall_due", system="recovery",
                     object_type="recovery.Placement",
                     details={"as_of": as_of.isoformat(), "recalled": count})
    return count


def _reason(text: str) -> str:
    """A typed reason without ID, card or mobile numbers in it (as notes are kept)."""
    return pii_scrub((text or "").strip())[0]


def _require(actor, permission: str) -> None:
    if actor is None or not actor.has_perm(permission):
        raise RecoveryError(_("Your role may not change placements."))


def placement_recall(placement: Placement, *, actor, reason: str, on: date | None = None
                     ) -> Placement:
    """Recall one placement before its window ends (a person with the right, audited)."""
    _require(actor, "recovery.change_placement")
    reason = _reason(reason)
    if not reason:
        raise RecoveryError(_("Give the reason for the recall."))
    with transaction.atomic():
        placement = Placement.objects.select_for_update().get(pk=placement.pk)
        if placement.status != Placement.Status.ACTIVE:
            raise RecoveryError(_("This placement has been recalled already."))
        placement.status = Placement.Status.RECALLED
        placement.ended_on = on or date.today()
        placement.recall_reason = reason[:200]
        placement.save(update_fields=["status", "ended_on", "recall_reason"])
        audit_record(actor=actor, action="placement.recall", object_type="recovery.Placement",
                     object_id=placement.pk, details={"reason": reason[:200],
                                                      "account": placement.account_id})
    return placement


def placement_extend(placement: Placement, *, actor, days: int, reason: str) -> Placement:
    """Lengthen an active placement's window by ``days`` (1–180), with a reason (audited)."""
    _require(actor, "recovery.change_placement")
    reason = _reason(reason)
    if not reason:
        raise RecoveryError(_("Give the reason for the extension."))
    if not isinstance(days, int) or not 1 <= days <= 180:
        raise RecoveryError(_("An extension is 1 to 180 days."))
    with transaction.atomic():
        placement = Placement.objects.select_for_update().get(pk=placement.pk)
        if placement.status != Placement.Status.ACTIVE:
            raise RecoveryError(_("Only an active placement can be extended."))
        before = placement.due_on
        placement.due_on = before + timedelta(days=days)
        placement.save(update_fields=["due_on"])
        PlacementExtension.objects.create(placement=placement, days=days, due_before=before,
                                          due_after=placement.due_on, reason=reason[:300],
                                          actor=actor)
        audit_record(actor=actor, action="placement.extend", object_type="recovery.Placement",
                     object_id=placement.pk,
                     details={"days": days, "due_before": before.isoformat(),
                              "due_after": placement.due_on.isoformat(),
                              "reason": reason[:300]})
    return placement


# --- commission ---------------------------------------------------------------------------


@dataclass(frozen=True)
class TierCommission:
    tier: CommissionTier | None
    agency_minor: int
    direct_minor: int
    reversed_agency_minor: int
    reversed_direct_minor: int
    credited: Decimal
    commission_minor: int

    @property
    def reversed_minor(self) -> int:
        return self.reversed_agency_minor + self.reversed_direct_minor


@dataclass(frozen=True)
class CommissionStatement:
    agency: Agency
    start: date
    end: date
    currency: str
    tiers: list[TierCommission]

    @property
    def total_minor(self) -> int:
        return sum(t.commission_minor for t in self.tiers)

    @property
    def collected_minor(self) -> int:
        return sum(t.agency_minor + t.direct_minor for t in self.tiers)

    @property
    def reversed_minor(self) -> int:
        return sum(t.reversed_agency_minor + t.reversed_direct_minor for t in self.tiers)


_WHILE_PLACED = ("p.posting_date >= pl.placed_on "
                 "AND (pl.ended_on IS NULL OR p.posting_date < pl.ended_on)")


def _direct_case(prefix: str) -> tuple[str, list]:
    if not prefix:
        return "0", []
    return "CASE WHEN SUBSTR(p.external_id, 1, %s) = %s THEN 0 ELSE 1 END", [len(prefix),
                                                                            prefix]


def _sums(agency: Agency, start: date, end: date) -> dict[tuple, list[int]]:
    """Per (tier, direct): payments made while placed and dated in the period, and reversals
    dated in the period of payments made while placed. Two grouped queries."""
    posting, placement = Posting._meta.db_table, Placement._meta.db_table
    case, case_params = _direct_case(agency.payment_prefix)
    payments = (f"SELECT pl.tier_id, {case}, SUM(p.amount_minor) FROM {posting} p "
                f"JOIN {placement} pl ON pl.account_id = p.account_id "
                f"WHERE pl.agency_id = %s AND p.kind = 'payment' "
                f"AND p.posting_date BETWEEN %s AND %s AND {_WHILE_PLACED} GROUP BY 1, 2")
    reversals = (f"SELECT pl.tier_id, {case}, SUM(r.amount_minor) FROM {posting} r "
                 f"JOIN {posting} p ON p.id = r.reverses_id "
                 f"JOIN {placement} pl ON pl.account_id = p.account_id "
                 f"WHERE pl.agency_id = %s AND r.kind = 'reversal' AND p.kind = 'payment' "
                 f"AND r.posting_date BETWEEN %s AND %s AND {_WHILE_PLACED} GROUP BY 1, 2")
    sums: dict[tuple, list[int]] = {}
    with connection.cursor() as cursor:
        for slot, sql in ((0, payments), (1, reversals)):
            cursor.execute(sql, [*case_params, agency.pk, start, end])
            for tier_id, direct, amount in cursor.fetchall():
                sums.setdefault((tier_id, int(direct)), [0, 0])[slot] += int(amount or 0)
    return sums


def commission_for(agency: Agency, start: date, end: date) -> CommissionStatement:
    """The agency's commission for payments dated ``start``–``end`` (inclusive), from the
    ledger: per tier, the agency's collections plus direct payments at the plan's share, less
    reversals in the period of payments made while placed (clawed back), through the tier's
    sliding levels, rounded once per tier."""
    if end < start:
        raise RecoveryError(_("The period ends before it starts."))
    sums = _sums(agency, start, end)
    tiers = {t.pk: t for t in CommissionTier.objects.filter(agency=agency)}
    levels: dict[int, list[rules.Level]] = {}
    for level in CommissionLevel.objects.filter(tier__agency=agency):
        levels.setdefault(level.tier_id, []).append(
            rules.Level(level.collected_from_minor, level.rate))
    result = []
    for tier_id in sorted({key[0] for key in sums}, key=lambda t: (t is None, t or 0)):
        agency_pay, agency_rev = sums.get((tier_id, 0), [0, 0])
        direct_pay, direct_rev = sums.get((tier_id, 1), [0, 0])
        credited = rules.credited(agency_pay - agency_rev, direct_pay - direct_rev,
                                  agency.direct_share)
        amount = rules.to_minor(rules.sliding(credited, levels.get(tier_id, [])))
        result.append(TierCommission(tiers.get(tier_id), agency_pay, direct_pay, agency_rev,
                                     direct_rev, credited, amount))
    currency = (Placement.objects.filter(agency=agency)
                .values_list("account__product__currency", flat=True).first() or "CNY")
    return CommissionStatement(agency, start, end, currency, result)
