"""Where the nightly evaluation hands its payment reminders (a registry, not an import).

The arrangements sit below the contact channels: they decide *that* a promise or an instalment
needs a reminder, the channels app decides *how* it is written and sent. The channels app
registers its sender here in ``AppConfig.ready`` (:func:`reminder_sender_register`), so this
app never imports the channels app and the app graph stays acyclic.
"""

from collections.abc import Callable

from django.core.exceptions import ImproperlyConfigured


class ReminderNotQueued(Exception):
    """The sender could not write the reminder (e.g. a missing or broken template)."""


#: ``send(account, *, channel, template_code, purpose, idempotency_key, extra)``; it raises
#: :class:`ReminderNotQueued` when the reminder cannot be written.
ReminderSender = Callable[..., None]
_sender: list[ReminderSender] = []


def reminder_sender_register(send: ReminderSender) -> None:
    """Make ``send`` the way reminders are queued (the last registration wins)."""
    _sender[:] = [send]


def reminder_send(account, *, channel: str, template_code: str, purpose: str,
                  idempotency_key: str, extra: dict) -> None:
    """Queue one reminder through the registered sender."""
    if not _sender:
        raise ImproperlyConfigured("No reminder sender is registered; the arrears.channels "
                                   "app registers one when it is installed.")
    _sender[0](account, channel=channel, template_code=template_code, purpose=purpose,
               idempotency_key=idempotency_key, extra=extra)
