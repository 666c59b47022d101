"""Every role walks the pages of its menu (and an account it reaches) in real headless Chromium,
in both languages, at 1366 × 768 (account screens at 1920 × 1080 too): no page may overflow
horizontally, show words of the other language or answer with a server error (issue 11).

The world is built once for the module (the demo portfolio on a few hundred accounts and a
day's work, ``world.py``), committed, and served by a live server of the module's own: a walk
only reads, so the roles share it. Afterwards the database is put back as the migrations left
it (the way Django's serialized rollback does), for the tests that follow.
"""

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import override_settings
from pytest_django.live_server_helper import LiveServer
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec

from tests.browser import page_wait, switch_language
from tests.e2e.page_checks import PROBE, policy_violations, problems
from tests.e2e.world import PASSWORD, ROLES, seed_world
from tests.web.conftest import chromium

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

LANGUAGES = ("zh-hans", "en")
SMALL, LARGE = (1366, 768), (1920, 1080)


@pytest.fixture(scope="module")
def site(django_db_setup, django_db_blocker):
    # A dozen users log in; a cheap hasher keeps the world quick to build and to enter.
    fast_hashing = override_settings(
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
    with django_db_blocker.unblock(), fast_hashing:
        as_migrated = connection.creation.serialize_db_to_string()
        try:
            world = seed_world()
            server = LiveServer("localhost")
            server._live_server_modified_settings.enable()
            try:
                yield server.url, world
            finally:
                server.stop()
                server._live_server_modified_settings.disable()
        finally:
            # sequences kept: the rows put back keep their ids, new rows must come after them
            call_command("flush", interactive=False, verbosity=0, inhibit_post_migrate=True,
                         reset_sequences=False)
            connection.creation.deserialize_db_from_string(as_migrated)


@pytest.fixture(scope="module")
def browser():
    with chromium() as driver:
        yield driver


def _viewport(driver, size) -> None:
    width, height = size
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": width, "height": height, "deviceScaleFactor": 1, "mobile": False})


def _log_in(driver, url: str, username: str, language: str) -> None:
    driver.delete_all_cookies()
    wait = page_wait(driver, 10)
    driver.get(url + "/login/")
    wait.until(ec.presence_of_element_located((By.NAME, "username"))).send_keys(username)
    driver.find_element(By.NAME, "password").send_keys(PASSWORD)
    driver.find_element(By.CSS_SELECTOR, "form[action='/login/'] button[type=submit]").click()
    wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, ".user-badge")))
    switch_language(driver, wait, language)


def _menu(driver) -> list[str]:
    return driver.execute_script(
        "return Array.from(document.querySelectorAll('nav.main-nav a'), a => a.pathname)")


def _check(driver, url: str, path: str, language: str, size) -> list[str]:
    _viewport(driver, size)
    driver.get_log("browser")  # what earlier pages logged is theirs
    driver.get(url + path)
    found = problems(driver.execute_script(PROBE), language)
    found += policy_violations(driver.get_log("browser"))
    return [f"{language} {size[0]}px {path}: {problem}" for problem in found]


@pytest.mark.parametrize("role", ROLES)
def test_every_page_of_the_role_holds_up(site, browser, role):
    url, world = site
    found = []
    for language in LANGUAGES:
        _viewport(browser, SMALL)
        _log_in(browser, url, role, language)
        pages = list(dict.fromkeys(_menu(browser) + world.pages[role]))
        assert pages, f"{role} has no page to open"
        for path in pages:
            found += _check(browser, url, path, language, SMALL)
        for path in world.account_screens[role]:
            found += _check(browser, url, path, language, LARGE)
    assert not found, f"{len(found)} problem(s) for {role}:\n" + "\n".join(found)


PHONE = (375, 812)


def test_every_page_of_the_cardholder_portal_holds_up(site, browser):
    """The portal at a phone's size in both languages, signed in with its own session."""
    url, world = site
    found = []
    for language in LANGUAGES:
        browser.delete_all_cookies()
        _viewport(browser, PHONE)
        browser.get(url + "/self/")
        for name, value in world.portal_cookies.items():
            browser.add_cookie({"name": name, "value": value, "path": "/self/"})
        switch_language(browser, page_wait(browser, 10), language)
        for path in world.portal_pages:
            found += _check(browser, url, path, language, PHONE)
        browser.get(url + "/self/owed/")
        assert browser.find_elements(By.ID, "payoff-amount"), "the portal session did not hold"
    assert not found, f"{len(found)} problem(s) in the portal:\n" + "\n".join(found)


