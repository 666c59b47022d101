"""Idle sessions end after ``SESSION_COOKIE_AGE`` (30 minutes), and activity keeps them alive.

Django's ``SESSION_SAVE_EVERY_REQUEST`` would write the session row on every page; this
middleware writes it at most once every ``ARREARS_SESSION_TOUCH_SECONDS`` (60) instead, so a
session still ends 29 to 30 idle minutes after the last page, for one write a minute at most.
"""

import time

from django.conf import settings

TOUCHED = "_arrears_touched"


class SessionTouchMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is not None and session.session_key and not session.is_empty():
            now = int(time.time())
            every = getattr(settings, "ARREARS_SESSION_TOUCH_SECONDS", 60)
            if now - session.get(TOUCHED, 0) >= every:
                session[TOUCHED] = now  # modified: SessionMiddleware saves it, expiry renewed
        return response
