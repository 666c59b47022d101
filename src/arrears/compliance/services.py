"""Compliance services: ask the gate about a real account (and store the answer), record
contact attempts, holds, consents, opt-outs and third-party do-not-call entries, change a rule
pack's parameters (a new version, audited)."""

import json
from collections.abc import Callable, Iterable
from dataclasses import MISSING, dataclass, fields, replace
from datetime import UTC, date, datetime, time
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils.translation import gettext as _

from arrears.audit.services import audit_record
from arrears.compliance import gate
from arrears.compliance.holds import HOLD_KINDS
from arrears.compliance.models import (
    Consent,
    ContactAttempt,
    GateCheck,
    Hold,
    OptOut,
    RulePack,
    RuleSetting,
    ThirdPartyDoNotCall,
)
from arrears.compliance.selectors import (
    _dt,
    gate_state,
    pack_cache_clear,
    pack_live,
    profiles_for,
)
from arrears.compliance.selectors import holds_active as _holds_active
from arrears.compliance.selectors import (
    holds_active_by_account as _holds_active_by_account,
)
from arrears.compliance.signals import location_unknown
from arrears.portfolio.models import ADDRESS_KINDS, PHONE_KINDS, Account, ThirdPartyContact

NOT_COUNTED_OUTCOMES = {"not_connected": "not_connected", "busy": "not_connected"}


class ComplianceError(ValueError):
    """Bad input to a compliance service (the message says what to fix)."""


def _pk(value) -> int | None:
    return None if value is None else getattr(value, "pk", value)


def _now(at: datetime | None) -> datetime:
    if at is None:
        return datetime.now(UTC)
    if at.tzinfo is None:
        raise ComplianceError(_("Times must be aware (with a time zone)."))
    return at.astimezone(UTC)


def _history(rows, account: Account) -> tuple[gate.HistoryItem, ...]:
    items = []
    for (_src, at, _t2, channel, counterparty, outcome, debt_ids, excluded, purpose,
         point, third, account_id) in rows:
        items.append(gate.HistoryItem(
            at=_dt(at), channel=channel, counterparty=counterparty,
            contact_point=str(point or ""), third_party=str(third or ""), outcome=outcome,
            debt_ids=tuple(debt_ids.split(",")) if debt_ids else (str(account_id),),
            excluded_reason=excluded or "", purpose=purpose))
    return tuple(items)


def contact_request_for(account: Account, *, channel: str = "", action: str = "",
                        purpose: str = "collection", counterparty: str = "debtor",
                        at: datetime | None = None, contact_point=None, third_party=None,
                        content: str = "", language: str = "", collectors: int = 0,
                        approval_reference: str = "", acting_party: str = "bank",
                        facts: dict | None = None) -> gate.ContactRequest:
    """The gate request for a real account, built from one database round trip. ``action``
    (or ``channel`` for a contact) names what is asked about; ``facts`` adds request fields as
    JSON values (an agency, a furnishing's content, a limitation period …), checked as the
    JSON of ``arrears gate check`` is."""
    at = _now(at)
    action = action or channel
    if action not in gate.ACTION_TYPES:
        raise ComplianceError(_("Unknown action %(action)r.") % {"action": action})
    point_id, third_id = _pk(contact_point), _pk(third_party)
    state = gate_state(account, at, third_id)
    points = {row[9]: row for row in state["p"]}
    point = points.get(point_id)
    if point_id is not None and point is None:
        raise ComplianceError(_("Contact point %(id)s is not the cardholder's.") % {"id": point_id})
    holder_zone = state["z"][0][3] if state["z"] else ""
    phones = [row[4] for row in state["p"] if row[3] in PHONE_KINDS]
    phone = point[4] if point is not None and point[3] in PHONE_KINDS else (phones or [""])[0]
    address = next((row[4] for kind in ADDRESS_KINDS for row in state["p"] if row[3] == kind), "")
    profiles = profiles_for(account, acting_party=acting_party, zones=(holder_zone,),
                            phone=phone)
    zones = (holder_zone,) if holder_zone else ()
    request = gate.ContactRequest(
        at=at, profile=profiles[0], profiles=tuple(profiles[1:]), action=action,
        channel=action if action in gate.CHANNELS else "", purpose=purpose,
        counterparty=counterparty, acting_party=acting_party,
        address=address, phone=phone, time_zones=zones,
        contact_point=str(point_id or ""), contact_point_kind=point[3] if point else "",
        provenance=point[5] if point else "", third_party=str(third_id or ""),
        debt_ids=(str(account.pk),), history=_history(state["a"], account),
        holds=tuple(gate.HoldState(kind=row[3], since=_dt(row[1]), until=_dt(row[2]))
                    for row in state["h"]),
        consents=tuple(gate.ConsentState(kind=row[3], channel=row[4] or "",
                                         valid_from=_dt(row[1]), valid_until=_dt(row[2]),
                                         reference=row[5] or "") for row in state["c"]),
        opt_outs=tuple(row[3] for row in state["o"]),
        third_party_do_not_call=bool(state["d"]),
        content=content, language=language, collectors=collectors,
        approval_reference=approval_reference,
    )
    if facts:
        try:
            request = request.with_facts(facts)
        except gate.RequestInvalid as error:
            raise ComplianceError(_("%(field)s: %(message)s")
                                  % {"field": error.field, "message": error.message}) from None
    return request


