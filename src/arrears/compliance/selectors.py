"""Reading the compliance data: the live rule packs and word lists (cached in the process), the
gate's view of one account (one query), active holds."""

import time as clock
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import connection

from arrears.compliance import gate
from arrears.compliance.content import Word, default_words
from arrears.compliance.models import (
    Consent,
    ContactAttempt,
    ForbiddenWord,
    Hold,
    OptOut,
    RulePack,
    ThirdPartyDoNotCall,
)
from arrears.compliance.timezones import residence_country
from arrears.portfolio.models import Account, Cardholder, ContactPoint

_cache: dict[str, tuple[float, object]] = {}


def _ttl() -> float:
    """Seconds a process keeps a live pack before looking again; a change saved in this
    process clears the cache at once (``pack_cache_clear``)."""
    return float(getattr(settings, "ARREARS_GATE_PACK_TTL", 5))


def _cached(key: str, load):
    now = clock.monotonic()
    hit = _cache.get(key)
    if hit and hit[0] > now:
        return hit[1]
    value = load()
    _cache[key] = (now + _ttl(), value)
    return value


def pack_cache_clear() -> None:
    _cache.clear()


def words_live() -> tuple[Word, ...]:
    """The active forbidden-word list (the shipped defaults when the table is empty)."""
    def load():
        rows = ForbiddenWord.objects.filter(active=True).values_list(
            "language", "word", "category", "rule_id")
        words = tuple(Word(*row) for row in rows)
        return words or default_words()
    return _cached("words", load)


def pack_data(pack: RulePack, words: tuple[Word, ...] | None = None) -> gate.RulePackData:
    rules = tuple(gate.RuleConfig(rule_id=s.rule_id, check=s.check_name, enabled=s.enabled,
                                  action=s.action, params=s.params, source=s.source,
                                  status=s.status, title=s.title)
                  for s in pack.settings.order_by("id"))
    return gate.RulePackData(profile=pack.profile, rules=rules, version=pack.version,
                             default_time_zone=pack.default_time_zone, region=pack.region,
                             jurisdiction_zones=tuple(pack.jurisdiction_zones or ()),
                             words=words_live() if words is None else words)


def pack_live(profile: str) -> gate.RulePackData:
    """The live pack of ``profile`` from the database, else the shipped file."""
    def load():
        pack = RulePack.objects.filter(profile=profile, active=True).first()
        if pack is None:
            return gate.default_pack(profile)
        return pack_data(pack)
    return _cached(f"pack:{profile}", load)


def profile_for(account: Account) -> str:
    """The jurisdiction profile the gate applies to ``account`` (setting
    ARREARS_COMPLIANCE_PROFILE, default CN-BANK)."""
    return getattr(settings, "ARREARS_COMPLIANCE_PROFILE", "CN-BANK")


# A bank's own profile becomes the debt collector's when an agency acts for it.
AGENCY_PROFILES = {"US-FIRST-PARTY": "US-FDCPA"}
# The profile of the country a debtor lives in (ARREARS_COMPLIANCE_RESIDENCE_PROFILES).
RESIDENCE_PROFILES = {"CN": "CN-BANK", "US": "US-FIRST-PARTY", "GB": "UK-FCA"}


def profiles_for(account: Account, *, acting_party: str = "bank", zones=(),
                 phone: str = "") -> list[str]:
    """Every profile that applies to ``account`` (COMPLIANCE.md section 0: evaluate them all,
    the strictest wins): the bank's own, the collector's when an agency acts, and the profile
    of the country the debtor lives in (from the cardholder's zone, else the phone)."""
    own = profile_for(account)
    if acting_party == "agency":
        own = AGENCY_PROFILES.get(own, own)
    profiles = [own]
    mapping = getattr(settings, "ARREARS_COMPLIANCE_RESIDENCE_PROFILES", RESIDENCE_PROFILES)
    country = residence_country(tuple(z for z in zones if z), phone)
    residence = mapping.get(country) if country else None
    if residence and residence not in profiles and not (
            residence.split("-")[0] == own.split("-")[0]):
        profiles.append(AGENCY_PROFILES.get(residence, residence)
                        if acting_party == "agency" else residence)
    return profiles


def _dt(value) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value if value is None or value.tzinfo else value.replace(tzinfo=UTC)
    parsed = datetime.fromisoformat(str(value))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


HISTORY_DAYS = 8
_NT = "CAST(NULL AS {})"


