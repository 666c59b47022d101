"""The one access policy (COMPLIANCE.md b.4, PIPL art. 51): who may see and do what.

Every page, API endpoint, export and command asks this module; nothing else decides access.
A user's rights are the union of their roles' rows in :data:`POLICIES`:

- **areas**: the parts of the product the role may open (the menu shows exactly these);
- **scopes**: the relationships through which the role reaches an account. ``all`` is every
  account; the others (``queue``, ``team``, ``visit``, ``legal``, ``placement``) are provided
  by the apps that own the relationship and registered with :func:`relationship_register`, so
  this module depends on no app above the portfolio. A scope nobody provides gives nothing;
- **writes**: whether the role records collection activity (outcomes, notes, promises, plans,
  waivers, calls, visit results) on the accounts it reaches; oversight roles only read;
- **masking**: the display format of personal data (M1 in-house, M0 outside the office);
- **reveal**: whether the role may reveal personal data of an account it reaches, with a
  purpose code and a reason (audited);
- **exports**: the long lists (:data:`LISTS`) the role may download as CSV or Excel, masked
  like the page and limited to what the role reaches (each export audited). COMPLIANCE.md b.4:
  collectors, field agents and agencies export nothing; a team lead aggregates only (none of
  the long lists is an aggregate); compliance officers and auditors the evidence they review;
  managers and strategy managers the accounts behind a report's number. The report tables
  themselves are aggregates: every role with the ``reports`` area may download them.

A superuser (created on the command line) has every area and scope; revealing still needs a
purpose. Object identifiers in URLs never decide access alone: every lookup goes through
:func:`accounts_readable` or :func:`accounts_workable`.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from arrears.portfolio.masking import M0, M1
from arrears.portfolio.models import Account
from arrears.users.services import group_names_of

# The parts of the product (menu entries and the pages under them).
PORTFOLIO = "portfolio"      # aggregates by bucket
ACCOUNTS = "accounts"        # account search and the account page
DECISIONS = "decisions"      # the night's decisions in aggregate
DECISION_ACCOUNT = "decision_account"  # one account's score, reasons and rule
WORK = "work"                # the collector's queue and one-screen account
TEAM = "team"                # queues, re-assignment, approvals, the team's day
OUTBOX = "outbox"            # the outbox and its statuses
SIMULATOR = "simulator"      # the demo's SMS gateway
TEMPLATES = "templates"      # message templates and previews
VISITS = "visits"            # field visits
AUDIT = "audit"              # the audit trail and its exports
ADMIN = "admin"              # configuration (the Django admin)
API = "api"                  # the REST API, for systems (card system, gateways, dialer)
REPORTS = "reports"          # roll, cure and collector reports (aggregates, drill-down in reach)
AGENCIES = "agencies"        # the agency register, placement batches and placements
PLACED = "placed"            # an agency's own placed accounts (its users' first page)
AREAS = (PORTFOLIO, ACCOUNTS, DECISIONS, DECISION_ACCOUNT, WORK, TEAM, OUTBOX, SIMULATOR,
         TEMPLATES, VISITS, AUDIT, ADMIN, API, REPORTS, AGENCIES, PLACED)

# Relationships that reach accounts.
ALL = "all"
QUEUE = "queue"          # the collector's own queue and their teams' unassigned pool
TEAM_SCOPE = "team"      # every account queued to the teams the user leads
VISIT = "visit"          # an approved field visit of the user's, within its time box
LEGAL = "legal"          # accounts referred to litigation
PLACEMENT = "placement"  # accounts placed with the user's agency
SCOPES = (ALL, QUEUE, TEAM_SCOPE, VISIT, LEGAL, PLACEMENT)

# The long lists that can be exported (``arrears.lists``): the name of each list's spec.
ACCOUNTS_LIST = "accounts"        # account search results
QUEUE_LIST = "queue"              # the collector's own queue
TEAM_QUEUE_LIST = "team_queue"    # the queues of the teams a user leads or oversees
APPROVALS_LIST = "approvals"      # requests waiting for a decision
OUTBOX_LIST = "outbox"            # messages and tasks of the outbox
VISITS_LIST = "visits"            # field visits
AUDIT_LIST = "audit"              # the audit trail as the page shows it
REPORT_ACCOUNTS_LIST = "report_accounts"  # the accounts behind a number of a report
PLACEMENTS_LIST = "placements"    # accounts placed with agencies
LISTS = (ACCOUNTS_LIST, QUEUE_LIST, TEAM_QUEUE_LIST, APPROVALS_LIST, OUTBOX_LIST, VISITS_LIST,
         AUDIT_LIST, REPORT_ACCOUNTS_LIST, PLACEMENTS_LIST)


@dataclass(frozen=True)
class RolePolicy:
    role: str
    areas: frozenset[str]
    scopes: tuple[str, ...]
    writes: bool
    masking: str
    reveal: bool
    exports: frozenset[str] = frozenset()


def _policy(role, areas, scopes, *, writes=False, masking=M1, reveal=False,
            exports=()) -> RolePolicy:
    unknown = set(exports) - set(LISTS)
    if unknown:
        raise ValueError(f"Unknown lists {sorted(unknown)} in the exports of {role!r}.")
    return RolePolicy(role, frozenset(areas), tuple(scopes), writes, masking, reveal,
                      frozenset(exports))


_READ_ALL = (PORTFOLIO, ACCOUNTS, DECISIONS, DECISION_ACCOUNT, WORK)

POLICIES: dict[str, RolePolicy] = {
    policy.role: policy
    for policy in (
        _policy("collector", (PORTFOLIO, ACCOUNTS, DECISION_ACCOUNT, WORK), (QUEUE,),
                writes=True),
        _policy("team_lead", (*_READ_ALL, TEAM, OUTBOX, VISITS, TEMPLATES, ADMIN, REPORTS),
                (QUEUE, TEAM_SCOPE), writes=True, reveal=True),
        _policy("collections_manager",
                (*_READ_ALL, TEAM, OUTBOX, VISITS, TEMPLATES, ADMIN, REPORTS, AGENCIES),
                (ALL,), writes=True, reveal=True,
                exports=(ACCOUNTS_LIST, TEAM_QUEUE_LIST, APPROVALS_LIST, OUTBOX_LIST,
                         VISITS_LIST, REPORT_ACCOUNTS_LIST, PLACEMENTS_LIST)),
        _policy("field_agent", (VISITS, WORK), (VISIT,), writes=True, masking=M0),
        _policy("agency_manager", (PLACED, ACCOUNTS, WORK), (PLACEMENT,), writes=True,
                masking=M0),
        _policy("legal_officer", (ACCOUNTS, DECISION_ACCOUNT, WORK), (LEGAL,), reveal=True),
        _policy("strategy_manager",
                (PORTFOLIO, DECISIONS, DECISION_ACCOUNT, TEMPLATES, ADMIN, REPORTS, AGENCIES),
                (ALL,), masking=M0, exports=(REPORT_ACCOUNTS_LIST,)),
        _policy("compliance_officer",
                (*_READ_ALL, OUTBOX, VISITS, TEMPLATES, AUDIT, ADMIN, REPORTS, AGENCIES), (ALL,),
                reveal=True,
                exports=(ACCOUNTS_LIST, OUTBOX_LIST, VISITS_LIST, AUDIT_LIST, PLACEMENTS_LIST)),
        _policy("auditor",
                (*_READ_ALL, OUTBOX, VISITS, TEMPLATES, AUDIT, ADMIN, REPORTS, AGENCIES),
                (ALL,), exports=(AUDIT_LIST,)),
        # Infrastructure: configuration and the channels' operations (every account's messages,
        # masked M0), but no account pages.
        _policy("administrator", (PORTFOLIO, OUTBOX, SIMULATOR, TEMPLATES, ADMIN, AGENCIES),
                (ALL,), masking=M0, exports=(OUTBOX_LIST,)),
        # A system that calls the API with a token (the card system, a payment gateway): what
        # it may call is further limited by the model permissions its user holds.
        _policy("api_client", (API,), (ALL,), writes=True, masking=M0),
    )
}
SUPERUSER = _policy("superuser", AREAS, (ALL,), writes=True, reveal=True, exports=LISTS)

# Relationship name → function(user) giving the ids of the accounts it reaches (a queryset of
# ``pk`` values, evaluated inside the database as a sub-query).
_RELATIONSHIPS: dict[str, Callable] = {}


def relationship_register(name: str, account_ids_of: Callable) -> None:
    """Called by the app that owns a relationship (from its ``AppConfig.ready``)."""
    if name not in SCOPES or name == ALL:
        raise ValueError(f"Unknown relationship {name!r}; expected one of {SCOPES[1:]}.")
    _RELATIONSHIPS[name] = account_ids_of


def policies_of(user) -> tuple[RolePolicy, ...]:
    """The rows of the policy that apply to ``user`` (none for an anonymous user)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return ()
    if user.is_superuser:
        return (SUPERUSER,)
    return tuple(POLICIES[name] for name in sorted(group_names_of(user)) if name in POLICIES)