SUMMARY_ALWAYS = ("at", "profile", "action", "channel", "purpose", "counterparty")


@lru_cache(maxsize=1)
def _request_defaults() -> dict:
    return {f.name: gate._json_value(f.default) for f in fields(gate.ContactRequest)
            if f.default is not MISSING}


def _request_summary(request: gate.ContactRequest) -> dict:
    """What was asked, as stored with the answer: the fields that differ from their defaults
    (and the few that say what the question was), the history as its length."""
    defaults = _request_defaults()
    data = {key: value for key, value in request.to_json().items()
            if key in SUMMARY_ALWAYS or defaults.get(key, ...) != value}
    data["history"] = len(request.history)
    return data


def gate_ask(account: Account, *, channel: str = "", action: str = "",
             purpose: str = "collection", counterparty: str = "debtor",
             at: datetime | None = None, contact_point=None, third_party=None,
             content: str = "", language: str = "", actor=None, reference: str = "",
             collectors: int = 0, approval_reference: str = "", acting_party: str = "bank",
             facts: dict | None = None) -> gate.GateAnswer:
    """Ask the live rule packs whether this action may happen at ``at`` (now by default),
    store the answer as a ``GateCheck`` and return it with ``check_id`` set.

    ``channel`` names a contact, ``action`` any action type of the gate (a contact channel,
    agency_assign, cra_furnish, legal_referral, fee_post, interest_post, debt_sale);
    ``collectors`` is how many go on a field visit (CN-17); ``approval_reference`` names the
    approval a REQUIRE_APPROVAL rule waits for; ``facts`` adds request fields (JSON values)."""
    request = contact_request_for(account, channel=channel, action=action, purpose=purpose,
                                  counterparty=counterparty, at=at, contact_point=contact_point,
                                  third_party=third_party, content=content, language=language,
                                  collectors=collectors, approval_reference=approval_reference,
                                  acting_party=acting_party, facts=facts)
    answer = gate.gate_check(request, {p: pack_live(p) for p in request.profiles})
    if answer.location_unknown:
        _find_location_task(account, actor)
    fields = _gate_check_fields(account, request, answer, reference, actor)
    if _relaxed_store_applies():
        check_id = _gate_check_store_relaxed(fields)
    else:
        check_id = GateCheck.objects.create(**fields).pk
    return replace(answer, check_id=check_id)


def _find_location_task(account: Account, actor) -> None:
    """Nothing tells where the debtor is: announce it, so that skip tracing finds out."""
    location_unknown.send(sender=GateCheck, account=account, actor=actor)


def _relaxed_store_applies() -> bool:
    """A stored answer on its own (not inside a caller's transaction) is committed on
    PostgreSQL without waiting for the WAL flush: it saves a disk sync per answer; a crash of
    the database server may lose the last fraction of a second of answers, never a contact
    (``contact_record`` stays durable). ARREARS_GATE_DURABLE_CHECKS = True turns this off."""
    return (connection.vendor == "postgresql" and not connection.in_atomic_block
            and not getattr(settings, "ARREARS_GATE_DURABLE_CHECKS", False))


