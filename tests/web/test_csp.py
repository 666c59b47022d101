"""The Content-Security-Policy on every answer, and templates that need no inline style or
script to look right (docs/security.md, "Content-Security-Policy"). The browser's side — no
page of any role refused anything — is in tests/e2e/test_every_page.py."""

import re
from pathlib import Path

import pytest
from django.test import Client

import arrears
from tests.web.conftest import PASSWORD

pytestmark = pytest.mark.django_db

TEMPLATES = Path(arrears.__file__).parent


def _directives(response) -> dict[str, str]:
    header = response.headers.get("Content-Security-Policy", "")
    return dict(part.strip().split(" ", 1) for part in header.split(";") if part.strip())


def _strict(response) -> None:
    directives = _directives(response)
    assert directives.get("default-src") == "'self'", response.headers
    assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["form-action"] == "'self'" and directives["base-uri"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert not any("unsafe" in sources for sources in directives.values())


def test_every_kind_of_answer_carries_the_strict_policy(role_user):
    anonymous = Client()
    for path in ("/login/", "/accounts/", "/no-such-page/", "/admin/", "/api/docs",
                 "/api/v1/accounts/AC-1", "/static/web/arrears.css"):
        _strict(anonymous.get(path))
    _strict(anonymous.post("/login/", {"username": "x", "password": "y"}))
    _strict(anonymous.get("/accounts/", {"q": "a\x00b"}))  # 400 from the request limits
    administrator = Client()
    administrator.force_login(role_user("administrator"))
    for path in ("/", "/admin/", "/admin/auth/user/", "/channels/templates/"):
        response = administrator.get(path)
        assert response.status_code == 200, path
        _strict(response)


def test_the_lockout_page_carries_the_policy_too(role_user):
    role_user("collector")
    client = Client()
    for _ in range(5):
        response = client.post("/login/", {"username": "collector", "password": "wrong"})
    assert response.status_code == 429
    _strict(response)
    assert client.post("/login/", {"username": "collector",
                                   "password": PASSWORD}).status_code == 429


INLINE = re.compile(r"\sstyle\s*=|<style[\s>]|<script(?![^>]*\bsrc=)[^>]*>|\son[a-z]+\s*=",
                    re.IGNORECASE)


def test_no_template_holds_an_inline_style_or_script():
    found = []
    for path in sorted(TEMPLATES.rglob("templates/**/*.html")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if INLINE.search(line):
                found.append(f"{path.relative_to(TEMPLATES)}:{number}: {line.strip()[:120]}")
    assert not found, "\n".join(found)
