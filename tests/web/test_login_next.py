"""Login `next=` values that are not plain local paths are ignored (issue 10 review)."""

import pytest
from django.test import Client
from django.urls import reverse

from tests.web.conftest import PASSWORD

# --- 4. no redirect off the site after login ---

@pytest.mark.parametrize("target", [
    "//evil.com/", "/%2F%2Fevil.com", "/%2f%2fevil.com", "/\\evil.com", "/%5Cevil.com",
    "https://evil.com/", "https://testserver/accounts/", "http:/evil.com", "\\\\evil.com",
    "/\tevil.com", " //evil.com", "javascript:alert(1)", "evil.com", "",
])
def test_login_ignores_a_next_that_is_not_a_plain_local_path(role_user, target):
    role_user("collector")
    response = Client().post(reverse("login"), {"username": "collector", "password": PASSWORD,
                                                "next": target})
    assert response.status_code == 302
    assert response["Location"] == reverse("web:portfolio")


def test_login_follows_a_plain_local_next(role_user):
    role_user("collector")
    target = "/work/?page=2"
    response = Client().post(reverse("login"), {"username": "collector", "password": PASSWORD,
                                                "next": target})
    assert response["Location"] == target
