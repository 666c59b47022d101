"""A collector's day and a team lead's approval, in real headless Chromium, in both languages.

The collector logs in, switches the pages to the language under test, opens the queue, opens
the first account with the keyboard, takes a promise, proposes a plan above their authority and
logs out; the team lead logs in, finds the plan in the approval queue and approves it; the plan
is active. Texts are compared with the catalogue (gettext), never with hard-coded Chinese.
"""

from datetime import timedelta

import pytest
from django.utils import timezone, translation
from django.utils.translation import gettext
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import Select

from arrears.arrangements.models import ApprovalRequest, AuthorityLimit, Plan, Promise
from arrears.users.models import Preference
from tests.browser import page_language, page_wait, switch_language
from tests.factories import make_product
from tests.web.conftest import PASSWORD
from tests.workbench.factories import make_floor

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def authority_matrix_ensure() -> None:
    """The limits the flow relies on (the default matrix; a transactional test starts from an
    empty database): instalment plans up to 12 months for collectors, 36 for team leads."""
    for group_name, months in (("collector", 12), ("team_lead", 36)):
        AuthorityLimit.objects.get_or_create(
            group_name=group_name, kind="plan_instalment", defaults={"max_months": months}
        )


def log_in(driver, wait, username: str) -> None:
    wait.until(ec.presence_of_element_located((By.NAME, "username")))
    driver.find_element(By.NAME, "username").send_keys(username)
    driver.find_element(By.NAME, "password").send_keys(PASSWORD)
    driver.find_element(By.CSS_SELECTOR, "form[action='/login/'] button[type=submit]").click()


def log_out(driver, wait) -> None:
    driver.find_element(By.CSS_SELECTOR, "form[action='/logout/'] button[type=submit]").click()
    wait.until(lambda d: "/work/" not in d.current_url or "login" in d.current_url)


def message_shown(wait, expected: str) -> bool:
    """Wait for the page after a POST to say ``expected`` (the previous page may still be
    there for a moment, with messages of its own)."""
    return wait.until(ec.text_to_be_present_in_element((By.ID, "messages"), expected))


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_collector_takes_a_promise_and_a_team_lead_approves_the_plan(
    live_server, chrome_driver, role_user, language
):
    authority_matrix_ensure()
    collector, lead = role_user("collector"), role_user("team_lead")
    product = make_product(currency="CNY", time_zone="Asia/Shanghai")
    _run, _team, _seats, (first, second) = make_floor(
        users={"collector": collector, "team_lead": lead}, product=product
    )
    driver, wait = chrome_driver, page_wait(chrome_driver, 15)

    # The collector: log in, switch the language, the queue.
    driver.get(live_server.url + "/work/")
    log_in(driver, wait, "collector")
    wait.until(ec.presence_of_element_located((By.ID, "work-queue")))
    switch_language(driver, wait, language)
    wait.until(ec.presence_of_element_located((By.ID, "work-queue")))
    assert Preference.objects.get(user=collector).language == language
    with translation.override(language):
        assert driver.find_element(By.TAG_NAME, "h1").text == gettext("Today's work")
    rows = driver.find_elements(By.CSS_SELECTOR, "#work-queue tbody tr")
    assert [r.get_attribute("data-account") for r in rows] == ["AC-900", "AC-901"]

    # j moves down, k back up, Enter opens the best account.
    actions = ActionChains(driver)
    actions.send_keys("j").send_keys("k").send_keys(Keys.ENTER).perform()
    wait.until(ec.url_contains(f"/work/accounts/{first.pk}/"))
    title = driver.find_element(By.ID, "account-title").text
    assert title.startswith("AC-900") and "王小明" not in title  # the name is masked

    # A promise to pay: amount and date.
    due = timezone.now().date() + timedelta(days=7)
    driver.find_element(By.NAME, "amount").send_keys("500.00")
    driver.execute_script(
        "arguments[0].value = arguments[1]", driver.find_element(By.NAME, "due_date"),
        due.isoformat(),
    )
    driver.find_element(By.ID, "take-promise").click()
    with translation.override(language):
        recorded = gettext("Recorded: %(outcome)s.") % {"outcome": gettext("promise to pay")}
    assert message_shown(wait, recorded)
    promise = Promise.objects.get(account=first)
    assert (promise.amount_minor, promise.due_date, promise.taken_by) == (50_000, due, collector)

    # A 24-month instalment plan: above a collector's authority (12 months).
    Select(driver.find_element(By.NAME, "kind")).select_by_value("instalment")
    months = driver.find_element(By.NAME, "months")
    months.clear()
    months.send_keys("24")
    driver.find_element(By.ID, "quote").click()
    wait.until(ec.presence_of_element_located((By.ID, "quote-result")))
    assert len(driver.find_elements(By.CSS_SELECTOR, "#quote-result tbody tr")) == 24
    driver.find_element(By.ID, "propose-plan").click()
    with translation.override(language):
        sent = gettext("Plan sent for approval: it is above your authority.")
    assert message_shown(wait, sent)
    plan = Plan.objects.get(account=first)
    assert plan.status == Plan.Status.PENDING_APPROVAL
    log_out(driver, wait)

    # The team lead: the approval queue, approve.
    driver.get(live_server.url + "/work/team/")
    log_in(driver, wait, "team_lead")
    row = wait.until(
        ec.presence_of_element_located((By.CSS_SELECTOR, "#approvals tr[data-approval]"))
    )
    assert page_language(driver) == language
    assert "AC-900" in row.text
    row.find_element(By.NAME, "note").send_keys("ok")
    row.find_element(By.CSS_SELECTOR, "button[name=approve][value='1']").click()
    with translation.override(language):
        assert message_shown(wait, gettext("Approved."))
        active = str(Plan.Status.ACTIVE.label)
    plan.refresh_from_db()
    assert plan.status == Plan.Status.ACTIVE and plan.approved_by == lead
    assert ApprovalRequest.objects.get(subject_id=plan.pk).status == "approved"

    # The plan shows as active on the account screen.
    driver.get(live_server.url + f"/work/accounts/{first.pk}/")
    status = wait.until(
        ec.presence_of_element_located((By.CSS_SELECTOR, f"tr[data-plan='{plan.pk}'] .plan-status"))
    )
    assert status.text == active