def may_use(user, area: str) -> bool:
    """May ``user`` open the pages of ``area`` at all (before any account is looked at)?"""
    if area not in AREAS:
        raise ValueError(f"Unknown area {area!r}.")
    return any(area in policy.areas for policy in policies_of(user))


def may_export(user, list_name: str) -> bool:
    """May ``user`` download the long list ``list_name`` (CSV, Excel)? The rows are still
    only those the user reaches, masked like the page."""
    if list_name not in LISTS:
        raise ValueError(f"Unknown list {list_name!r}.")
    return any(list_name in policy.exports for policy in policies_of(user))


def areas_of(user) -> frozenset[str]:
    return frozenset().union(*(policy.areas for policy in policies_of(user)))


def _scope_filter(user, policies) -> Q | None:
    """One filter over accounts for the scopes of ``policies``; None means every account."""
    scopes = {scope for policy in policies for scope in policy.scopes}
    if ALL in scopes:
        return None
    condition = Q(pk__in=[])
    for scope in sorted(scopes):
        provider = _RELATIONSHIPS.get(scope)
        if provider is not None:
            condition |= Q(pk__in=provider(user))
    return condition


def _accounts_through(user, policies) -> QuerySet[Account]:
    if not policies:
        return Account.objects.none()
    condition = _scope_filter(user, policies)
    return Account.objects.all() if condition is None else Account.objects.filter(condition)


