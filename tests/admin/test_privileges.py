"""Finding 1: an administrator could make itself superuser and give itself any role through the
user admin. Only a superuser grants roles, superuser or staff status and permissions; an
administrator manages names, e-mail, activity and passwords of users with no more rights than
its own, and cannot change what a group may do."""

import pytest
from django.contrib.auth.models import Group, Permission, User

from arrears.audit.models import AuditEvent
from tests.admin.conftest import logged_in

pytestmark = pytest.mark.django_db


def _change_form(user: User, **overrides) -> dict:
    """The fields of the user change form as a browser would post them, plus ``overrides``."""
    data = {
        "username": user.username, "first_name": user.first_name, "last_name": user.last_name,
        "email": user.email, "is_active": "on" if user.is_active else "",
        "last_login_0": "", "last_login_1": "",
        "date_joined_0": user.date_joined.strftime("%Y-%m-%d"),
        "date_joined_1": user.date_joined.strftime("%H:%M:%S"),
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value != ""}


def test_a_crafted_post_cannot_make_the_administrator_superuser(role_user):
    administrator = role_user("administrator")
    everything = Group.objects.get(name="compliance_officer")
    all_permissions = list(Permission.objects.values_list("pk", flat=True)[:50])
    response = logged_in(administrator).post(
        f"/admin/auth/user/{administrator.pk}/change/",
        _change_form(administrator, first_name="Ada", is_superuser="on", is_staff="on",
                     groups=[str(everything.pk)],
                     user_permissions=[str(pk) for pk in all_permissions]),
    )
    assert response.status_code in (200, 302), response.status_code
    administrator.refresh_from_db()
    assert administrator.first_name == "Ada"  # the non-privilege field was saved
    assert not administrator.is_superuser
    assert list(administrator.groups.values_list("name", flat=True)) == ["administrator"]
    assert not administrator.user_permissions.exists()


def test_the_administrator_cannot_grant_a_role_to_another_user(role_user):
    administrator = role_user("administrator")
    collector = role_user("collector")
    team_lead = Group.objects.get(name="team_lead")
    logged_in(administrator).post(
        f"/admin/auth/user/{collector.pk}/change/",
        _change_form(collector, groups=[str(team_lead.pk)], is_staff="on"),
    )
    collector.refresh_from_db()
    assert list(collector.groups.values_list("name", flat=True)) == ["collector"]
    assert not collector.is_staff


def test_the_privilege_fields_are_read_only_for_the_administrator(role_user):
    administrator = role_user("administrator")
    collector = role_user("collector")
    page = logged_in(administrator).get(f"/admin/auth/user/{collector.pk}/change/")
    assert page.status_code == 200
    html = page.content.decode()
    for name in ("is_superuser", "is_staff", "groups", "user_permissions"):
        assert f'name="{name}"' not in html, name
    assert 'name="email"' in html and 'name="first_name"' in html


def test_the_administrator_cannot_edit_a_superuser_or_reset_its_password(role_user, superuser):
    client = logged_in(role_user("administrator"))
    page = client.get(f"/admin/auth/user/{superuser.pk}/change/")
    assert 'name="email"' not in page.content.decode()
    response = client.post(f"/admin/auth/user/{superuser.pk}/change/",
                           _change_form(superuser, email="attacker@evil.example"))
    assert response.status_code == 403
    response = client.post(f"/admin/auth/user/{superuser.pk}/password/",
                           {"password1": "Taken-Over-123", "password2": "Taken-Over-123"})
    assert response.status_code == 403
    superuser.refresh_from_db()
    assert superuser.email == "root@bank.example"
    assert not superuser.check_password("Taken-Over-123")


def test_the_administrator_cannot_take_over_a_user_with_more_rights(role_user):
    """Resetting a compliance officer's password would give the administrator the right to
    reveal personal data and approve exports: only a superuser may."""
    officer = role_user("compliance_officer")
    client = logged_in(role_user("administrator"))
    response = client.post(f"/admin/auth/user/{officer.pk}/password/",
                           {"password1": "Taken-Over-123", "password2": "Taken-Over-123"})
    assert response.status_code == 403
    officer.refresh_from_db()
    assert not officer.check_password("Taken-Over-123")


