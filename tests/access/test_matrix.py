"""The access matrix (COMPLIANCE.md b.4, issue 10): every role × every URL pattern and API
endpoint × an object the role reaches and one it does not.

The truth table below is written by hand from b.4, not read from the code: which accounts each
role reaches (``READS``) and may work (``WRITES``) in the small world of ``conftest.py``. The
pages each role may open come from the policy's table (``policy.POLICIES``), which is the
reviewed, documented configuration. A new URL pattern that is not listed in ``SPECS`` (or as
public) fails ``test_every_url_pattern_is_in_the_matrix``.
"""

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from arrears.access import policy
from arrears.users.models import ApiToken
from tests.access.conftest import personal_data_in_full

ROLES = (*policy.POLICIES, "superuser")
EVERY = frozenset({"own", "team", "legal", "visit", "placed", "other"})

# Which accounts of the world each role reaches (b.4 "Scope") ...
READS: dict[str, frozenset[str]] = {
    "collector": frozenset({"own"}),
    "team_lead": frozenset({"own", "team"}),
    "collections_manager": EVERY,
    "field_agent": frozenset({"visit"}),
    "agency_manager": frozenset({"placed"}),
    "legal_officer": frozenset({"legal"}),
    "strategy_manager": EVERY,
    "compliance_officer": EVERY,
    "auditor": EVERY,
    "administrator": EVERY,
    "api_client": EVERY,
    "superuser": EVERY,
}
# ... and on which it may record collection activity (oversight roles: none).
WRITES: dict[str, frozenset[str]] = {
    "collector": frozenset({"own"}),
    "team_lead": frozenset({"own", "team"}),
    "collections_manager": EVERY,
    "field_agent": frozenset({"visit"}),
    "agency_manager": frozenset({"placed"}),
    "legal_officer": frozenset(),
    "strategy_manager": frozenset(),
    "compliance_officer": frozenset(),
    "auditor": frozenset(),
    "administrator": frozenset(),
    "api_client": EVERY,
    "superuser": EVERY,
}
# Oversight roles must never write, whatever the policy table says (b.4, issue 10).
assert all(not WRITES[role] for role in ("auditor", "compliance_officer", "administrator"))

DENIED = {403, 404}
# Views that need no role: Django's login, logout and language switch, the product's language
# switch (saves the choice of a logged-in user), the SMS gateway's receipts (its own secret),
# the API's schema pages, and the API (bearer tokens; tested below with a token per role).
PUBLIC = {
    "login", "logout", "set_language", "work:language", "channels:sms_receipts",
    "api:openapi-json", "api:openapi-view", "api:api-root",
    # the cardholder portal's way in (a one-time code authenticates) and the payment
    # provider's callback (a signature authenticates): tests/selfservice
    "selfservice:start", "selfservice:link", "selfservice:code", "selfservice:sign_out",
    "selfservice:callback",
}
# The cardholder portal's pages: its own session (a one-time code), no staff role reaches them
# (tests/selfservice/test_security.py walks them with a staff session and a portal one).
CARDHOLDER = {"selfservice:owed", "selfservice:pay", "selfservice:pay_result",
              "selfservice:simulator", "selfservice:promise"}


@dataclass(frozen=True)
class Spec:
    area: str
    method: str
    url: Callable  # (world, key) -> path; key is an account key or None
    keys: tuple[str | None, ...] = (None,)
    writes: bool = False
    data: dict | None = None
    # Where a rule beyond access decides (the authority matrix, the approver permission):
    # role → the keys it may act on; every other role is denied.
    only: dict[str, frozenset[str]] | None = None


def _account(route):
    return lambda w, key: route.format(pk=w.accounts[key].pk, id=w.accounts[key].external_id)


ACCOUNT_KEYS = tuple(sorted(EVERY))

