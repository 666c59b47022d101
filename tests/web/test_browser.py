"""The pages in a real headless Chromium against a live server: what a user actually sees."""

from datetime import date

import pytest
from django.utils import timezone
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec

from arrears.ledger.models import AccountPosition, CycleRun
from arrears.rules.aging import BUCKET_CODES
from tests.browser import page_language, page_wait, switch_language
from tests.factories import give_work, make_account
from tests.web.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _portfolio(product):
    """A handful of accounts spread over the buckets, and the cycle run that aged them."""
    spread = {"M0": 6, "M1": 3, "M2": 2, "M3": 1, "M5": 1, "M7+": 2}
    for bucket, count in spread.items():
        for n in range(count):
            AccountPosition.objects.create(
                account=make_account(product=product),
                as_of=date(2025, 3, 20),
                principal_minor=(BUCKET_CODES.index(bucket) + 1) * 2_500_000 + n * 13_700,
                interest_minor=BUCKET_CODES.index(bucket) * 41_000,
                fees_minor=BUCKET_CODES.index(bucket) * 12_000,
                past_due_minor=BUCKET_CODES.index(bucket) * 180_000,
                days_past_due=BUCKET_CODES.index(bucket) * 30,
                bucket=bucket,
            )
    CycleRun.objects.create(
        as_of=date(2025, 3, 20), started_at=timezone.now(), finished_at=timezone.now()
    )


def _save_png(driver, path):
    driver.save_screenshot(str(path))
    data = path.read_bytes()
    assert data.startswith(PNG_SIGNATURE)
    assert len(data) > 10_000
    return path


def test_log_in_see_overview_switch_language_and_open_an_account(
    live_server, chrome_driver, role_user, delinquent_account, tmp_path
):
    _portfolio(delinquent_account.product)
    give_work(role_user("collector"), delinquent_account)
    driver = chrome_driver
    wait = page_wait(driver, 10)

    driver.get(live_server.url + "/")
    wait.until(ec.presence_of_element_located((By.NAME, "username")))
    assert "/login/" in driver.current_url
    driver.find_element(By.NAME, "username").send_keys("collector")
    driver.find_element(By.NAME, "password").send_keys(PASSWORD)
    driver.find_element(By.CSS_SELECTOR, "form[action='/login/'] button[type=submit]").click()

    table = wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, "table.bucket-table")))
    assert driver.current_url == live_server.url + "/"
    assert page_language(driver) == "zh-hans"
    rows = table.find_elements(By.CSS_SELECTOR, "tbody tr")
    assert [r.get_attribute("data-bucket") for r in rows] == list(BUCKET_CODES)
    total = table.find_element(By.CSS_SELECTOR, "tfoot td[data-field=accounts]").text
    assert total == str(AccountPosition.objects.count())
    chart = driver.find_element(By.CSS_SELECTOR, "svg.bucket-chart")
    assert chart.size["width"] > 300 and chart.size["height"] > 200
    assert len(chart.find_elements(By.CSS_SELECTOR, "rect.bar-balance")) == len(BUCKET_CODES)
    assert chart.find_element(By.TAG_NAME, "title").get_attribute("textContent")
    _save_png(driver, tmp_path / "overview-zh.png")

    switch_language(driver, wait, "en")
    wait.until(ec.text_to_be_present_in_element((By.TAG_NAME, "h1"), "Portfolio overview"))
    assert driver.find_element(By.CSS_SELECTOR, "table.bucket-table")
    _save_png(driver, tmp_path / "overview-en.png")

    search = driver.find_element(By.CSS_SELECTOR, "form[role=search] input[name=q]")
    search.send_keys("AC-2001")
    driver.find_element(By.CSS_SELECTOR, "form[role=search] button[type=submit]").click()
    wait.until(ec.url_to_be(live_server.url + "/accounts/AC-2001/"))
    wait.until(ec.text_to_be_present_in_element((By.TAG_NAME, "h1"), "AC-2001"))
    assert driver.find_element(By.ID, "cardholder-national-id").text == "110***********0015"
    assert driver.find_element(By.ID, "account-bucket").text.startswith("M")
    _save_png(driver, tmp_path / "account-en.png")

    switch_language(driver, wait, "zh-hans")
    assert driver.current_url == live_server.url + "/accounts/AC-2001/"
    _save_png(driver, tmp_path / "account-zh.png")


def test_masked_role_sees_masked_data_in_the_browser(
    live_server, chrome_driver, role_user, delinquent_account, tmp_path
):
    role_user("auditor", username="strategist")  # reads every account, masked M1
    driver = chrome_driver
    wait = page_wait(driver, 10)

    driver.get(live_server.url + "/accounts/AC-2001/")
    wait.until(ec.presence_of_element_located((By.NAME, "username"))).send_keys("strategist")
    driver.find_element(By.NAME, "password").send_keys(PASSWORD)
    driver.find_element(By.CSS_SELECTOR, "form[action='/login/'] button[type=submit]").click()

    national_id = wait.until(ec.presence_of_element_located((By.ID, "cardholder-national-id")))
    assert national_id.text == "110***********0015"
    assert driver.find_element(By.ID, "cardholder-name").text == "张*"
    _save_png(driver, tmp_path / "account-masked.png")
