"""System checks of the contact channels, run by ``arrears serve`` before it starts."""

from django.conf import settings
from django.core.checks import Error, Tags, register
from django.utils.translation import gettext as _


@register(Tags.security)
def sms_receipt_secret(app_configs, **kwargs) -> list[Error]:
    """A real SMS gateway posts delivery receipts to us: they must carry a secret.

    The demo's simulator sends no receipts, so it needs none; without a token the receipts
    endpoint refuses everything in any case.
    """
    gateway = getattr(settings, "ARREARS_SMS_GATEWAY", "simulator")
    if gateway in ("", "simulator") or getattr(settings, "ARREARS_SMS_TOKEN", ""):
        return []
    return [Error(
        _("An SMS gateway is configured (%(gateway)s) without ARREARS_SMS_TOKEN: its delivery "
          "receipts could not be told from anyone's.") % {"gateway": gateway},
        hint=_("Set ARREARS_SMS_TOKEN to the secret the gateway sends as 'Authorization: "
               "Bearer <token>'."),
        id="arrears.channels.E001",
    )]
