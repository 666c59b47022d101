"""Roles (as Django groups) and demo users."""

from django.contrib.auth.models import Group, Permission, User
from django.db import transaction

from arrears.users.roles import ROLES


def role_groups_ensure() -> list[Group]:
    """Create a group per role and give it at least the role's starting permissions."""
    groups = []
    with transaction.atomic():
        for role in ROLES:
            group, _ = Group.objects.get_or_create(name=role.code)
            for dotted in role.permissions:
                app_label, codename = dotted.split(".")
                permission = Permission.objects.filter(
                    content_type__app_label=app_label, codename=codename
                ).first()
                if permission:
                    group.permissions.add(permission)
            groups.append(group)
    return groups


def user_create_for_role(*, username: str, role: str, password: str | None = None,
                         password_hash: str | None = None) -> User:
    """Create (or reset) a user who belongs to one role's group; administrators get the admin.

    Give ``password``, or ``password_hash`` (``make_password``) when many users share one
    password: hashing costs half a second each time."""
    group = Group.objects.get(name=role)
    user, _ = User.objects.get_or_create(username=username)
    if password_hash is None:
        user.set_password(password)
    else:
        user.password = password_hash
    user.is_staff = role in {
        "administrator", "team_lead", "strategy_manager", "compliance_officer", "auditor"
    }
    user.save()
    user.groups.set([group])
    return user


def group_names_of(user) -> frozenset[str]:
    """The names of the user's groups (roles), read once per request: kept on the user object,
    which Django builds anew for every request."""
    if user is None or not getattr(user, "is_authenticated", False):
        return frozenset()
    names = getattr(user, "_arrears_group_names", None)
    if names is None:
        names = frozenset(user.groups.values_list("name", flat=True))
        user._arrears_group_names = names
    return names


def user_has_role(user, role: str) -> bool:
    return user.is_authenticated and (user.is_superuser or role in group_names_of(user))
