"""The versioned REST API (django-ninja); OpenAPI page at ``/api/docs``.

Version 1 lives under ``/api/v1/``. Errors are always JSON ``{"code", "message"}`` (see
:mod:`arrears.api.errors`). The docs page uses the Swagger UI files django-ninja ships, so it
works without internet when ``ninja`` is in ``INSTALLED_APPS``.
"""

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Router
from ninja.openapi.docs import Swagger

from arrears.api.errors import ApiError, install_error_handlers
from arrears.api.v1 import router as v1_router

api = NinjaAPI(
    title="Arrears API",
    version="1",
    urls_namespace="api",
    description="Payments, reversals, account aging and payoff quotes for card systems.",
    # validatorUrl None: Swagger UI would otherwise send the schema to validator.swagger.io.
    docs=Swagger(settings={"persistAuthorization": True, "validatorUrl": None}),
)
install_error_handlers(api)
api.add_router("/v1/", v1_router)

unmatched = Router(tags=["errors"])


@unmatched.api_operation(
    ["GET", "POST", "PUT", "PATCH", "DELETE"], "/{path:rest}", include_in_schema=False
)
def not_found(request: HttpRequest, rest: str):
    message = _("There is no API endpoint %(path)s.") % {"path": request.path}
    raise ApiError(404, "not_found", message)


api.add_router("", unmatched)
