"""Roles are groups created by the migrations, with the permissions SPEC.md gives them."""

import pytest
from django.contrib.auth.models import Group

from arrears.users.roles import ROLE_CODES
from arrears.users.services import user_create_for_role, user_has_role

pytestmark = pytest.mark.django_db


def test_every_role_is_a_group_after_migrating():
    assert set(Group.objects.values_list("name", flat=True)) >= set(ROLE_CODES)


def test_only_roles_that_need_it_see_personal_data_unmasked():
    collector = user_create_for_role(username="c1", role="collector", password="x-Secret-123")
    strategist = user_create_for_role(username="s1", role="strategy_manager",
                                      password="x-Secret-123")
    assert collector.has_perm("portfolio.view_unmasked_pii")
    assert not strategist.has_perm("portfolio.view_unmasked_pii")
    assert user_has_role(collector, "collector") and not user_has_role(collector, "auditor")


def test_the_auditor_reads_but_cannot_change_anything():
    auditor = user_create_for_role(username="a1", role="auditor", password="x-Secret-123")
    assert auditor.has_perm("audit.view_auditevent")
    assert auditor.has_perm("portfolio.view_account")
    changing = [p for p in auditor.get_all_permissions() if not p.split(".")[1].startswith("view_")]
    assert changing == []
