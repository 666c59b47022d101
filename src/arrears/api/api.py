"""The versioned REST API (django-ninja); OpenAPI page at ``/api/docs``."""

from ninja import NinjaAPI

api = NinjaAPI(title="Arrears API", version="1", urls_namespace="api")