def test_the_administrator_resets_a_collectors_password_and_it_is_audited(role_user):
    collector = role_user("collector")
    client = logged_in(role_user("administrator"))
    response = client.post(
        f"/admin/auth/user/{collector.pk}/password/",
        {"password1": "New-Passw0rd-xyz", "password2": "New-Passw0rd-xyz",
         "usable_password": "true"},
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    collector.refresh_from_db()
    assert collector.check_password("New-Passw0rd-xyz")
    event = AuditEvent.objects.get(action="admin.change", object_id=str(collector.pk))
    assert event.details["changes"]["password"] == "changed"
    assert "New-Passw0rd-xyz" not in str(event.details) and collector.password not in str(
        event.details)


def test_the_administrator_creates_a_user_without_any_role(role_user):
    client = logged_in(role_user("administrator"))
    response = client.post("/admin/auth/user/add/", {
        "username": "newbie", "password1": "New-Passw0rd-xyz", "password2": "New-Passw0rd-xyz",
        "usable_password": "true", "is_superuser": "on", "is_staff": "on",
        "groups": [str(Group.objects.get(name="auditor").pk)],
    })
    assert response.status_code == 302, response.content.decode()[:3000]
    newbie = User.objects.get(username="newbie")
    assert not newbie.is_superuser and not newbie.is_staff and not newbie.groups.exists()


def test_group_permissions_are_read_only_for_the_administrator(role_user):
    client = logged_in(role_user("administrator"))
    group = Group.objects.get(name="administrator")
    before = set(group.permissions.values_list("pk", flat=True))
    every = [str(pk) for pk in Permission.objects.values_list("pk", flat=True)]
    response = client.post(f"/admin/auth/group/{group.pk}/change/",
                           {"name": "administrator", "permissions": every})
    assert response.status_code == 403
    assert set(group.permissions.values_list("pk", flat=True)) == before
    assert client.post("/admin/auth/group/add/", {"name": "mine",
                                                  "permissions": every}).status_code == 403
    page = client.get(f"/admin/auth/group/{group.pk}/change/")
    assert page.status_code == 200 and 'name="permissions"' not in page.content.decode()


def test_a_superuser_grants_and_removes_roles_and_each_is_audited(role_user, superuser):
    collector = role_user("collector")
    team_lead = Group.objects.get(name="team_lead")
    client = logged_in(superuser)
    response = client.post(
        f"/admin/auth/user/{collector.pk}/change/",
        _change_form(collector, groups=[str(team_lead.pk)], is_staff="on"),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    collector.refresh_from_db()
    assert list(collector.groups.values_list("name", flat=True)) == ["team_lead"]
    event = AuditEvent.objects.filter(action="admin.change", object_id=str(collector.pk)).last()
    assert event.actor == superuser and event.object_type == "auth.user"
    assert event.details["changes"]["groups"] == {"old": ["collector"], "new": ["team_lead"]}
    assert event.details["changes"]["is_staff"] == {"old": False, "new": True}


def test_the_service_check_refuses_an_escalation_whoever_calls_it(role_user, superuser):
    """The check the admin runs after every user save, callable by any other code path."""
    from arrears.users.services import PrivilegeRefused, privilege_change_check, privileges_of

    administrator = role_user("administrator")
    before = privileges_of(administrator)
    escalated = dict(before, is_superuser=True)
    with pytest.raises(PrivilegeRefused):
        privilege_change_check(actor=administrator, target=administrator, before=before,
                               after=escalated)
    with pytest.raises(PrivilegeRefused):
        privilege_change_check(actor=administrator, target=administrator, before=before,
                               after=dict(before, groups=["administrator", "auditor"]))
    privilege_change_check(actor=administrator, target=administrator, before=before,
                           after=dict(before))  # no change: nothing to refuse
    privilege_change_check(actor=superuser, target=administrator, before=before,
                           after=escalated)


def test_the_role_permissions_still_satisfy_the_role_tests(role_user):
    """The administrator lost nothing it needs: it manages users and tokens, not groups."""
    administrator = role_user("administrator")
    for permission in ("auth.view_user", "auth.add_user", "auth.change_user", "auth.view_group",
                       "users.view_apitoken", "users.add_apitoken"):
        assert administrator.has_perm(permission), permission
    assert not administrator.has_perm("auth.change_group")
    assert not administrator.has_perm("audit.reveal_pii")
