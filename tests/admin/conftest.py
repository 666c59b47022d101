"""Fixtures for the admin tests: users per role, logged-in English clients."""

import pytest
from django.contrib.auth.models import User
from django.test import Client

from arrears.users.services import role_groups_ensure, user_create_for_role

PASSWORD = "correct-horse-battery-staple"
# The roles whose users reach /admin/ (user_create_for_role makes them staff), and a superuser.
ADMIN_ROLES = ("administrator", "team_lead", "strategy_manager", "compliance_officer", "auditor")


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def role_user(db):
    """``role_user("administrator")`` → a user in that role's group, password PASSWORD."""
    role_groups_ensure()

    def make(role: str, username: str | None = None) -> User:
        return user_create_for_role(username=username or role, role=role, password=PASSWORD)

    return make


@pytest.fixture
def superuser(db):
    return User.objects.create_superuser("root", email="root@bank.example", password=PASSWORD)


def logged_in(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client
