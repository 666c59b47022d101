"""Small factories for test data: plain functions with sensible defaults."""

import itertools
from datetime import date

from arrears.portfolio.models import Account, Cardholder, Product, Statement

_seq = itertools.count(1)


def make_product(**overrides) -> Product:
    values = {"code": f"P{next(_seq)}", "name": "Standard card", "currency": "CNY"}
    values.update(overrides)
    return Product.objects.create(**values)


def make_cardholder(**overrides) -> Cardholder:
    n = next(_seq)
    values = {"external_id": f"C{n}", "name": f"张三{n}", "national_id": "110101199003070015"}
    values.update(overrides)
    return Cardholder.objects.create(**values)


def make_account(*, product=None, cardholder=None, **overrides) -> Account:
    values = {
        "external_id": f"A{next(_seq)}",
        "product": product or make_product(),
        "cardholder": cardholder or make_cardholder(),
        "credit_limit_minor": 5_000_000,
        "open_date": date(2024, 1, 1),
    }
    values.update(overrides)
    return Account.objects.create(**values)


def make_statement(*, account, cycle_date, due_date, balance, minimum, **overrides) -> Statement:
    values = {
        "external_id": f"S{next(_seq)}",
        "account": account,
        "cycle_date": cycle_date,
        "due_date": due_date,
        "statement_balance_minor": balance,
        "minimum_due_minor": minimum,
    }
    values.update(overrides)
    return Statement.objects.create(**values)
