"""The page language per user: saved by the switch, applied at the next login."""

import pytest

from arrears.users.models import Preference
from tests.web.conftest import PASSWORD

pytestmark = pytest.mark.django_db

MIDDLEWARE_AFTER_AUTH = "arrears.users.language.PreferredLanguageMiddleware"


def test_the_switch_saves_the_users_language(client, role_user):
    user = role_user("collector")
    client.login(username="collector", password=PASSWORD)
    response = client.post("/work/language/", {"language": "en", "next": "/work/"})
    assert response.status_code == 302
    assert Preference.objects.get(user=user).language == "en"
    client.post("/work/language/", {"language": "xx", "next": "/work/"})
    assert Preference.objects.get(user=user).language == "en"


def test_the_preference_is_applied_at_login(client, role_user, settings):
    middleware = list(settings.MIDDLEWARE)
    auth = middleware.index("django.contrib.auth.middleware.AuthenticationMiddleware")
    middleware.insert(auth + 1, MIDDLEWARE_AFTER_AUTH)
    settings.MIDDLEWARE = middleware
    user = role_user("collector")
    Preference.objects.create(user=user, language="zh-hans")
    response = client.post("/login/", {"username": "collector", "password": PASSWORD})
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "zh-hans"
    client.cookies.pop(settings.LANGUAGE_COOKIE_NAME)
    page = client.get("/work/", HTTP_ACCEPT_LANGUAGE="en")
    assert 'lang="zh-hans"' in page.content.decode()