SPECS: dict[str, list[Spec]] = {
    "web:portfolio": [Spec(policy.PORTFOLIO, "get", lambda w, k: "/")],
    "web:account_search": [Spec(policy.ACCOUNTS, "get", lambda w, k: "/accounts/?q=AC-M-own")],
    "web:account": [
        Spec(policy.ACCOUNTS, "get", _account("/accounts/{id}/"), ACCOUNT_KEYS),
    ],
    "web:audit": [Spec(policy.AUDIT, "get", lambda w, k: "/audit/")],
    "web:audit_export_request": [Spec(policy.AUDIT, "post", lambda w, k: "/audit/exports/")],
    "web:audit_export_decide": [Spec(
        policy.AUDIT, "post", lambda w, k: f"/audit/exports/{w.exports['pending'].pk}/decide/")],
    "web:audit_export_download": [Spec(
        policy.AUDIT, "post",
        lambda w, k: f"/audit/exports/{w.exports['pending'].pk}/download/")],
    "workbench:decisions": [Spec(policy.DECISIONS, "get", lambda w, k: "/decisions/")],
    "workbench:account_lookup": [Spec(policy.DECISION_ACCOUNT, "get",
                                      lambda w, k: "/decisions/account/?q=AC-M-own")],
    "workbench:account": [Spec(policy.DECISION_ACCOUNT, "get",
                               _account("/decisions/account/{id}/"), ACCOUNT_KEYS)],
    "workbench:queue": [Spec(policy.WORK, "get", lambda w, k: "/decisions/queue/")],
    "work:queue": [Spec(policy.WORK, "get", lambda w, k: "/work/")],
    "work:account": [Spec(policy.WORK, "get", _account("/work/accounts/{pk}/"), ACCOUNT_KEYS)],
    **{
        f"work:{action}": [Spec(policy.WORK, "post", _account(f"/work/accounts/{{pk}}/{action}/"),
                                ACCOUNT_KEYS, writes=True)]
        for action in ("call", "outcome", "note", "plan", "waiver")
    },
    "work:team": [Spec(policy.TEAM, "get", lambda w, k: "/work/team/")],
    "work:team_queue": [Spec(policy.TEAM, "get", lambda w, k: "/work/team/queue/")],
    "work:reassign": [Spec(policy.TEAM, "post", lambda w, k: "/work/team/reassign/")],
    # Deciding an approval also needs authority (the authority matrix has rows for team leads
    # and collections managers only; a superuser holds none by default).
    "work:approval": [Spec(policy.TEAM, "post",
                           lambda w, k: f"/work/team/approvals/{w.approvals[k].pk}/",
                           ("team", "other"), writes=True,
                           only={"team_lead": frozenset({"team"}),
                                 "collections_manager": frozenset({"team", "other"})})],
    "work:team_visits": [Spec(policy.TEAM, "get", lambda w, k: "/work/team/visits/")],
    # Naming a visit's collectors: a team lead for their teams' accounts, a manager for all.
    "work:team_visit_assign": [Spec(
        policy.TEAM, "post", lambda w, k: f"/work/team/visits/{w.visits[k].pk}/assign/",
        ("planned-team", "planned-other"), writes=True,
        only={"team_lead": frozenset({"planned-team"}),
              "collections_manager": frozenset({"planned-team", "planned-other"}),
              "superuser": frozenset({"planned-team", "planned-other"})})],
    "channels:outbox": [Spec(policy.OUTBOX, "get", lambda w, k: "/channels/outbox/")],
    "channels:simulator": [Spec(policy.SIMULATOR, "get", lambda w, k: "/channels/simulator/")],
    "channels:templates": [Spec(policy.TEMPLATES, "get", lambda w, k: "/channels/templates/")],
    "channels:template_preview": [Spec(
        policy.TEMPLATES, "get", lambda w, k: f"/channels/templates/{w.template.pk}/preview/")],
    "reporting:index": [Spec(policy.REPORTS, "get", lambda w, k: "/reports/")],
    "reporting:rolls": [Spec(policy.REPORTS, "get", lambda w, k: "/reports/rolls/")],
    "reporting:cures": [Spec(policy.REPORTS, "get", lambda w, k: "/reports/cures/")],
    "reporting:collectors": [Spec(policy.REPORTS, "get", lambda w, k: "/reports/collectors/")],
    "reporting:compliance": [Spec(policy.REPORTS, "get", lambda w, k: "/reports/compliance/")],
    "reporting:accounts": [Spec(policy.REPORTS, "get",
                                lambda w, k: "/reports/accounts/?kind=roll&source=M0&target=M0")],
    "dialer:visits": [Spec(policy.VISITS, "get", lambda w, k: "/dialer/visits/")],
    "dialer:visit": [Spec(policy.VISITS, "get", lambda w, k: f"/dialer/visits/{w.visits[k].pk}/",
                          ("visit", "other"))],
    # Approving a visit needs the approver's permission (team leads, managers), never the
    # field agent who goes on it.
    "dialer:visit_approve": [Spec(
        policy.VISITS, "post", lambda w, k: f"/dialer/visits/{w.visits[k].pk}/approve/",
        ("visit", "other"), writes=True,
        only={"collections_manager": frozenset({"visit", "other"}),
              "superuser": frozenset({"visit", "other"})})],
    "recovery:agencies": [Spec(policy.AGENCIES, "get", lambda w, k: "/recovery/agencies/")],
    "recovery:agency": [Spec(policy.AGENCIES, "get",
                             lambda w, k: f"/recovery/agencies/{w.placement.agency_id}/")],
    # Placing needs the right to add batches (strategy and collections managers).
    "recovery:batch_new": [Spec(policy.AGENCIES, "get", lambda w, k: "/recovery/batches/new/",
                                only={"strategy_manager": frozenset({None}),
                                      "collections_manager": frozenset({None}),
                                      "superuser": frozenset({None})})],
    "recovery:batch": [Spec(policy.AGENCIES, "get",
                            lambda w, k: f"/recovery/batches/{w.placement.batch_id}/")],
    "recovery:placements": [Spec(policy.AGENCIES, "get", lambda w, k: "/recovery/placements/")],
    "recovery:placement": [Spec(policy.AGENCIES, "get",
                                lambda w, k: f"/recovery/placements/{w.placement.pk}/")],
    # Extending and recalling: the right to change placements, never an oversight role.
    **{f"recovery:placement_{action}": [Spec(
        policy.AGENCIES, "post", lambda w, k, action=action:
        f"/recovery/placements/{w.placement.pk}/{action}/",
        only={"strategy_manager": frozenset({None}),
              "collections_manager": frozenset({None}),
              "superuser": frozenset({None})})]
       for action in ("extend", "recall")},
    "recovery:placed": [Spec(policy.PLACED, "get", lambda w, k: "/recovery/placed/")],
}

