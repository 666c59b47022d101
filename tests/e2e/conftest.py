"""End-to-end fixtures: the web fixtures (users per role, a real headless Chromium)."""

from tests.web.conftest import chrome_driver, role_user  # noqa: F401
