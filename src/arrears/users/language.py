"""The page language per user: saved when the user switches it, applied at every login.

``language_set`` is the switch's view (Django's ``set_language`` plus saving the choice);
``preference_apply_at_login`` answers ``user_logged_in``; ``PreferredLanguageMiddleware``
(after the authentication middleware) writes the language cookie on the login response and
uses the preference while the browser has no cookie.
"""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.views.decorators.http import require_POST
from django.views.i18n import set_language

from arrears.users.models import Preference

_KNOWN = {code for code, _name in settings.LANGUAGES}


def preference_save(user, language: str) -> Preference | None:
    """Remember ``language`` for ``user``; an unknown code or an anonymous user saves nothing."""
    if language not in _KNOWN or not getattr(user, "is_authenticated", False):
        return None
    preference, _ = Preference.objects.update_or_create(
        user=user, defaults={"language": language}
    )
    return preference


def preferred_language(user) -> str | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return Preference.objects.filter(user=user).values_list("language", flat=True).first()


@require_POST
def language_set(request: HttpRequest) -> HttpResponse:
    preference_save(request.user, request.POST.get("language", ""))
    return set_language(request)


def preference_apply_at_login(sender, request, user, **kwargs) -> None:
    language = preferred_language(user)
    if language:
        translation.activate(language)
        request.LANGUAGE_CODE = language
        request.preferred_language_at_login = language


class PreferredLanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if settings.LANGUAGE_COOKIE_NAME not in request.COOKIES:
            language = preferred_language(getattr(request, "user", None))
            if language:
                translation.activate(language)
                request.LANGUAGE_CODE = language
        response = self.get_response(request)
        language = getattr(request, "preferred_language_at_login", None)
        if language:
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME,
                language,
                max_age=settings.LANGUAGE_COOKIE_AGE,
                path=settings.LANGUAGE_COOKIE_PATH,
                domain=settings.LANGUAGE_COOKIE_DOMAIN,
                secure=settings.LANGUAGE_COOKIE_SECURE,
                httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
                samesite=settings.LANGUAGE_COOKIE_SAMESITE,
            )
        return response