API_SPECS: dict[str, list[Spec]] = {
    "api:account_detail": [Spec(policy.API, "get", _account("/api/v1/accounts/{id}"),
                                      ACCOUNT_KEYS)],
    "api:account_payoff": [Spec(policy.API, "get",
                                      _account("/api/v1/accounts/{id}/payoff"), ACCOUNT_KEYS)],
    "api:payment_create": [Spec(policy.API, "post", lambda w, k: "/api/v1/payments",
                                      writes=True)],
    "api:reversal_create": [Spec(policy.API, "post", lambda w, k: "/api/v1/reversals",
                                       writes=True)],
}


def _patterns(resolvers, prefix=""):
    for entry in resolvers:
        if isinstance(entry, URLResolver):
            namespace = entry.namespace
            inner = f"{prefix}{namespace}:" if namespace else prefix
            yield from _patterns(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern):
            name = entry.name or f"<unnamed {entry.pattern}>"
            yield f"{prefix}{name}", entry


def _product_patterns():
    return [(name, p) for name, p in _patterns(get_resolver().url_patterns)
            if not name.startswith("admin:")]


def test_every_url_pattern_is_in_the_matrix():
    names = {name for name, _pattern in _product_patterns()}
    names.discard("api:not_found")  # the API's JSON 404 for unknown paths
    names.discard("api:method_not_allowed")
    missing = sorted(names - set(SPECS) - set(API_SPECS) - PUBLIC - CARDHOLDER)
    assert not missing, f"URL patterns not covered by the access matrix: {missing}"
    stale = sorted((set(SPECS) | set(API_SPECS)) - names)
    assert not stale, f"The matrix names URL patterns that no longer exist: {stale}"