def _gate_check_store_relaxed(fields: dict) -> int:
    """One round trip: the INSERT relaxes its own commit (``set_config(..., true)`` is local to
    the statement's transaction) and returns the id; a prepared statement on the server."""
    from psycopg.types.json import Jsonb

    columns = dict(fields)
    columns["actor_id"] = getattr(columns.pop("actor"), "pk", None)
    columns["asked_at"] = datetime.now(UTC)
    columns["reasons"], columns["request"] = Jsonb(columns["reasons"]), Jsonb(columns["request"])
    names = sorted(columns)
    sql = (f"WITH relaxed AS (SELECT set_config('synchronous_commit', 'off', true)) "
           f"INSERT INTO {GateCheck._meta.db_table} ({', '.join(names)}) "
           f"SELECT {', '.join(f'%({n})s' for n in names)} FROM relaxed RETURNING id")
    connection.ensure_connection()
    with connection.connection.cursor() as cursor:
        cursor.execute(sql, columns, prepare=True)
        return cursor.fetchone()[0]


def _gate_check_fields(account, request, answer, reference, actor) -> dict:
    return dict(
        account_id=account.pk, at=request.at, action=request.action, channel=request.channel,
        purpose=request.purpose,
        counterparty=request.counterparty, verdict=answer.verdict, decision=answer.decision,
        not_before=answer.not_before, rule_ids=",".join(answer.rule_ids),
        reasons=[r.to_json() for r in answer.reasons], request=_request_summary(request),
        profile=answer.profile, pack_version=answer.pack_version, reference=reference,
        actor=actor if getattr(actor, "is_authenticated", False) else None)


def contact_record(account: Account, *, channel: str, outcome: str,
                   counterparty: str = "debtor", at: datetime | None = None,
                   contact_point=None, third_party=None, check_id: int | None = None,
                   actor=None, note: str = "", debt_ids: Iterable[str] = (),
                   purpose: str | None = None, excluded_reason: str = "") -> ContactAttempt:
    """Append one attempt to the contact ledger (what the frequency rules count). The purpose
    defaults to the gate check's, else collection; not-connected calls are marked not counted
    (US-12)."""
    if outcome not in gate.OUTCOMES or not outcome:
        raise ComplianceError(_("Unknown outcome %(outcome)r.") % {"outcome": outcome})
    if channel not in gate.CHANNELS:
        raise ComplianceError(_("Unknown channel %(channel)r.") % {"channel": channel})
    if purpose is None:
        purpose = (GateCheck.objects.filter(pk=check_id).values_list("purpose", flat=True).first()
                   if check_id else None) or "collection"
    return ContactAttempt.objects.create(
        account_id=account.pk, cardholder_id=account.cardholder_id, channel=channel,
        purpose=purpose, counterparty=counterparty, contact_point_id=_pk(contact_point),
        third_party_id=_pk(third_party), at=_now(at), outcome=outcome,
        conversation=outcome in gate.CONVERSATION_OUTCOMES,
        excluded_reason=excluded_reason or NOT_COUNTED_OUTCOMES.get(outcome, ""),
        debt_ids=",".join(str(d) for d in debt_ids), check_id=check_id,
        actor=actor if getattr(actor, "is_authenticated", False) else None, note=note)


def hold_place(account: Account, kind: str, *, until: datetime | None = None, actor=None,
               note: str = "", reference: str = "") -> Hold:
    """Put ``account`` on hold from now (until ``until``, or until released)."""
    if kind not in HOLD_KINDS:
        raise ComplianceError(_("Unknown hold kind %(kind)r; known: %(known)s.")
                              % {"kind": kind, "known": ", ".join(HOLD_KINDS)})
    since = datetime.now(UTC)
    if until is not None and _now(until) <= since:
        raise ComplianceError(_("A hold must end in the future."))
    with transaction.atomic():
        hold = Hold.objects.create(account=account, kind=kind, since=since,
                                   until=_now(until) if until else None, note=note,
                                   reference=reference, created_by=_user(actor))
        audit_record(actor=actor, action="compliance.hold_place", object_type="account",
                     object_id=account.pk, details={"kind": kind, "until": str(until or ""),
                                                    "reference": reference, "note": note})
    return hold