def accounts_readable(user) -> QuerySet[Account]:
    """The accounts ``user`` may open (pages, API, exports)."""
    return _accounts_through(user, policies_of(user))


def accounts_workable(user) -> QuerySet[Account]:
    """The accounts on which ``user`` may record collection activity."""
    return _accounts_through(user, [p for p in policies_of(user) if p.writes])


def sees_every_account(user) -> bool:
    return any(ALL in policy.scopes for policy in policies_of(user))


def within_reach(user, rows: QuerySet, *, through: str = "account") -> QuerySet:
    """``rows`` (messages, visits, approvals, …) limited to those whose account ``user`` may
    read; ``through`` names the rows' account field."""
    if sees_every_account(user):
        return rows
    return rows.filter(**{f"{through}__in": accounts_readable(user)})


def may_read_account(user, account: Account) -> bool:
    return accounts_readable(user).filter(pk=account.pk).exists()


def may_work_account(user, account: Account) -> bool:
    return accounts_workable(user).filter(pk=account.pk).exists()


class AccessDenied(PermissionDenied):
    """A person asked a service to act on an account the policy does not let them work."""


def require_work(actor, account: Account) -> None:
    """Services call this before they act on ``account`` for ``actor``, so that no shell (page,
    API, command) can go around the policy. A system process (no user: the night, an import)
    is not limited here; a person must be allowed to work the account."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return
    if not may_work_account(actor, account):
        raise AccessDenied(
            _("Your role may read this account but not record collection activity on it.")
        )


def accounts_of_cardholder_session(account_id: int) -> QuerySet[Account]:
    """What a cardholder signed in to the self-service portal reaches: the one account their
    portal session was opened for (by a personal link or the card and mobile, then a one-time
    code), never another, whatever a URL or form names. A portal session is no staff user, so
    it has no area above; a staff user has no portal session."""
    return Account.objects.filter(pk=account_id)


def may_reveal_account(user, account: Account) -> bool:
    """Reveal needs a role that reveals AND a relationship to this very account through it."""
    revealing = [p for p in policies_of(user) if p.reveal]
    return bool(revealing) and _accounts_through(user, revealing).filter(pk=account.pk).exists()


def masking_level(user) -> str:
    """M1 when any of the user's roles works in-house, otherwise M0 (also for no role)."""
    policies = policies_of(user)
    return M1 if any(policy.masking == M1 for policy in policies) else M0
