"""The portal in real headless Chromium at a phone's size (375 × 812), in both languages: the
message's link → the code from the SMS → what I owe → pay through the simulator → a promise."""

import re
from datetime import timedelta

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec

from arrears.arrangements.models import Promise
from arrears.arrangements.services import account_today
from arrears.channels.services import outbox_enqueue
from arrears.ledger.models import Posting
from tests.browser import page_language, page_wait, switch_language
from tests.selfservice.conftest import last_code, make_owing
from tests.web.conftest import chromium

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WORDS = {
    "zh-hans": {"owed": "我的欠款", "paid": "谢谢", "promise": "您已承诺"},
    "en": {"owed": "What I owe", "paid": "Thank you", "promise": "You promised"},
}


def _no_sideways_scroll(driver) -> None:
    width, inner = driver.execute_script(
        "return [document.documentElement.scrollWidth, window.innerWidth]")
    assert inner == 375 and width <= 375, f"{driver.current_url} is {width}px wide"


def _submit(driver, form_id: str) -> None:
    driver.find_element(By.CSS_SELECTOR, f"#{form_id} button[type=submit]").click()


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_link_code_owed_pay_promise_on_a_phone(live_server, language, tmp_path):
    mobile = "1390000" + ("1111" if language == "en" else "2222")
    account = make_owing(external_id=f"62220200000{'1' if language == 'en' else '2'}4321",
                         mobile=mobile, language=language)
    sms = outbox_enqueue(account, channel="sms", template_code="CN-SMS-M1",
                         idempotency_key=f"browser-{language}")
    path = re.search(r"/self/l/[A-Za-z0-9_-]+/", sms.body).group(0)
    words = WORDS[language]
    with chromium(window_size="375,812") as driver:
        # a phone's viewport (headless Chromium keeps windows at least 500px wide)
        driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
            "width": 375, "height": 812, "deviceScaleFactor": 2, "mobile": True})
        wait = page_wait(driver, 10)
        driver.get(live_server.url + path)
        wait.until(ec.presence_of_element_located((By.ID, "link-form")))
        assert page_language(driver) == "zh-hans"  # a phone in China asks for Chinese
        if language == "en":
            switch_language(driver, wait, "en")
        _no_sideways_scroll(driver)
        _submit(driver, "link-form")

        wait.until(ec.presence_of_element_located((By.ID, "code-form")))
        assert driver.current_url == live_server.url + "/self/code/"
        driver.find_element(By.NAME, "code").send_keys(last_code(mobile))
        _submit(driver, "code-form")

        payoff = wait.until(ec.presence_of_element_located((By.ID, "payoff-amount")))
        assert page_language(driver) == language
        assert words["owed"] in driver.find_element(By.TAG_NAME, "h1").text
        assert payoff.text.startswith("¥10," if language == "zh-hans" else "CNY 10,")
        assert driver.find_element(By.ID, "principal").text.endswith("10,000.00")
        _no_sideways_scroll(driver)
        driver.save_screenshot(str(tmp_path / f"owed-{language}.png"))

        driver.find_element(By.ID, "pay-link").click()
        amount = wait.until(ec.presence_of_element_located((By.NAME, "amount")))
        amount.clear()
        amount.send_keys("100.00")
        _submit(driver, "pay-form")
        wait.until(ec.presence_of_element_located((By.ID, "simulator-pay"))).click()
        result = wait.until(ec.presence_of_element_located((By.ID, "pay-result")))
        assert result.get_attribute("data-status") == "succeeded"
        assert words["paid"] in result.text
        assert Posting.objects.get(account=account, kind="payment").amount_minor == 10_000

        driver.find_element(By.ID, "back-to-owed").click()
        wait.until(ec.presence_of_element_located((By.ID, "promise-link"))).click()
        amount = wait.until(ec.presence_of_element_located((By.NAME, "amount")))
        amount.send_keys("500")
        due = (account_today(account) + timedelta(days=3)).isoformat()
        driver.execute_script("arguments[0].value = arguments[1]",
                              driver.find_element(By.NAME, "due_date"), due)
        _no_sideways_scroll(driver)
        _submit(driver, "promise-form")
        promise = wait.until(ec.presence_of_element_located((By.ID, "promise-in-force")))
        assert words["promise"] in promise.text
        assert Promise.objects.get(account=account).amount_minor == 50_000
        driver.save_screenshot(str(tmp_path / f"promise-{language}.png"))