def hold_release(account: Account, kind: str, *, actor=None, note: str = "",
                 reference: str = "") -> int:
    """Release every active hold of ``kind`` on ``account``; how many were released."""
    now = datetime.now(UTC)
    with transaction.atomic():
        released = (Hold.objects.filter(account=account, kind=kind, released_at__isnull=True)
                    .exclude(until__lte=now)
                    .update(released_at=now, released_by=_user(actor)))
        if released:
            audit_record(actor=actor, action="compliance.hold_release", object_type="account",
                         object_id=account.pk, details={"kind": kind, "count": released,
                                                        "reference": reference, "note": note})
    return released


def holds_active(account: Account, at: datetime | None = None) -> list[Hold]:
    return _holds_active(account, at)


def holds_active_by_account(account_ids, at: datetime) -> dict[int, list[str]]:
    return _holds_active_by_account(account_ids, at)


def opt_out_record(account: Account, channel: str, *, actor=None, note: str = "") -> OptOut:
    """The cardholder asked not to be contacted through ``channel`` (kept per person)."""
    if channel not in gate.CHANNELS:
        raise ComplianceError(_("Unknown channel %(channel)r.") % {"channel": channel})
    with transaction.atomic():
        opt_out, _created = OptOut.objects.get_or_create(
            cardholder_id=account.cardholder_id, channel=channel,
            defaults={"account": account, "note": note, "created_by": _user(actor)})
        audit_record(actor=actor, action="compliance.opt_out", object_type="account",
                     object_id=account.pk, details={"channel": channel, "note": note})
    return opt_out


def third_party_do_not_call(third_party: ThirdPartyContact, *, actor=None) -> ThirdPartyDoNotCall:
    """Put a third party on the do-not-call list (they objected to being contacted)."""
    with transaction.atomic():
        entry, _created = ThirdPartyDoNotCall.objects.get_or_create(
            third_party_id=_pk(third_party), defaults={"created_by": _user(actor)})
        audit_record(actor=actor, action="compliance.third_party_do_not_call",
                     object_type="third_party", object_id=_pk(third_party))
    return entry


def consent_record(account: Account, *, kind: str = "contact_time", channel: str = "",
                   valid_from: datetime, valid_until: datetime, reference: str,
                   actor=None) -> Consent:
    """Record the debtor's consent (``contact_time``: to be contacted at this otherwise
    inconvenient time; ``callback``: 'call me back', which also keeps the call out of the US
    frequency counts for 7 days)."""
    if kind not in gate.CONSENT_KINDS:
        raise ComplianceError(_("Unknown consent kind %(kind)r.") % {"kind": kind})
    if channel and channel not in gate.CHANNELS:
        raise ComplianceError(_("Unknown channel %(channel)r.") % {"channel": channel})
    if not reference:
        raise ComplianceError(_("A consent needs a reference (recording or document)."))
    if _now(valid_until) <= _now(valid_from):
        raise ComplianceError(_("A consent must end after it starts."))
    with transaction.atomic():
        consent = Consent.objects.create(account=account, kind=kind, channel=channel,
                                         valid_from=_now(valid_from),
                                         valid_until=_now(valid_until), reference=reference,
                                         created_by=_user(actor))
        audit_record(actor=actor, action="compliance.consent", object_type="account",
                     object_id=account.pk, details={"kind": kind, "channel": channel,
                                                    "reference": reference})
    return consent