def test_every_page_view_is_guarded_by_the_policy():
    """Each page view wears ``area_required`` (or is marked public): the same decorator that
    the matrix exercises, so a new view cannot forget it."""
    unguarded = []
    for name, pattern in _product_patterns():
        if name.startswith("api:") or name in PUBLIC - {"channels:sms_receipts"}:
            continue
        area = getattr(pattern.callback, "access_area", None)
        if area is None or (name in CARDHOLDER) != (area == "cardholder"):
            unguarded.append(name)
        elif name in SPECS and area != "public":
            assert {spec.area for spec in SPECS[name]} == {area}, name
    assert not unguarded, f"views without an access area: {unguarded}"


def _expected_allowed(role: str, spec: Spec, key: str | None) -> bool:
    if spec.only is not None:
        return key in spec.only.get(role, frozenset())
    has_area = spec.area in (policy.AREAS if role == "superuser"
                             else policy.POLICIES[role].areas)
    if not has_area:
        return False
    if key is None:
        return True
    return key in (WRITES[role] if spec.writes else READS[role])


def _request(client: Client, spec: Spec, path: str, **headers):
    call = getattr(client, spec.method)
    if spec.method == "post":
        return call(path, spec.data or {}, **headers)
    return call(path, **headers)


@pytest.mark.parametrize("name", sorted(SPECS))
def test_pages(world, name):
    """Each role gets what the truth table says, and no page it is shown carries a name, an ID
    number or a mobile number in full (those need a reveal with a purpose)."""
    secrets = personal_data_in_full(world.accounts)
    failures = []
    for role in ROLES:
        client = Client(HTTP_ACCEPT_LANGUAGE="en")
        client.force_login(world.users[role])
        for spec in SPECS[name]:
            for key in spec.keys:
                path = spec.url(world, key)
                response = _request(client, spec, path)
                status = response.status_code
                shown = [value for value in secrets if value in response.content.decode()]
                if shown:
                    failures.append(f"{role} {spec.method.upper()} {path} shows {shown}")
                allowed = _expected_allowed(role, spec, key)
                if name == "web:portfolio" and not allowed:
                    ok = status == 302  # sent to the role's own first page
                elif allowed:
                    ok = status not in DENIED and status < 500
                else:
                    ok = status in DENIED
                if not ok:
                    failures.append(f"{role} {spec.method.upper()} {path} [{key}] → {status}, "
                                    f"expected {'allowed' if allowed else 'denied'}")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("name", sorted(API_SPECS))
def test_api(world, name):
    """The API with a token of each role's user: only system clients are served, and a
    person's token is refused even where their role reaches the account."""
    world.users["api_client"].user_permissions.add(
        *__import__("django.contrib.auth.models", fromlist=["Permission"]).Permission.objects
        .filter(codename__in=("add_posting", "view_account")))
    failures = []
    for role in ROLES:
        raw = ApiToken.issue(user=world.users[role], name=f"matrix {role}")[1]
        client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}", HTTP_ACCEPT_LANGUAGE="en")
        for spec in API_SPECS[name]:
            for key in spec.keys:
                path = spec.url(world, key)
                if spec.method == "post":
                    status = client.post(path, "{}", content_type="application/json").status_code
                else:
                    status = client.get(path).status_code
                allowed = _expected_allowed(role, spec, key)
                ok = (status not in DENIED and status < 500) if allowed else status == 403
                if not ok:
                    failures.append(f"{role} {spec.method.upper()} {path} [{key}] → {status}")
    assert not failures, "\n".join(failures)


