"""Every API error is JSON ``{"code": ..., "message": ...}`` with a fitting status code.

Validation errors (400) also carry ``errors``: one ``{"field", "reason"}`` per bad field.
Nothing ever answers with HTML or a stack trace; an unexpected exception is logged and
becomes a 500 ``internal_error``.
"""

import logging
import warnings

from django.core.exceptions import RequestDataTooBig
from django.db import OperationalError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Router
from ninja.errors import AuthenticationError, HttpError, ValidationError

from arrears.http_limits import busy, database_busy, too_large

logger = logging.getLogger("arrears.api")


class ApiError(Exception):
    """An error with a status, a stable machine-readable code and a translated message."""

    def __init__(
        self, status: int, code: str, message: str, headers: dict[str, str] | None = None
    ) -> None:
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}
        super().__init__(message)


def _status_texts() -> dict[int, tuple[str, str]]:
    return {
        400: ("bad_request", _("The request could not be read.")),
        401: ("unauthorized", _("A valid API token is required.")),
        403: ("forbidden", _("You do not have permission to do this.")),
        404: ("not_found", _("Not found.")),
        405: ("method_not_allowed", _("This method is not allowed here.")),
        429: ("throttled", _("Too many requests; try again later.")),
    }


def error_body(code: str, message: str, **extra) -> dict:
    return {"code": code, "message": str(message), **extra}


def _field_name(loc: tuple | list) -> str:
    """``("body", "payload", "amount")`` → ``amount``; ``("query", "as_of")`` → ``as_of``."""
    parts = [str(p) for p in loc]
    if parts and parts[0] == "body":
        parts = parts[2:] if len(parts) > 2 else parts[1:]
    elif parts and parts[0] in {"query", "path", "header", "cookie", "form"}:
        parts = parts[1:]
    return ".".join(parts)


def validation_errors(exc: ValidationError) -> list[dict[str, str]]:
    errors = []
    for error in exc.errors:
        reason = str(error.get("msg", ""))
        if reason.startswith("Value error, "):
            reason = reason.removeprefix("Value error, ")
        errors.append({"field": _field_name(error.get("loc", ())), "reason": reason})
    return errors


HTTP_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


def refuse_other_methods(router: Router) -> None:
    """Answer a method a path does not offer with a JSON 405 (ninja's own is plain text).

    Call it after the router's last operation is declared.
    """
    for path, view in list(router.path_operations.items()):
        allowed = sorted({m for op in view.operations for m in op.methods})
        missing = [m for m in HTTP_METHODS if m not in allowed]
        if missing:
            with warnings.catch_warnings():
                # The refusal takes no path parameters on purpose; ninja warns about that.
                warnings.filterwarnings("ignore", "Field\\(s\\) .* are in the view path")
                router.add_api_operation(path, missing, _method_not_allowed(allowed), auth=None,
                                         include_in_schema=False)


def _method_not_allowed(allowed: list[str]):
    def method_not_allowed(request: HttpRequest, **kwargs):
        code, message = _status_texts()[405]
        raise ApiError(405, code, message, headers={"Allow": ", ".join(allowed)})

    return method_not_allowed


def install_error_handlers(api: NinjaAPI) -> None:
    def respond(request: HttpRequest, status: int, body: dict) -> HttpResponse:
        return api.create_response(request, body, status=status)

    @api.exception_handler(ApiError)
    def on_api_error(request: HttpRequest, exc: ApiError) -> HttpResponse:
        response = respond(request, exc.status, error_body(exc.code, exc.message))
        for name, value in exc.headers.items():
            response[name] = value
        return response

    @api.exception_handler(ValidationError)
    def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        errors = validation_errors(exc)
        details = "; ".join(f"{e['field']}: {e['reason']}" for e in errors)
        message = _("The request is not valid: %(details)s") % {"details": details}
        return respond(request, 400, error_body("validation_error", message, errors=errors))

    @api.exception_handler(AuthenticationError)
    def on_authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        code, message = _status_texts()[401]
        response = respond(request, 401, error_body(code, message))
        response["WWW-Authenticate"] = "Bearer"
        return response

    @api.exception_handler(HttpError)
    def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        code, message = _status_texts().get(exc.status_code, ("error", _("The request failed.")))
        return respond(request, exc.status_code, error_body(code, message))

    @api.exception_handler(Http404)
    def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        code, message = _status_texts()[404]
        return respond(request, 404, error_body(code, message))

    @api.exception_handler(RequestDataTooBig)
    def on_too_large(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
        return too_large(request)

    @api.exception_handler(OperationalError)
    def on_database_error(request: HttpRequest, exc: OperationalError) -> HttpResponse:
        if database_busy(exc):
            return busy(request)
        return on_unexpected(request, exc)

    @api.exception_handler(Exception)
    def on_unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
        logger.error("Unexpected error in %s %s", request.method, request.path, exc_info=exc)
        message = _("Something went wrong on our side; the error has been logged.")
        return respond(request, 500, error_body("internal_error", message))
