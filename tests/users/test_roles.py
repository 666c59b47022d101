"""Roles are groups created by the migrations, with the permissions SPEC.md gives them."""

import pytest
from django.contrib.auth.models import Group

from arrears.users.roles import ROLE_CODES, ROLES
from arrears.users.services import user_create_for_role, user_has_role

pytestmark = pytest.mark.django_db


def test_every_role_is_a_group_after_migrating():
    assert set(Group.objects.values_list("name", flat=True)) >= set(ROLE_CODES)


def test_every_permission_a_role_names_exists():
    """A misspelt permission would silently give a role nothing."""
    from django.contrib.auth.models import Permission

    known = {f"{app}.{code}" for app, code in
             Permission.objects.values_list("content_type__app_label", "codename")}
    missing = sorted({p for role in ROLES for p in role.permissions} - known)
    assert missing == []


def test_only_roles_that_need_it_see_personal_data_unmasked():
    collector = user_create_for_role(username="c1", role="collector", password="x-Secret-123")
    strategist = user_create_for_role(username="s1", role="strategy_manager",
                                      password="x-Secret-123")
    legal = user_create_for_role(username="l1", role="legal_officer", password="x-Secret-123")
    assert not collector.has_perm("portfolio.view_unmasked_pii")  # M1 masking, no reveal
    assert not collector.has_perm("audit.reveal_pii")
    assert not strategist.has_perm("portfolio.view_unmasked_pii")
    assert legal.has_perm("portfolio.view_unmasked_pii") and legal.has_perm("audit.reveal_pii")
    assert user_has_role(collector, "collector") and not user_has_role(collector, "auditor")


def test_the_auditor_reads_but_cannot_change_anything():
    auditor = user_create_for_role(username="a1", role="auditor", password="x-Secret-123")
    assert auditor.has_perm("audit.view_auditevent")
    assert auditor.has_perm("portfolio.view_account")
    extracts = {"audit.export_data", "audit.approve_export"}  # audit extracts, b.4
    changing = [p for p in auditor.get_all_permissions()
                if not p.split(".")[1].startswith("view_") and p not in extracts]
    assert changing == []
