from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission

from arrears.portfolio.models import ContactPoint
from tests.factories import make_account, make_cardholder

SHANGHAI = ZoneInfo("Asia/Shanghai")


def local(*args) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


@pytest.fixture
def debtor(db, product):
    """An account whose cardholder has a verified mobile, a home and a billing address."""
    holder = make_cardholder(name="李四")
    for kind, value in [("mobile", "13812345678"), ("home_address", "上海市徐汇区漕溪北路100号"),
                        ("billing_address", "上海市黄浦区南京东路1号")]:
        ContactPoint.objects.create(external_id=f"{holder.pk}-{kind}", cardholder=holder,
                                    kind=kind, value=value, verified=True)
    return make_account(product=product, cardholder=holder)


def make_user(username, *perms):
    user = get_user_model().objects.create_user(username)
    for codename in perms:
        app, code = codename.split(".")
        user.user_permissions.add(Permission.objects.get(content_type__app_label=app,
                                                         codename=code))
    return get_user_model().objects.get(pk=user.pk)


def make_role_user(username, role):
    """A user in one role's group (the access policy reads roles, not loose permissions)."""
    from arrears.users.services import role_groups_ensure, user_create_for_role

    role_groups_ensure()
    return user_create_for_role(username=username, role=role, password="unused-password-1")
