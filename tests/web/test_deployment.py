"""HTTPS behind a proxy and production from the environment (docs/operations.md, "HTTPS and
production"): the settings each variable makes, the answers a real request gets, a clear
sentence for a wrong value, and ``arrears serve`` refusing production while Django's deployment
checks find problems — each in a fresh process, as an operator starts it."""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
VARIABLES = ("ARREARS_HTTPS", "ARREARS_HSTS_SECONDS", "ARREARS_HSTS_INCLUDE_SUBDOMAINS",
             "ARREARS_PROXY_SSL_HEADER", "ARREARS_SSL_REDIRECT", "ARREARS_SECURE_COOKIES",
             "ARREARS_ENV", "ARREARS_DEBUG", "ARREARS_LANGUAGE", "PYTEST_XDIST_WORKER",
             "LANG", "LC_ALL", "DATABASE_URL")

PROBE = """
import json, django
django.setup()
from django.conf import settings as s
from django.test import Client
secure = Client(HTTP_X_FORWARDED_PROTO="https").get("/login/")
plain = Client().get("/login/")
print(json.dumps({
    "hsts_seconds": s.SECURE_HSTS_SECONDS, "subdomains": s.SECURE_HSTS_INCLUDE_SUBDOMAINS,
    "proxy": s.SECURE_PROXY_SSL_HEADER, "redirect": s.SECURE_SSL_REDIRECT,
    "session_secure": s.SESSION_COOKIE_SECURE, "csrf_secure": s.CSRF_COOKIE_SECURE,
    "production": s.ARREARS_PRODUCTION,
    "secure_status": secure.status_code, "plain_status": plain.status_code,
    "plain_location": plain.headers.get("Location"),
    "hsts": secure.headers.get("Strict-Transport-Security"),
    "csrf_cookie_secure": bool(secure.cookies["csrftoken"]["secure"]),
}))
"""


def _environment(home: Path, **variables) -> dict:
    env = {key: value for key, value in os.environ.items() if key not in VARIABLES}
    env.update(ARREARS_HOME=str(home), PYTHONPATH=str(REPO / "src"),
               DJANGO_SETTINGS_MODULE="arrears.settings",
               ARREARS_ALLOWED_HOSTS="testserver,localhost,127.0.0.1",
               DATABASE_URL=f"sqlite:///{home / 'deploy.sqlite3'}", **variables)
    return env


