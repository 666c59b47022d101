"""The decisions pages in a real headless Chromium against a live server."""

from datetime import date

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec

from arrears.workbench.models import Collector, QueueEntry, Team
from tests.browser import page_language, page_wait
from tests.factories import make_account, make_cardholder
from tests.web.conftest import PASSWORD
from tests.workbench.factories import make_decision, make_run

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_decisions_page_queue_and_one_accounts_decision(
    live_server, chrome_driver, role_user, product, tmp_path
):
    user = role_user("team_lead", "lead")  # the night's overview is for team leads and up
    run = make_run(as_of=date(2025, 3, 20))
    star = make_account(
        external_id="AC-77", product=product, cardholder=make_cardholder(name="陈大文")
    )
    make_decision(run=run, account=star, rule_id="early-call-3", expected_recovery_minor=800_000)
    for _n in range(6):
        make_decision(
            run=run,
            account=make_account(product=product),
            treatment="sms",
            segment="early_low_risk",
            rule_id="early-sms-1",
        )
    team = Team.objects.create(name="Early calls", channel="call")
    seat = Collector.objects.create(user=user, team=team, daily_capacity=40)
    QueueEntry.objects.create(
        run=run,
        account=star,
        team=team,
        collector=seat,
        rank=1,
        expected_recovery_minor=800_000,
        treatment="call",
        priority=2,
    )

    driver = chrome_driver
    wait = page_wait(driver, 10)
    driver.get(live_server.url + "/decisions/")
    wait.until(ec.presence_of_element_located((By.NAME, "username")))
    driver.find_element(By.NAME, "username").send_keys("lead")
    driver.find_element(By.NAME, "password").send_keys(PASSWORD)
    driver.find_element(By.CSS_SELECTOR, "form[action='/login/'] button[type=submit]").click()

    chart = wait.until(ec.presence_of_element_located((By.ID, "treatment-chart")))
    assert driver.current_url == live_server.url + "/decisions/"
    assert page_language(driver) == "zh-hans"
    bars = chart.find_elements(By.CSS_SELECTOR, "g.count-bar")
    assert [b.get_attribute("data-key") for b in bars] == ["sms", "call"]
    widths = [b.find_element(By.TAG_NAME, "rect").size["width"] for b in bars]
    assert widths[0] > widths[1] > 0
    rows = driver.find_elements(By.CSS_SELECTOR, "#queue-table tr.collector-row")
    assert [r.get_attribute("data-collector") for r in rows] == ["lead"]
    driver.save_screenshot(str(tmp_path / "decisions.png"))

    driver.find_element(By.CSS_SELECTOR, "#decision-search").send_keys("AC-77")
    driver.find_element(By.CSS_SELECTOR, "form[role=search] button[type=submit]").click()
    rule = wait.until(ec.presence_of_element_located((By.ID, "decision-rule")))
    assert driver.current_url == live_server.url + "/decisions/account/AC-77/"
    assert rule.text == "early-call-3"
    assert driver.find_element(By.ID, "decision-treatment").get_attribute("data-code") == "call"
    assert len(driver.find_elements(By.CSS_SELECTOR, "#decision-reasons li")) == 2
    assert driver.find_element(By.ID, "decision-cardholder").text == "陈*"

    driver.get(live_server.url + "/decisions/queue/")
    row = wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, "#my-queue tbody tr")))
    assert row.get_attribute("data-account") == "AC-77"
    row.find_element(By.TAG_NAME, "a").click()
    wait.until(ec.url_to_be(live_server.url + "/decisions/account/AC-77/"))
