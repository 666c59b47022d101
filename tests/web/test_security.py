"""Login throttling, session expiry and CSRF (issue 6, "Roles and security")."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.web.conftest import PASSWORD


def _login(client, username, password):
    return client.post(reverse("login"), {"username": username, "password": password})


def test_sixth_attempt_is_refused_even_with_the_right_password(role_user):
    role_user("collector")
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    for _ in range(5):
        response = _login(client, "collector", "wrong-password")
        assert "_auth_user_id" not in client.session
    response = _login(client, "collector", PASSWORD)
    assert response.status_code == 429
    assert "Too many failed logins" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_lockout_is_per_user_name_and_address(role_user):
    role_user("collector")
    role_user("team_lead")
    for _ in range(5):
        _login(Client(), "collector", "wrong-password")
    assert _login(Client(), "team_lead", PASSWORD).status_code == 302
    elsewhere = Client(REMOTE_ADDR="10.0.0.9")
    assert _login(elsewhere, "collector", PASSWORD).status_code == 302


def test_four_failures_then_the_right_password_logs_in(role_user):
    role_user("collector")
    client = Client()
    for _ in range(4):
        _login(client, "collector", "wrong-password")
    assert _login(client, "collector", PASSWORD).status_code == 302
    assert client.session["_auth_user_id"]


def test_session_expires_after_thirty_idle_minutes_and_at_browser_close(role_user):
    assert settings.SESSION_COOKIE_AGE == 1800
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE
    assert settings.SESSION_COOKIE_HTTPONLY
    role_user("collector")
    client = Client()
    _login(client, "collector", PASSWORD)
    assert client.get(reverse("web:portfolio")).status_code == 200
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"] and not cookie["expires"]  # a browser-session cookie
    session = Session.objects.get(session_key=cookie.value)
    assert session.expire_date <= timezone.now() + timedelta(minutes=30, seconds=5)
    Session.objects.filter(pk=session.pk).update(expire_date=timezone.now() - timedelta(seconds=1))
    response = client.get(reverse("web:portfolio"))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_activity_extends_the_session(role_user):
    role_user("collector")
    client = Client()
    _login(client, "collector", PASSWORD)
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    _last_write_minutes_ago(key, 2)
    Session.objects.filter(pk=key).update(expire_date=timezone.now() + timedelta(minutes=1))
    assert client.get(reverse("web:portfolio")).status_code == 200
    assert Session.objects.get(pk=key).expire_date > timezone.now() + timedelta(minutes=29)


def _last_write_minutes_ago(key: str, minutes: int) -> None:
    from importlib import import_module

    from arrears.web.sessions import TOUCHED

    store = import_module(settings.SESSION_ENGINE).SessionStore(session_key=key)
    store[TOUCHED] = store[TOUCHED] - minutes * 60
    store.save()


def test_a_busy_session_is_written_once_a_minute_not_on_every_page(role_user):
    role_user("collector")
    client = Client()
    _login(client, "collector", PASSWORD)
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    client.get(reverse("web:portfolio"))  # renews the session and notes when
    soon = timezone.now() + timedelta(minutes=5)
    Session.objects.filter(pk=key).update(expire_date=soon)
    client.get(reverse("web:portfolio"))  # within the minute: no write
    assert Session.objects.get(pk=key).expire_date == soon


@pytest.mark.django_db
def test_csrf_is_enforced_on_login():
    client = Client(enforce_csrf_checks=True)
    assert _login(client, "anyone", "anything").status_code == 403
    page = client.get(reverse("login"))
    token = page.cookies[settings.CSRF_COOKIE_NAME].value
    response = client.post(reverse("login"), {"username": "x", "password": "y",
                                              "csrfmiddlewaretoken": token})
    assert response.status_code == 200  # the form again, with its error


def test_csrf_is_enforced_on_the_reveal_form(role_user, delinquent_account):
    legal = role_user("legal_officer")
    client = Client(enforce_csrf_checks=True)
    client.force_login(legal)
    url = reverse("web:account", args=[delinquent_account.external_id])
    response = client.post(url, {"purpose": "LITIGATION", "reason": "court case"})
    assert response.status_code == 403


def _secret_key_in(home, **environment) -> str:
    import os
    import subprocess
    import sys

    env = {key: value for key, value in os.environ.items()
           if key not in ("ARREARS_SECRET_KEY", "PYTEST_XDIST_WORKER")}
    env.update(ARREARS_HOME=str(home), **environment)
    return subprocess.run(
        [sys.executable, "-c", "from arrears import settings; print(settings.SECRET_KEY)"],
        env=env, capture_output=True, text=True, check=True).stdout.strip()


def test_without_a_configured_secret_key_each_installation_makes_its_own(tmp_path):
    """Review finding: without ``ARREARS_SECRET_KEY`` every installation signed with the key
    written in the source ("arrears-local-development-key-change-me"), known to anyone who
    reads the repository."""
    first = _secret_key_in(tmp_path / "a")
    assert len(first) >= 50 and "change-me" not in first
    assert _secret_key_in(tmp_path / "a") == first  # kept: sessions survive a restart
    assert _secret_key_in(tmp_path / "b") != first
    assert (tmp_path / "a" / "secret_key").stat().st_mode & 0o077 == 0
    assert _secret_key_in(tmp_path / "c", ARREARS_SECRET_KEY="configured") == "configured"


def _failures_from_one_address(count: int) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    for number in range(count):
        response = _login(client, f"guess-{number}", "Spring2026!")
        assert response.status_code == 200  # the form again: wrong, not yet locked
    return client


def test_more_failures_than_the_address_limit_lock_the_address_whatever_the_names(role_user):
    """Password spraying: one wrong password for each of many user names from one address.
    More than ARREARS_LOGIN_ADDRESS_FAILURE_LIMIT (20) such failures lock the address out —
    the same lockout page, even for another user with the right password."""
    assert settings.ARREARS_LOGIN_ADDRESS_FAILURE_LIMIT == 20
    role_user("collector")
    client = _failures_from_one_address(20)
    response = _login(client, "guess-20", "Spring2026!")  # the 21st
    assert response.status_code == 429
    page = response.content.decode()
    assert "Too many failed logins" in page
    assert "After more than 20 failed logins from this address" in page
    assert _login(Client(), "collector", PASSWORD).status_code == 429
    assert "_auth_user_id" not in client.session
    assert _login(Client(REMOTE_ADDR="10.0.0.9"), "collector", PASSWORD).status_code == 302


def test_a_login_of_another_user_does_not_reset_the_address_count(role_user):
    role_user("collector")
    client = _failures_from_one_address(20)
    assert _login(Client(), "collector", PASSWORD).status_code == 302  # 20: not more
    assert _login(client, "guess-20", "Spring2026!").status_code == 429


def test_the_address_count_covers_the_cool_off_period_only(role_user):
    from axes.models import AccessFailureLog

    role_user("collector")
    client = _failures_from_one_address(20)
    assert _login(client, "guess-20", "Spring2026!").status_code == 429
    assert _login(Client(), "collector", PASSWORD).status_code == 429
    AccessFailureLog.objects.update(
        attempt_time=timezone.now() - settings.AXES_COOLOFF_TIME - timedelta(seconds=1))
    assert _login(Client(), "collector", PASSWORD).status_code == 302


def test_the_address_limit_comes_from_the_setting(role_user, settings):
    settings.ARREARS_LOGIN_ADDRESS_FAILURE_LIMIT = 3
    role_user("collector")
    client = _failures_from_one_address(3)
    assert _login(client, "guess-3", "wrong").status_code == 429
    settings.ARREARS_LOGIN_ADDRESS_FAILURE_LIMIT = 0  # off
    assert _login(Client(), "collector", PASSWORD).status_code == 302


def test_behind_a_proxy_the_address_is_the_one_the_proxy_passes(role_user, settings):
    """Every request through a proxy comes from the proxy's address; with the header named,
    the last address of X-Forwarded-For (the one the proxy added) is the client's, so the
    address limit locks the sprayer, not every user behind the proxy. A forged first entry
    does not help the client."""
    settings.ARREARS_CLIENT_ADDRESS_HEADER = "HTTP_X_FORWARDED_FOR"
    role_user("collector")
    for number in range(21):  # the sprayer forges a different first entry each time
        forged = Client(HTTP_X_FORWARDED_FOR=f"10.9.9.{number}, 198.51.100.7")
        _login(forged, f"guess-{number}", "Spring2026!")
    assert _login(Client(HTTP_X_FORWARDED_FOR="198.51.100.7"), "collector",
                  PASSWORD).status_code == 429
    colleague = Client(HTTP_X_FORWARDED_FOR="198.51.100.8")
    assert _login(colleague, "collector", PASSWORD).status_code == 302
    garbage = Client(HTTP_X_FORWARDED_FOR="not-an-address", REMOTE_ADDR="192.0.2.1")
    assert _login(garbage, "collector", PASSWORD).status_code == 302