def _settings(tmp_path, **variables) -> dict:
    done = subprocess.run([sys.executable, "-c", PROBE], env=_environment(tmp_path, **variables),
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_by_default_nothing_claims_https(tmp_path):
    found = _settings(tmp_path)
    assert found["hsts_seconds"] == 0 and found["hsts"] is None and found["proxy"] is None
    assert not found["redirect"] and found["plain_status"] == 200
    assert not (found["session_secure"] or found["csrf_secure"] or found["csrf_cookie_secure"])
    assert not found["production"]


def test_https_behind_a_proxy_from_the_environment(tmp_path):
    found = _settings(tmp_path, ARREARS_HSTS_SECONDS="31536000", ARREARS_SSL_REDIRECT="1",
                      ARREARS_PROXY_SSL_HEADER="HTTP_X_FORWARDED_PROTO=https")
    assert found["proxy"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    # What the proxy marks as HTTPS is served, with HSTS (subdomains left out by default) …
    assert found["secure_status"] == 200 and found["hsts"] == "max-age=31536000"
    assert found["session_secure"] and found["csrf_secure"] and found["csrf_cookie_secure"]
    # … and plain HTTP is sent to HTTPS.
    assert found["plain_status"] == 301
    assert found["plain_location"] == "https://testserver/login/"
    assert found["production"]


def test_the_header_as_the_proxy_sends_it_and_subdomains_on_request(tmp_path):
    found = _settings(tmp_path, ARREARS_HTTPS="1", ARREARS_HSTS_SECONDS="600",
                      ARREARS_HSTS_INCLUDE_SUBDOMAINS="1",
                      ARREARS_PROXY_SSL_HEADER="X-Forwarded-Proto=https")
    assert found["proxy"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert found["hsts"] == "max-age=600; includeSubDomains"
    assert found["session_secure"] and not found["redirect"] and found["plain_status"] == 200


@pytest.mark.parametrize(("variable", "value"), [
    ("ARREARS_HSTS_SECONDS", "one year"), ("ARREARS_HSTS_SECONDS", "-1"),
    ("ARREARS_PROXY_SSL_HEADER", "https"), ("ARREARS_PROXY_SSL_HEADER", "X Forwarded=https"),
    ("ARREARS_SSL_REDIRECT", "maybe"), ("ARREARS_HTTPS", "2"), ("ARREARS_ENV", "prod"),
    ("ARREARS_LOGIN_ADDRESS_FAILURE_LIMIT", "twenty"),
    ("ARREARS_CLIENT_ADDRESS_HEADER", "X Forwarded For"),
])
def test_a_wrong_value_stops_the_start_with_a_sentence_not_a_traceback(tmp_path, variable,
                                                                        value):
    for language, words in (("en", "is not valid"), (None, "无效")):
        env = _environment(tmp_path, **{variable: value})
        if language:
            env["ARREARS_LANGUAGE"] = language
        done = subprocess.run([sys.executable, "-m", "arrears.cli", "serve"], env=env,
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 2, done.stderr
        assert "Traceback" not in done.stderr and variable in done.stderr
        assert words in done.stderr and repr(value) in done.stderr, done.stderr


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_serve_in_production_refuses_while_the_deployment_checks_find_problems(tmp_path):
    """ARREARS_ENV=production without HTTPS settings: nothing listens, and the operator reads
    (in Chinese unless English is asked for) each finding with the variable that answers it."""
    done = subprocess.run(
        [sys.executable, "-m", "arrears.cli", "serve", "--port", str(_free_port())],
        env=_environment(tmp_path, ARREARS_ENV="production"), capture_output=True, text=True,
        timeout=120)
    assert done.returncode != 0 and "Traceback" not in done.stderr
    assert "生产环境" in done.stderr, done.stderr
    for finding, remedy in (("security.W004", "ARREARS_HSTS_SECONDS"),
                            ("security.W008", "ARREARS_SSL_REDIRECT=1"),
                            ("security.W012", "ARREARS_HTTPS=1")):
        assert finding in done.stderr and remedy in done.stderr, done.stderr
    assert "security.W005" not in done.stderr  # subdomains: the bank's choice
    debug = subprocess.run(
        [sys.executable, "-m", "arrears.cli", "serve", "--port", str(_free_port())],
        env=_environment(tmp_path, ARREARS_ENV="production", ARREARS_DEBUG="1",
                         ARREARS_HTTPS="1", ARREARS_HSTS_SECONDS="600",
                         ARREARS_SSL_REDIRECT="1", ARREARS_LANGUAGE="en"),
        capture_output=True, text=True, timeout=120)
    assert debug.returncode != 0 and "security.W018" in debug.stderr, debug.stderr
    assert "does not start in production" in debug.stderr


def _served(tmp_path, **variables) -> tuple[dict, str]:
    """Start ``arrears serve``, fetch the login page as the proxy would send it, stop it:
    the page's headers and what the server printed on stderr."""
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "arrears.cli", "serve", "--port", str(port), "--workers", "1"],
        env=_environment(tmp_path, **variables), stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 120
        while True:
            assert server.poll() is None, server.communicate()[1]
            try:
                request = urllib.request.Request(f"http://127.0.0.1:{port}/login/",
                                                 headers={"X-Forwarded-Proto": "https"})
                with urllib.request.urlopen(request, timeout=5) as response:
                    headers = dict(response.headers)
                break
            except (urllib.error.URLError, ConnectionError):
                assert time.monotonic() < deadline, "the server did not answer"
                time.sleep(0.5)
    finally:
        server.terminate()
        _out, err = server.communicate(timeout=30)
    return headers, err


def test_serve_in_production_starts_once_https_is_configured(tmp_path):
    headers, err = _served(tmp_path, ARREARS_ENV="production", ARREARS_HTTPS="1",
                           ARREARS_HSTS_SECONDS="31536000", ARREARS_SSL_REDIRECT="1",
                           ARREARS_PROXY_SSL_HEADER="HTTP_X_FORWARDED_PROTO=https")
    assert headers["Strict-Transport-Security"] == "max-age=31536000"
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert "security." not in err


def test_serve_for_the_demo_on_localhost_starts_without_checks_or_noise(tmp_path):
    headers, err = _served(tmp_path)
    assert "Strict-Transport-Security" not in headers
    assert "security." not in err and "[WARNING]" not in err and "Traceback" not in err
