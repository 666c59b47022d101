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
