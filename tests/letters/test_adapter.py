from arrears.channels.adapters import adapter_for
from arrears.channels.models import OutboxMessage
from arrears.letters.models import Letter
from tests.factories import make_account
from tests.letters.conftest import CHINESE_BODY


def outbox_letter(account, key="run:7:1:letter"):
    return OutboxMessage.objects.create(
        idempotency_key=key, account=account, channel="letter", template_code="dunning_letter",
        template_version=3, language="zh-hans", subject="催收函", body=CHINESE_BODY,
    )


def test_the_letter_channel_turns_an_outbox_message_into_one_letter(debtor_account):
    message = outbox_letter(debtor_account)
    adapter = adapter_for("letter")

    first = adapter.send(message)
    again = adapter.send(message)

    letter = Letter.objects.get()
    assert first.status == "sent" and first.provider_id == f"letter:{letter.pk}"
    assert again.provider_id == first.provider_id
    assert (letter.template_code, letter.template_version) == ("dunning_letter", 3)
    assert letter.outbox_key == "run:7:1:letter"


def test_a_letter_without_a_billing_address_fails_with_the_reason(db, product):
    result = adapter_for("letter").send(outbox_letter(make_account(product=product)))

    assert result.status == "failed" and "no billing address" in result.detail
    assert not Letter.objects.exists()