def _user(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


class RuleChangeInvalid(ValueError):
    """A rule change the gate could not run with (the message lists the problems)."""


@transaction.atomic
def rule_setting_change(setting: RuleSetting, *, enabled: bool, action: str, params: dict,
                        actor, note: str = "") -> RuleSetting:
    """Change one rule of the live pack: a NEW pack version (the old one is kept) with the
    change becomes live at once and the change is audited (who, what, old → new)."""
    problems = gate.rule_problems(setting.check_name, action, params)
    if problems:
        raise RuleChangeInvalid("; ".join(problems))
    old = RulePack.objects.select_for_update().get(pk=setting.pack_id)
    if not old.active:
        raise RuleChangeInvalid(_("Only the live version of a pack can be changed."))
    current = old.settings.get(rule_id=setting.rule_id)
    changes = {name: {"old": getattr(current, name), "new": value}
               for name, value in (("enabled", enabled), ("action", action), ("params", params))
               if getattr(current, name) != value}
    if not changes:
        return current
    latest = RulePack.objects.filter(profile=old.profile).order_by("-version").first()
    RulePack.objects.filter(pk=old.pk).update(active=False)
    new = RulePack.objects.create(profile=old.profile, version=latest.version + 1, active=True,
                                  default_time_zone=old.default_time_zone, region=old.region,
                                  jurisdiction_zones=old.jurisdiction_zones,
                                  created_by=_user(actor),
                                  note=note or _("%(rule)s changed") % {"rule": setting.rule_id})
    copies = []
    for rule in old.settings.order_by("id"):
        rule.pk = None
        rule.pack = new
        if rule.rule_id == setting.rule_id:
            rule.enabled, rule.action, rule.params = enabled, action, params
        copies.append(rule)
    RuleSetting.objects.bulk_create(copies)
    audit_record(actor=actor, action="compliance.rule_change", object_type="rule_pack",
                 object_id=new.pk, details={"profile": new.profile, "rule_id": setting.rule_id,
                                            "from_version": old.version,
                                            "to_version": new.version, "changes": changes,
                                            "note": note})
    transaction.on_commit(pack_cache_clear)
    pack_cache_clear()
    return new.settings.get(rule_id=setting.rule_id)


@dataclass(frozen=True)
class PostingAsk:
    """A fee or interest posting the nightly cycle would book."""

    account: Account
    action: str
    posting_date: date
    fee_kind: str = ""


def postings_ask(asks: list[PostingAsk], *, answers_cache: dict | None = None
                 ) -> list[gate.GateAnswer]:
    """The gate's answers to a night's fee and interest postings, set at a time: one query for
    the holds of all the accounts, then one evaluation per distinct state (profiles, active
    holds, action, fee kind, day) — accounts with nothing on them share one answer — instead
    of a round trip and an evaluation per posting. ``answers_cache`` carries the answers
    across chunks of one run. Nothing is stored here: the cycle stores the refusals."""
    if not asks:
        return []
    cache = {} if answers_cache is None else answers_cache
    first = min(a.posting_date for a in asks)
    holds: dict[int, list[gate.HoldState]] = {}
    rows = (Hold.objects.filter(account_id__in={a.account.pk for a in asks},
                                released_at__isnull=True)
            .exclude(until__lte=datetime.combine(first, time(0), UTC))
            .values_list("account_id", "kind", "since", "until"))
    for account_id, kind, since, until in rows:
        holds.setdefault(account_id, []).append(gate.HoldState(kind, since, until))
    answers = []
    for ask in asks:
        zone_name = getattr(ask.account.cardholder, "time_zone", "") or ""
        profiles = tuple(profiles_for(ask.account, zones=(zone_name,)))
        state = tuple(sorted(holds.get(ask.account.pk, ()), key=repr))
        key = (profiles, state, ask.action, ask.fee_kind, ask.posting_date)
        if key not in cache:
            request = gate.ContactRequest(
                at=datetime.combine(ask.posting_date, time(12), UTC), profile=profiles[0],
                profiles=profiles[1:], action=ask.action, holds=state, fee_kind=ask.fee_kind)
            cache[key] = gate.gate_check(request, {p: pack_live(p) for p in profiles})
        answers.append(cache[key])
    return answers


def posting_refusals_store(refused: list[tuple[PostingAsk, gate.GateAnswer]],
                           reference: str) -> int:
    """Store the gate's refusals of postings as ``GateCheck`` rows (the allowed ones are
    counted in the cycle's audit event, not stored one by one)."""
    GateCheck.objects.bulk_create(
        GateCheck(account_id=ask.account.pk, at=datetime.combine(ask.posting_date, time(12), UTC),
                  action=ask.action, channel="", purpose="collection", counterparty="debtor",
                  verdict=answer.verdict, decision=answer.decision,
                  not_before=answer.not_before, rule_ids=",".join(answer.rule_ids),
                  reasons=[r.to_json() for r in answer.reasons],
                  request={"action": ask.action, "posting_date": ask.posting_date.isoformat(),
                           "fee_kind": ask.fee_kind},
                  profile=answer.profile, pack_version=answer.pack_version,
                  reference=reference)
        for ask, answer in refused)
    return len(refused)


def gate_then(account: Account, act: Callable[[gate.GateAnswer], Any], **ask) -> tuple:
    """Ask the gate (``gate_ask`` with ``ask``) and run ``act(answer)`` only when the answer
    allows: the one way a code path that places, furnishes, refers, posts or sells acts.
    Returns (answer, what ``act`` returned, or None when it did not run)."""
    answer = gate_ask(account, **ask)
    if answer.verdict != "allow":
        return answer, None
    return answer, act(answer)


@dataclass(frozen=True)
class AgencyAssignAsk:
    """A placement the recovery app would make: the account (its id and the cardholder's time
    zone), the agency as the gate reads it (``gate.Agency`` facts) and when the debtor was told
    of the entrustment (CN-14)."""

    account_id: int
    time_zone: str
    agency: dict
    notice_sent_at: datetime | None


def agency_assigns_ask(asks: list[AgencyAssignAsk], *, at: datetime, reference: str = "",
                       actor=None, store: bool = True) -> list[gate.GateAnswer]:
    """The gate's answers to a batch of placements, set at a time: one query for the holds of
    all the accounts, one evaluation per distinct state (profiles, holds, agency, notice). With
    ``store`` every answer is kept as a ``GateCheck`` (bulk) and carries its ``check_id``; a
    preview asks without storing."""
    if not asks:
        return []
    holds: dict[int, list[gate.HoldState]] = {}
    ids = sorted({a.account_id for a in asks})
    for start in range(0, len(ids), 10_000):  # within SQLite's limit of parameters
        rows = (Hold.objects.filter(account_id__in=ids[start:start + 10_000],
                                    released_at__isnull=True)
                .exclude(until__lte=at).values_list("account_id", "kind", "since", "until"))
        for account_id, kind, since, until in rows:
            holds.setdefault(account_id, []).append(gate.HoldState(kind, since, until))
    cache: dict = {}
    answers, stored = [], []
    for ask in asks:
        profiles = tuple(profiles_for(None, zones=(ask.time_zone,)))
        state = tuple(sorted(holds.get(ask.account_id, ()), key=repr))
        key = (profiles, state, tuple(sorted(ask.agency.items())), ask.notice_sent_at)
        if key not in cache:
            request = gate.ContactRequest(
                at=at, profile=profiles[0], profiles=profiles[1:], action="agency_assign",
                holds=state,
            ).with_facts({"agency": ask.agency,
                          "entrustment_notice_sent_at": (ask.notice_sent_at.isoformat()
                                                         if ask.notice_sent_at else None)})
            answer = gate.gate_check(request, {p: pack_live(p) for p in profiles})
            # What is stored is the same for every account of this state: built once.
            cache[key] = (answer, _gate_check_fields(_AccountRef(None), request, answer,
                                                     reference, actor) if store else None)
        answers.append(cache[key][0])
        stored.append(cache[key][1])
    if store:
        _gate_checks_store(asks, stored)
    return answers


def _gate_checks_store(asks: list[AgencyAssignAsk], stored: list[dict]) -> None:
    """One ``GateCheck`` per ask, found again by its reference and account. On PostgreSQL a
    COPY with the JSON of each distinct answer written once; elsewhere a bulk insert."""
    if connection.vendor != "postgresql":
        GateCheck.objects.bulk_create(
            (GateCheck(**{**fields, "account_id": ask.account_id})
             for ask, fields in zip(asks, stored, strict=True)), batch_size=2000)
        return
    columns = [name for name in sorted(stored[0]) if name != "actor"] + ["actor_id", "asked_at"]
    now = datetime.now(UTC)
    rows: dict[int, list] = {}
    sql = (f"COPY {GateCheck._meta.db_table} ({', '.join(columns)}) FROM STDIN")
    connection.ensure_connection()
    with connection.connection.cursor() as cursor, cursor.copy(sql) as copy:
        for ask, fields in zip(asks, stored, strict=True):
            row = rows.get(id(fields))
            if row is None:
                row = rows[id(fields)] = [
                    json.dumps(fields[name], default=str) if name in ("reasons", "request")
                    else fields[name] for name in columns[:-2]] + [
                    getattr(fields["actor"], "pk", None), now]
            row[columns.index("account_id")] = ask.account_id
            copy.write_row(row)


@dataclass(frozen=True)
class _AccountRef:
    pk: int | None
