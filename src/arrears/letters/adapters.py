"""The "letter" channel: the outbox hands a message over, and it becomes a rendered letter
waiting for the next print batch. Registered in ``LettersConfig.ready()``."""

from django.utils.translation import gettext as _

from arrears.channels.adapters import SendResult
from arrears.letters.models import Letter
from arrears.letters.services import LetterError, letter_create


class LetterAdapter:
    channel = "letter"
    gateway = "print_house"
    max_per_second = 200

    def send(self, message):
        try:
            letter = letter_create(
                message.account,
                outbox_key=message.idempotency_key,
                language=message.language,
                subject=message.subject,
                body=message.body,
                template_code=message.template_code,
                template_version=message.template_version,
            )
        except LetterError as error:
            return SendResult(provider_id="", status="failed", detail=str(error))
        return SendResult(
            provider_id=f"letter:{letter.pk}",
            status="sent",
            detail=_("letter %(id)d rendered, %(pages)d page(s), waiting for the print batch")
            % {"id": letter.pk, "pages": letter.pages},
        )

    def lookup(self, message):
        """The letter this message became, if the handing over got that far (the worker asks
        after a crash, so that a message is neither lost nor written twice)."""
        letter = Letter.objects.filter(outbox_key=message.idempotency_key).first()
        return SendResult(provider_id=f"letter:{letter.pk}", status="sent") if letter else None
