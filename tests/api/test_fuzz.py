"""Property-based fuzzing of the API against its own OpenAPI schema (schemathesis): real
requests through the whole Django stack (WSGI), on the tests' database. No answer may be a
5xx, and every answer must be one the schema declares, with the body and headers it declares.

Each operation is fuzzed by its own test with Hypothesis directly (schemathesis' pytest plugin
does not yet support pytest 9); CI runs them derandomized, like the other property tests.
"""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import positive_data_acceptance

from arrears.users.models import ApiToken
from tests.api.conftest import purchase, user_with
from tests.factories import make_account

EXAMPLES_PER_OPERATION = 40


def api_schema():
    from arrears.wsgi import application

    return schemathesis.openapi.from_wsgi("/api/openapi.json", application)


def operations() -> list[str]:
    return [result.ok().label for result in api_schema().get_all_operations()]


@pytest.fixture
def test_database_kept_open():
    """The WSGI handler closes the database connection after each request; in a test that
    would close the test's own transaction, so keep it, as Django's test client does."""
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


@pytest.fixture
def gateway(db, product, test_database_kept_open) -> dict:
    """A token that may post and read, and an account the schema's examples name."""
    user = user_with("fuzzer", "ledger.add_posting", "portfolio.view_account")
    account = make_account(product=product, external_id="A1001")
    purchase(account, 100_000, account.open_date, "FUZZ-BUY")
    return {"Authorization": f"Bearer {ApiToken.issue(user=user, name='fuzzer')[1]}"}


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
@pytest.mark.parametrize("label", operations())
def test_the_api_answers_as_its_schema_says_and_never_fails(label, mode, gateway):
    """Every check but "schema-valid data is accepted": a payment above the balance or dated
    before the account was opened fits the schema and is rightly refused (400)."""
    operation = next(r.ok() for r in api_schema().get_all_operations() if r.ok().label == label)

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
    def answers_as_declared(case):
        case.call_and_validate(headers=gateway, excluded_checks=[positive_data_acceptance])

    answers_as_declared()


def test_every_other_method_is_405_allowing_exactly_what_the_schema_lists(client, gateway):
    from arrears.api.api import api

    for path, operations_by_method in api.get_openapi_schema()["paths"].items():
        allowed = sorted(method.upper() for method in operations_by_method)
        url = path.replace("{account_id}", "A1001")
        for method in {"GET", "POST", "PUT", "PATCH", "DELETE"} - set(allowed):
            response = client.generic(method, url, headers=gateway)
            assert response.status_code == 405, (method, path)
            assert response["Allow"] == ", ".join(allowed)
            assert response.json()["code"] == "method_not_allowed"
