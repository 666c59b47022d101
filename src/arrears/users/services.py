"""Roles (as Django groups), demo users, and who may change whose privileges."""

from django.contrib.auth.models import Group, Permission, User
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from arrears.audit.permissions import APPROVE_EXPORT, EXPORT_DATA, REVEAL_PII, VIEW_AUDIT
from arrears.users.roles import ROLES

# What makes a user powerful: only a superuser changes these (docs/security.md, Administration).
PRIVILEGE_FIELDS = ("is_superuser", "is_staff", "groups", "user_permissions")
# Rights the administrator role lacks on purpose (separation of duties): a user holding one of
# them is managed by a superuser only, since resetting their password would hand them over.
GUARDED_PERMISSIONS = frozenset({REVEAL_PII, VIEW_AUDIT, EXPORT_DATA, APPROVE_EXPORT,
                                 "portfolio.view_unmasked_pii"})


def role_groups_ensure() -> list[Group]:
    """Create a group per role and give it at least the role's starting permissions."""
    groups = []
    with transaction.atomic():
        for role in ROLES:
            group, _created = Group.objects.get_or_create(name=role.code)
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
    user, _created = User.objects.get_or_create(username=username)
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


class PrivilegeRefused(PermissionDenied):
    """A change of roles, superuser or staff status or permissions by someone who may not."""


def may_grant_privileges(actor) -> bool:
    """Only an active superuser (created on the command line) grants or removes privileges."""
    return bool(actor.is_active and actor.is_superuser)


def may_manage_user(actor, target) -> bool:
    """May ``actor`` change ``target``'s ordinary fields (name, e-mail, active, password)?

    A superuser may change anyone. Anyone else never a superuser, nor a user holding a guarded
    right the actor lacks: a password reset would let the actor act as that user."""
    if actor.is_superuser:
        return True
    if target.is_superuser:
        return False
    guarded = GUARDED_PERMISSIONS & target.get_all_permissions()
    return guarded <= actor.get_all_permissions()


def privileges_of(user) -> dict:
    """The privilege fields of ``user`` as stored: flags, role names, permission names."""
    if user.pk is None:
        return {"is_superuser": False, "is_staff": False, "groups": [], "user_permissions": []}
    return {
        "is_superuser": user.is_superuser,
        "is_staff": user.is_staff,
        "groups": sorted(user.groups.values_list("name", flat=True)),
        "user_permissions": sorted(
            f"{app}.{codename}" for app, codename in user.user_permissions.values_list(
                "content_type__app_label", "codename")
        ),
    }


def privilege_change_check(*, actor, target, before: dict, after: dict) -> None:
    """Refuse (``PrivilegeRefused``) a change of ``target``'s privileges from ``before`` to
    ``after`` unless ``actor`` may grant privileges, and any change of a user the actor may
    not manage. Called after every save of a user in the admin, inside its transaction."""
    changed = [name for name in PRIVILEGE_FIELDS if before.get(name) != after.get(name)]
    if changed and not may_grant_privileges(actor):
        raise PrivilegeRefused(
            _("Only a superuser may change roles, staff or superuser status or permissions.")
        )
    if not may_manage_user(actor, target):
        raise PrivilegeRefused(_("Only a superuser may change this user."))
