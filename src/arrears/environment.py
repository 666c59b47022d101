"""Reading the settings that come from the environment, each checked when the process starts.

A value that cannot be right (``ARREARS_HSTS_SECONDS=a year``) stops the start with one
sentence naming the variable, the value and what it must be — ``arrears`` prints it in the
operator's language (``SettingsError.message_in``) instead of a traceback. The reasons are
marked for translation here but translated later: settings are read before Django's
translation machinery exists.
"""

import os
import re
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

FLAG_VALUES = {"1": True, "true": True, "yes": True, "on": True,
               "0": False, "false": False, "no": False, "off": False, "": False}
HEADER_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")
LOCALE_DIR = Path(__file__).resolve().parent / "locale"


def gettext_noop(message: str) -> str:
    """Marks ``message`` for the catalogue (makemessages knows the name); Django's own would
    need the settings this module helps to read."""
    return message


SETTING_INVALID = gettext_noop("The environment variable %(variable)s=%(value)s is not valid: "
                               "%(reason)s.")


class SettingsError(ImproperlyConfigured):
    """An environment variable with a value Arrears cannot use."""

    def __init__(self, variable: str, value: str, reason: str, **params):
        self.variable, self.value, self.reason, self.params = variable, value, reason, params
        super().__init__(self.message_in(lambda text: text))

    def message_in(self, translate) -> str:
        """The sentence, translated by ``translate`` (a gettext function)."""
        return translate(SETTING_INVALID) % {"variable": self.variable, "value": repr(self.value),
                                             "reason": translate(self.reason) % self.params}


def message_for_operator(error: SettingsError, language: str | None) -> str:
    """``error`` in the operator's language (Simplified Chinese unless English is asked for),
    read from the project's own catalogue without Django."""
    import gettext

    if language and language.lower().startswith("en"):
        return error.message_in(lambda text: text)
    catalogue = gettext.translation("django", localedir=LOCALE_DIR, languages=["zh_Hans"],
                                    fallback=True)
    return error.message_in(catalogue.gettext)


def env_flag(name: str, default: bool = False) -> bool:
    """1/0, true/false, yes/no, on/off (any case); unset means ``default``."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    try:
        return FLAG_VALUES[raw.strip().lower()]
    except KeyError:
        raise SettingsError(name, raw, gettext_noop("use 1 (on) or 0 (off)")) from None


def env_int(name: str, default: int, *, minimum: int = 0) -> int:
    """A whole number of at least ``minimum``; unset or empty means ``default``."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        value = None
    if value is None or value < minimum:
        raise SettingsError(name, raw, gettext_noop("use a whole number of at least "
                                                    "%(minimum)d"), minimum=minimum)
    return value


def env_choice(name: str, default: str, choices: tuple[str, ...]) -> str:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    if raw.lower() not in choices:
        raise SettingsError(name, raw, gettext_noop("use one of: %(choices)s"),
                            choices=", ".join(choices))
    return raw.lower()


def env_proxy_ssl_header(name: str) -> tuple[str, str] | None:
    """``HTTP_X_FORWARDED_PROTO=https`` (or the header as sent, ``X-Forwarded-Proto=https``)
    → Django's ``SECURE_PROXY_SSL_HEADER`` pair; unset means None (no proxy says so)."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return None
    header, _sign, value = raw.partition("=")
    header, value = header.strip(), value.strip()
    if not _sign or not value or not HEADER_NAME.match(header):
        raise SettingsError(name, raw, gettext_noop(
            "write the header the proxy sets and its value for HTTPS, e.g. "
            "HTTP_X_FORWARDED_PROTO=https"))
    return _meta_key(header), value


def _meta_key(header: str) -> str:
    meta = header.upper().replace("-", "_")
    return meta if meta.startswith("HTTP_") else "HTTP_" + meta


def env_header(name: str) -> str | None:
    """A request header's name as the proxy sends it (``X-Real-IP``) or as Django keeps it
    (``HTTP_X_REAL_IP``) → the ``request.META`` key; unset means None."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return None
    if not HEADER_NAME.match(raw):
        raise SettingsError(name, raw, gettext_noop("write the name of a request header, e.g. "
                                                    "X-Forwarded-For"))
    return _meta_key(raw)