def _state_sql() -> str:
    """One round trip for everything the gate reads about a person: contact history in the
    rule windows (and all earlier contacts with the third party asked about), holds, consents,
    opt-outs, the do-not-call entry, contact points and time zones."""
    ts, tx, bi = _NT.format("timestamp with time zone" if connection.vendor == "postgresql"
                            else "timestamp"), _NT.format("varchar"), _NT.format("bigint")
    t = {m.__name__: m._meta.db_table for m in (ContactAttempt, Hold, Consent, OptOut,
                                                  ThirdPartyDoNotCall, ContactPoint, Account,
                                                  Cardholder)}
    return f"""
SELECT 'a', at, {ts}, channel, counterparty, outcome, debt_ids, excluded_reason, purpose,
       contact_point_id, third_party_id, account_id
  FROM {t['ContactAttempt']}
 WHERE cardholder_id = %(cardholder)s AND at <= %(at)s
   AND (at >= %(since)s OR third_party_id = %(third_party)s)
UNION ALL
SELECT 'h', since, until, kind, {tx}, {tx}, {tx}, {tx}, {tx}, {bi}, {bi}, {bi}
  FROM {t['Hold']}
 WHERE account_id = %(account)s AND released_at IS NULL AND (until IS NULL OR until > %(at)s)
UNION ALL
SELECT 'c', valid_from, valid_until, kind, channel, reference, {tx}, {tx}, {tx}, {bi}, {bi},
       {bi}
  FROM {t['Consent']} WHERE account_id = %(account)s AND valid_until >= %(at)s
UNION ALL
SELECT 'o', {ts}, {ts}, channel, {tx}, {tx}, {tx}, {tx}, {tx}, {bi}, {bi}, {bi}
  FROM {t['OptOut']} WHERE cardholder_id = %(cardholder)s
UNION ALL
SELECT 'd', {ts}, {ts}, {tx}, {tx}, {tx}, {tx}, {tx}, {tx}, third_party_id, {bi}, {bi}
  FROM {t['ThirdPartyDoNotCall']} WHERE third_party_id = %(third_party)s
UNION ALL
SELECT 'p', {ts}, {ts}, kind, value, source, {tx}, {tx}, {tx}, id, {bi}, {bi}
  FROM {t['ContactPoint']} WHERE cardholder_id = %(cardholder)s
UNION ALL
SELECT 'z', {ts}, {ts}, ch.time_zone, {tx}, {tx}, {tx}, {tx}, {tx}, {bi}, {bi}, {bi}
  FROM {t['Account']} ac JOIN {t['Cardholder']} ch ON ch.id = ac.cardholder_id
 WHERE ac.id = %(account)s
"""


_sql_by_vendor: dict[str, str] = {}


def gate_state(account: Account, at: datetime, third_party_id: int | None) -> dict:
    """The rows the gate needs about ``account``'s cardholder at ``at``, sorted by kind."""
    sql = _sql_by_vendor.get(connection.vendor)
    if sql is None:
        sql = _sql_by_vendor[connection.vendor] = _state_sql()
    params = {"cardholder": account.cardholder_id, "account": account.pk, "at": at,
              "since": at - timedelta(days=HISTORY_DAYS), "third_party": third_party_id or -1}
    state: dict[str, list] = {k: [] for k in "ahcodpz"}
    for row in _fetch(sql, params):
        state[row[0]].append(row)
    return state


def _fetch(sql: str, params: dict) -> list[tuple]:
    """Run the state query. On PostgreSQL it is a server-side prepared statement (planning it
    costs more than running it), on the same session and transaction as Django's queries."""
    if connection.vendor == "postgresql":
        connection.ensure_connection()
        with connection.connection.cursor() as cursor:
            cursor.execute(sql, params, prepare=True)
            return cursor.fetchall()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def holds_active(account: Account, at: datetime | None = None) -> list[Hold]:
    at = at or datetime.now(UTC)
    return list(Hold.objects.filter(account=account, released_at__isnull=True, since__lte=at)
                .exclude(until__lte=at).order_by("since"))


def holds_active_by_account(account_ids, at: datetime) -> dict[int, list[str]]:
    """Account id → kinds of its active holds at ``at`` (for the nightly snapshot). Holds are
    few next to accounts: one scan of the active holds, filtered here (no giant IN list)."""
    wanted = set(account_ids)
    result: dict[int, list[str]] = {}
    rows = (Hold.objects.filter(released_at__isnull=True, since__lte=at).exclude(until__lte=at)
            .values_list("account_id", "kind").order_by("account_id", "kind").distinct())
    for account_id, kind in rows:
        if account_id in wanted:
            result.setdefault(account_id, []).append(kind)
    return result
