"""Limits of the HTTP server shared by the pages and the API: bodies that are too large are
refused with 413 before anyone reads them, and a database too busy to answer in time gives
503 with ``Retry-After`` instead of a 500. A page's query string or form holding a character no
database can store (a NUL byte: PostgreSQL refuses the query) is 400, naming the field; the
API checks its own input (``arrears.api.schemas``).

Under ``/api/`` the answer is the API's JSON error (``{"code", "message"}``); elsewhere a short
plain-text page.
"""

import io

from django.conf import settings
from django.db import OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _

from arrears.rules.text import describe, unstorable_character

RETRY_AFTER_SECONDS = 2
# What the database drivers say when a lock could not be had in time (SQLite's busy timeout,
# PostgreSQL's deadlock detector, lock timeout or serialization failure).
BUSY_MARKERS = ("database is locked", "database table is locked", "deadlock detected",
                "could not obtain lock", "could not serialize access", "lock timeout")


def database_busy(error: BaseException) -> bool:
    """Whether ``error`` says the database was too busy, not that the request was wrong."""
    if not isinstance(error, OperationalError):
        return False
    text = str(error).lower()
    return any(marker in text for marker in BUSY_MARKERS)


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def _answer(request: HttpRequest, status: int, code: str, message: str) -> HttpResponse:
    if _is_api(request):
        return JsonResponse({"code": code, "message": message}, status=status,
                            json_dumps_params={"ensure_ascii": False})
    return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")


def too_large(request: HttpRequest) -> HttpResponse:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return _answer(request, 413, "too_large", _(
        "The request body is larger than %(limit)s bytes; send less at a time.")
        % {"limit": f"{limit:,}"})


def busy(request: HttpRequest) -> HttpResponse:
    response = _answer(request, 503, "busy", _(
        "The database is busy; nothing was changed. Try again in a few seconds."))
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def unstorable(request: HttpRequest, name: str, character: str) -> HttpResponse:
    return _answer(request, 400, "validation_error", _(
        "The field %(field)s holds a character that cannot be stored (%(character)s); "
        "remove it and try again.") % {"field": name[:40], "character": describe(character)})


def _unstorable_field(data) -> tuple[str, str] | None:
    """``(field, character)`` for the first name or value of a query string or form with a
    character that cannot be stored, or None."""
    for name, values in data.lists():
        for text in (name, *values):
            found = unstorable_character(text) if isinstance(text, str) else None
            if found:
                return name, found
    return None


def _read_at_most(stream, limit: int) -> bytes | None:
    """Up to ``limit`` bytes of a body without a length; None when there are more."""
    chunks, size = [], 0
    while True:
        chunk = stream.read(min(64 * 1024, limit + 1 - size))
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)
        size += len(chunk)
        if size > limit:
            return None


class RequestLimitsMiddleware:
    """413 for a body above ``DATA_UPLOAD_MAX_MEMORY_SIZE`` (by its ``Content-Length``, or by
    reading a chunked body up to the limit); 400 for a page's query string or form with a
    character that cannot be stored; 503 + ``Retry-After`` for a busy database."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        declared = request.META.get("CONTENT_LENGTH") or ""
        if declared.strip().isdigit():
            if int(declared) > limit:
                return too_large(request)
        elif "chunked" in request.META.get("HTTP_TRANSFER_ENCODING", "").lower():
            body = _read_at_most(request.META["wsgi.input"], limit)
            if body is None:
                return too_large(request)
            request._body = body
            request._stream = io.BytesIO(body)
            request.META["CONTENT_LENGTH"] = str(len(body))
        if not _is_api(request):
            found = _unstorable_field(request.GET)
            if found is None and request.method == "POST":
                found = _unstorable_field(request.POST)  # empty unless a form was sent
            if found is not None:
                return unstorable(request, *found)
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception):
        return busy(request) if database_busy(exception) else None
