"""Users per role with the privacy permissions of ``arrears.audit.permissions`` granted, so the
tests hold whether or not ``users/roles.py`` lists them yet."""

import pytest
from django.contrib.auth.models import Group, Permission

from arrears.audit.permissions import PRIVACY_PERMISSIONS_BY_ROLE
from arrears.users.services import role_groups_ensure, user_create_for_role

PASSWORD = "correct-horse-battery-staple"


def privacy_roles_ensure() -> None:
    role_groups_ensure()
    for role, permissions in PRIVACY_PERMISSIONS_BY_ROLE.items():
        group = Group.objects.get(name=role)
        for dotted in permissions:
            app_label, codename = dotted.split(".")
            group.permissions.add(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )


@pytest.fixture
def role_user(db):
    """``role_user("legal_officer")`` → a user in that role with its privacy permissions."""
    privacy_roles_ensure()

    def make(role: str, username: str | None = None):
        return user_create_for_role(username=username or role, role=role, password=PASSWORD)

    return make