def test_anonymous_users_are_sent_to_log_in(world):
    client = Client()
    for name, specs in SPECS.items():
        for spec in specs:
            path = spec.url(world, spec.keys[0])
            response = _request(client, spec, path)
            assert response.status_code == 302, (name, path, response.status_code)
            assert response["Location"].startswith("/login/"), (name, response["Location"])


def test_the_administration_is_an_area_of_the_policy(world):
    """/admin/ opens for the roles whose row has the ``admin`` area; every other role gets the
    product's 403 page, and nobody meets a second login form."""
    for role in ROLES:
        client = Client(HTTP_ACCEPT_LANGUAGE="en")
        client.force_login(world.users[role])
        allowed = role == "superuser" or policy.ADMIN in policy.POLICIES[role].areas
        response = client.get("/admin/")
        assert response.status_code == (200 if allowed else 403), role


# Which lists each role may download (b.4 "Export"), written by hand: collectors, field agents
# and agencies export nothing; a team lead aggregates only (no long list is one); the
# compliance officer the lists they review; the auditor the audit trail; the administrator the
# outbox they operate (masked M0); managers and strategy managers the accounts behind a report's
# figure. Every other role × list must be refused with 403.
EXPORTS: dict[str, frozenset[str]] = {
    "collector": frozenset(),
    "team_lead": frozenset(),
    "collections_manager": frozenset({"accounts", "team_queue", "approvals", "outbox",
                                      "visits", "report_accounts", "placements"}),
    "field_agent": frozenset(),
    "agency_manager": frozenset(),
    "legal_officer": frozenset(),
    "strategy_manager": frozenset({"report_accounts"}),
    "compliance_officer": frozenset({"accounts", "outbox", "visits", "audit", "placements"}),
    "auditor": frozenset({"audit"}),
    "administrator": frozenset({"outbox"}),
    "api_client": frozenset(),
    "superuser": frozenset(policy.LISTS),
}
EXPORT_PAGES = {
    "accounts": "/accounts/?q=Matrix",
    "queue": "/work/",
    "team_queue": "/work/team/queue/",
    "approvals": "/work/team/",
    "outbox": "/channels/outbox/",
    "visits": "/dialer/visits/",
    "audit": "/audit/",
    "report_accounts": "/reports/accounts/?kind=roll&source=M0&target=M0",
    "placements": "/recovery/placements/",
}


def test_the_export_table_matches_the_policy():
    assert set(EXPORT_PAGES) == set(policy.LISTS)
    for role in ROLES:
        if role != "superuser":
            assert policy.POLICIES[role].exports == EXPORTS[role], role


@pytest.mark.parametrize("list_name", sorted(EXPORT_PAGES))
def test_exports(world, list_name):
    """Each role × each list's CSV export: allowed exactly where the table says, refused with
    403 elsewhere, and never a name, ID number or mobile number in full."""
    secrets = personal_data_in_full(world.accounts)
    failures = []
    for role in ROLES:
        client = Client(HTTP_ACCEPT_LANGUAGE="en")
        client.force_login(world.users[role])
        path = EXPORT_PAGES[list_name]
        response = client.get(path + ("&" if "?" in path else "?") + "export=csv")
        allowed = list_name in EXPORTS[role]
        if allowed:
            ok = response.status_code == 200 and response["Content-Type"].startswith("text/csv")
            body = b"".join(response.streaming_content).decode("utf-8-sig") if ok else ""
            shown = [value for value in secrets if value in body]
            if shown:
                failures.append(f"{role} export {list_name} shows {shown}")
        else:
            ok = response.status_code in DENIED
        if not ok:
            failures.append(f"{role} export {list_name} → {response.status_code}, expected "
                            f"{'a CSV' if allowed else 'denied'}")
    assert not failures, "\n".join(failures)
