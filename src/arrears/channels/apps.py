from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChannelsConfig(AppConfig):
    name = "arrears.channels"
    verbose_name = _("Contact channels")

    def ready(self) -> None:
        from arrears.arrangements.reminders import reminder_sender_register
        from arrears.channels import checks  # noqa: F401  (registers the system checks)
        from arrears.channels.services import reminder_enqueue

        reminder_sender_register(reminder_enqueue)
