"""Fixtures for the web pages: users per role, a small portfolio, and a real headless Chromium."""

import shutil
import tempfile
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import pytest

from arrears.ledger.models import AccountPosition, Posting
from arrears.portfolio.models import ContactPoint, ThirdPartyContact
from arrears.users.services import role_groups_ensure, user_create_for_role
from tests.factories import make_account, make_cardholder, make_product, make_statement

PASSWORD = "correct-horse-battery-staple"
CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Logins are tested many times over; a cheap hasher keeps them fast."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def role_user(db):
    """``role_user("collector")`` → a logged-out user in that role's group, password PASSWORD."""
    role_groups_ensure()

    def make(role: str, username: str | None = None):
        return user_create_for_role(username=username or role, role=role, password=PASSWORD)

    return make


@pytest.fixture
def twd_product(db):
    return make_product(code="TWD-CLASSIC", name="Classic card", currency="TWD",
                        time_zone="Asia/Taipei")


@pytest.fixture
def delinquent_account(twd_product):
    """An M2 account with a statement, a purchase, contact points and a third-party contact."""
    cardholder = make_cardholder(
        external_id="CH-1001", name="张三丰", national_id="110101199003070015"
    )
    ContactPoint.objects.create(
        external_id="CP-1", cardholder=cardholder, kind="mobile", value="13812345678",
        verified=True,
    )
    ContactPoint.objects.create(
        external_id="CP-2", cardholder=cardholder, kind="email", value="zhangsan@example.com"
    )
    ContactPoint.objects.create(
        external_id="CP-3", cardholder=cardholder, kind="home_address",
        value="北京市朝阳区建国路88号1201室",
    )
    ThirdPartyContact.objects.create(
        external_id="TP-1", cardholder=cardholder, name="李小龙", relation="emergency",
        phone="13900001111",
    )
    account = make_account(
        external_id="AC-2001", product=twd_product, cardholder=cardholder,
        open_date=date(2024, 1, 1),
    )
    Posting.objects.create(
        external_id="PO-1", account=account, kind="purchase", amount_minor=1_200_000,
        posting_date=date(2025, 1, 5), value_date=date(2025, 1, 5), source="import",
    )
    make_statement(account=account, cycle_date=date(2025, 1, 20), due_date=date(2025, 2, 14),
                   balance=1_200_000, minimum=120_000)
    AccountPosition.objects.create(
        account=account, as_of=date(2025, 3, 20), principal_minor=1_200_000,
        interest_minor=30_000, fees_minor=6_000, past_due_minor=120_000, days_past_due=34,
        cycles_delinquent=2, bucket="M2",
    )
    return account


@contextmanager
def chromium(window_size: str = "1366,1000"):
    """A real headless Chromium driven by selenium, quit afterwards; fails (never skips) when
    it is missing. The browser asks for Simplified Chinese, like one in mainland China."""
    missing = [str(p) for p in (CHROMIUM, CHROMEDRIVER) if not p.exists()]
    if missing:
        pytest.fail(
            f"Browser tests need Chromium and chromedriver ({', '.join(missing)} not found). "
            "Run the project's set-up (see README: install the system packages chromium and "
            "chromium-driver) and try again.",
            pytrace=False,
        )
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="arrears-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-dev-shm-usage",
        f"--user-data-dir={profile}",
        f"--window-size={window_size}",
    ):
        options.add_argument(argument)
    # What a browser in mainland China sends; the pages must answer in Chinese.
    options.add_experimental_option("prefs", {"intl.accept_languages": "zh-CN,zh"})
    # The console (driver.get_log("browser")): the page checks read the browser's reports of
    # Content-Security-Policy violations there.
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)), options=options)
    driver.implicitly_wait(5)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture
def chrome_driver():
    with chromium() as driver:
        yield driver


@pytest.fixture
def placed_with_agency(db):
    """``placed_with_agency(*accounts, user=...)`` places accounts with an agency (real
    placements of the recovery app) and links ``user`` to that agency."""
    from datetime import date, timedelta

    from arrears.recovery.models import Agency, AgencyMember, Placement, PlacementBatch

    today = date.today()
    agency = Agency.objects.create(code="WEB-AG", name="Web agency", capacity=100,
                                   contract_from=date(2020, 1, 1), last_inspection_on=today)
    batch = PlacementBatch.objects.create(as_of=today, source="manual", seed=1)

    def place(*accounts, user=None):
        if user is not None:
            AgencyMember.objects.get_or_create(user=user, defaults={"agency": agency})
        for account in accounts:
            Placement.objects.create(batch=batch, account=account, agency=agency, bucket="M3",
                                     balance_minor=100_000, band=0, placed_on=today,
                                     due_on=today + timedelta(days=90))

    return place