CARD = ('<link rel="stylesheet" href="{url}/static/web/arrears.css"><main>'
        '<section class="card"><table class="data"><tr>{cells}</tr></table>'
        '</section><p>{text}</p></main>')


def test_the_checks_catch_what_they_look_for(site, browser):
    """A table wider than its card, English words on a Chinese page and Chinese on an English
    one are found; codes, keys, names marked translate=no and brands are not."""
    url, _world = site
    _viewport(browser, SMALL)
    cells = "".join(f"<td>{'8' * 12}</td>" for _n in range(12))
    page = CARD.format(url=url, cells=cells, text="账户 TW-A-1 <kbd>Enter</kbd> Arrears "
                       "<span translate=no>collector</span> payment reminder")
    browser.delete_all_cookies()
    browser.get(url + "/login/")  # a page of the same origin, rewritten below
    browser.execute_script("document.open(); document.write(arguments[0]); document.close();"
                           "document.documentElement.lang = 'zh-hans';"
                           "document.querySelector('section').style.width = '300px';", page)
    found = problems(browser.execute_script(PROBE), "zh-hans")
    assert any("sticks out of its card" in problem or "px wide in" in problem
               for problem in found), found
    words = [problem for problem in found if "'payment reminder'" in problem]
    assert len(words) == 1 and not any("collector" in p or "Enter" in p for p in found), found
    browser.execute_script("document.documentElement.lang = 'en';"
                           "document.querySelector('p').textContent = 'Balance 余额';")
    assert any("余额" in problem for problem in problems(browser.execute_script(PROBE), "en"))


def test_the_checks_catch_what_the_policy_refuses(site, browser):
    """An inline style attribute and an inline script on one of our pages are refused by the
    browser under the Content-Security-Policy, and the check reads that from its console."""
    url, _world = site
    browser.delete_all_cookies()
    browser.get(url + "/login/")
    assert not policy_violations(browser.get_log("browser"))
    browser.execute_script(
        "const p = document.createElement('p'); p.setAttribute('style', 'color: red');"
        "document.body.append(p);"
        "const s = document.createElement('script'); s.textContent = 'window.ran = 1';"
        "document.body.append(s);")
    found = policy_violations(browser.get_log("browser"))
    assert any("style-src" in problem for problem in found), found
    assert any("script-src" in problem for problem in found), found
    assert browser.execute_script("return window.ran") is None


ADMIN_PAGES = ("/admin/", "/admin/auth/user/", "/admin/auth/user/add/",
               "/admin/channels/template/", "/admin/channels/template/add/",
               "/admin/axes/accessattempt/")


def test_the_admin_and_the_api_docs_work_under_the_policy(site, browser):
    """The Django admin (its scripts: actions, filters, widgets) and the API's documentation
    (Swagger UI) run under the same strict policy: nothing refused, and their scripts work."""
    url, _world = site
    _viewport(browser, SMALL)
    _log_in(browser, url, "administrator", "en")
    found = []
    for path in ADMIN_PAGES:
        browser.get_log("browser")
        browser.get(url + path)
        found += [f"{path}: {problem}" for problem in policy_violations(browser.get_log("browser"))]
    browser.get(url + "/admin/auth/user/")
    before = browser.execute_script("return document.documentElement.dataset.theme")
    browser.find_element(By.CSS_SELECTOR, "button.theme-toggle").click()  # admin/js/theme.js
    assert browser.execute_script("return document.documentElement.dataset.theme") != before
    browser.execute_script("localStorage.removeItem('theme')")
    browser.get_log("browser")
    browser.get(url + "/api/docs")
    page_wait(browser, 20).until(
        ec.presence_of_element_located((By.CSS_SELECTOR, "#swagger-ui .opblock")))
    found += [f"/api/docs: {problem}" for problem in policy_violations(browser.get_log("browser"))]
    assert not found, "\n".join(found)
