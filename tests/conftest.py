"""Shared fixtures. Tests run on SQLite by default and on PostgreSQL when DATABASE_URL says so."""

import pytest

from tests.factories import make_account, make_product


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
