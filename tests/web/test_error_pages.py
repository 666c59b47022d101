"""The error pages in the product's look and the reader's language: 403, 404, 500, a form
that fails the CSRF check, and the login lockout."""

import re

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import translation
from django.views.defaults import server_error

from tests.web.conftest import PASSWORD

pytestmark = pytest.mark.django_db

LANGUAGES = {"zh-hans": re.compile(r"[\u4e00-\u9fff]"), "en": re.compile(r"\b(the|your)\b")}


def _client(language: str, **kwargs) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language, **kwargs)
    client.cookies["django_language"] = language
    return client


def _in_the_products_look(html: str, language: str) -> None:
    assert f'<html lang="{language}">' in html
    assert 'class="site-header"' in html and "arrears.css" in html
    main = re.sub(r"<[^>]+>", " ", html[html.index('<main id="content">'):html.index("</main>")])
    assert LANGUAGES[language].search(main), main
    if language == "en":
        assert not re.search(r"[\u4e00-\u9fff]", main), main
    else:
        assert not re.search(r"[A-Za-z]{3,}", main), main


@pytest.mark.parametrize("language", LANGUAGES)
def test_404_keeps_the_layout_and_sends_a_field_agent_to_their_own_start(role_user, language):
    client = _client(language)
    client.force_login(role_user("field_agent"))
    response = client.get("/work/accounts/999999/")
    assert response.status_code == 404
    _in_the_products_look(response.text, language)
    assert 'href="/work/" id="home-link"' in response.text


@pytest.mark.parametrize("language", LANGUAGES)
def test_403_says_why_and_links_to_the_roles_start(role_user, language):
    client = _client(language)
    client.force_login(role_user("field_agent"))
    response = client.get("/audit/")
    assert response.status_code == 403
    _in_the_products_look(response.text, language)
    assert 'href="/work/" id="home-link"' in response.text  # not the portfolio it cannot open


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_form_that_fails_the_csrf_check_gets_a_page_in_the_products_look(
        role_user, language):
    client = _client(language, enforce_csrf_checks=True)
    client.force_login(role_user("collector"))
    response = client.post(reverse("work:language"), {"language": language})
    assert response.status_code == 403
    _in_the_products_look(response.text, language)
    assert 'id="csrf-failure"' in response.text
    assert "CSRF verification failed" not in response.text


@pytest.mark.parametrize("language", LANGUAGES)
def test_500_in_the_readers_language_without_the_request_context(language):
    request = RequestFactory().get("/")
    with translation.override(language):
        response = server_error(request)
    html = response.content.decode()
    assert response.status_code == 500
    _in_the_products_look(html, language)
    assert 'id="server-error"' in html


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_lockout_page_in_the_products_look(role_user, language):
    role_user("collector")
    client = _client(language)
    for _ in range(5):
        client.post(reverse("login"), {"username": "collector", "password": "wrong-password"})
    response = client.post(reverse("login"), {"username": "collector", "password": PASSWORD})
    assert response.status_code == 429
    _in_the_products_look(response.text, language)
    assert 'id="lockout"' in response.text
