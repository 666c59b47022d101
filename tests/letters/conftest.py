import pytest

from arrears.portfolio.models import ContactPoint
from tests.factories import make_account, make_cardholder


@pytest.fixture
def debtor_account(db, product):
    holder = make_cardholder(name="王小明")
    ContactPoint.objects.create(
        external_id=f"CP-B-{holder.pk}", cardholder=holder, kind="billing_address",
        value="北京市朝阳区建国路88号 100022", verified=True,
    )
    return make_account(product=product, cardholder=holder)


CHINESE_BODY = (
    "尊敬的王小明先生/女士：\n\n"
    "截至2026年11月20日，您的信用卡账户（卡号尾号1234）欠款人民币12,345.67元，已逾期35天。\n\n"
    "请您于收到本函之日起七日内还款。如有异议，请致电客服热线。"
)
ENGLISH_BODY = (
    "Dear Wang Xiaoming,\n\n"
    "As of 20 November 2026 your card account ending 1234 is 35 days past due; "
    "the balance owed is CNY 12,345.67.\n\n"
    "Please pay within seven days of receiving this letter."
)
