"""Shared fixtures. Tests run on SQLite by default and on PostgreSQL when DATABASE_URL says so."""

import os

import pytest
from django.utils import translation
from hypothesis import settings as hypothesis_settings

from tests.factories import make_account, make_product

# Django's settings are loaded by now, each xdist worker in its own ARREARS_HOME (settings.py);
# the programs the tests start get exactly the ARREARS_HOME they are given.
os.environ.pop("PYTEST_XDIST_WORKER", None)

# CI runs the property tests on a fixed sequence of examples so that a run is repeatable;
# on a developer's machine they explore new examples every run.
hypothesis_settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    hypothesis_settings.load_profile("ci")


def _is_transactional(item):
    marker = item.get_closest_marker("django_db")
    fixtures = set(getattr(item, "fixturenames", ()))
    uses_live_database = {"transactional_db", "live_server"} & fixtures
    return bool(uses_live_database or (marker and marker.kwargs.get("transaction")))


def pytest_collection_modifyitems(items):
    """A transactional test empties the database when it ends, including the rows the migrations
    put there (rule packs, authority limits, templates). Marking it for serialized rollback makes
    the test database's first state be kept, so it can be put back (see the fixture below); this
    matters once several processes share the files and pytest-django's ordering (transactional
    tests last) no longer holds within a process."""
    for item in items:
        if _is_transactional(item):
            item.add_marker(pytest.mark.django_db(transaction=True, serialized_rollback=True),
                            append=False)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """After a transactional test's fixtures have flushed the database, the migrated rows the
    first state held are put back, so the next test in this process finds them. After the
    process's last test the test database is already gone."""
    result = yield
    if _is_transactional(item) and nextitem is not None:
        from django.db import connection
        from pytest_django.plugin import blocking_manager_key

        with item.config.stash[blocking_manager_key].unblock():
            connection.creation.deserialize_db_from_string(connection._test_serialized_contents)
    return result


@pytest.fixture(autouse=True)
def english_by_default():
    """Tests read English messages unless they switch language themselves; the product's own
    default (Simplified Chinese) is tested where the language is the point."""
    with translation.override("en"):
        yield


@pytest.fixture
def client():
    """The Django test client, reading English pages like the rest of the tests; a test of the
    default language (Simplified Chinese) makes its own client with its Accept-Language."""
    from django.test import Client

    return Client(HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture
def product(db):
    return make_product()


@pytest.fixture
def account(db, product):
    return make_account(product=product)


def pytest_report_header(config):
    from django.conf import settings

    database = settings.DATABASES["default"]
    return f"arrears database: {database['ENGINE'].rsplit('.', 1)[-1]} {database.get('HOST') or ''}"
