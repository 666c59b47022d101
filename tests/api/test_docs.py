"""The OpenAPI schema and the docs page, which must work without internet."""

import re

import pytest

pytestmark = pytest.mark.django_db


def test_openapi_schema_lists_the_endpoints(client):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert {
        "/api/v1/payments": {"post"}, "/api/v1/reversals": {"post"},
        "/api/v1/accounts/{account_id}": {"get"}, "/api/v1/accounts/{account_id}/payoff": {"get"},
    } == {path: set(ops) for path, ops in schema["paths"].items()}
    assert schema["components"]["securitySchemes"]["ApiTokenAuth"]["scheme"] == "bearer"


def test_docs_page_uses_no_other_host(client):
    response = client.get("/api/docs")
    assert response.status_code == 200
    html = response.content.decode()
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert any(s.endswith("swagger-ui-bundle.js") for s in sources)
    assert not [s for s in sources if s.startswith(("http:", "https:", "//"))]
    assert "cdn" not in html.lower()
    assert '"validatorUrl": null' in html
    for source in sources:
        assert client.get(source).status_code == 200, source
