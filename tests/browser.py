"""Helpers for the tests that drive real headless Chromium.

While one page replaces another, chromedriver may answer for a node of the old page with a
stale reference or with an inspector error ("Node with given id does not belong to the
document"), or fail a script with "document unloaded". Each of these means the same thing to a
test: the old page is going; ask again. These helpers hold no element of the page they ask
about, so the race cannot fail a test.
"""

from selenium.common.exceptions import WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait


def page_wait(driver, seconds: float) -> WebDriverWait:
    """A wait that asks again when the page it asks about is being replaced, instead of failing
    on chromedriver's transient answers for a page in transit."""
    return WebDriverWait(driver, seconds, ignored_exceptions=(WebDriverException,))


def page_language(driver) -> str | None:
    """The ``lang`` of the page now shown; None while a new page replaces the old one."""
    try:
        return driver.execute_script("return document.documentElement.lang")
    except WebDriverException:
        return None


def gone(element) -> bool:
    """``element`` has left the document (its page was replaced)."""
    try:
        element.is_enabled()
    except WebDriverException:
        return True
    return False


def switch_language(driver, wait, language: str) -> None:
    """Press the language switch for ``language`` and wait for the page that answers in it."""
    switch = driver.find_element(By.CSS_SELECTOR, f".lang-switch button[value='{language}']")
    switch.click()
    wait.until(lambda _driver: gone(switch))
    wait.until(lambda d: page_language(d) == language)
