import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_schema_lists_every_api_path_and_docs_are_served_without_a_cdn():
    schema = Client().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    paths = set(schema["paths"])
    for path in (
        "/api/v1/elders/",
        "/api/v1/elders/{public_id}/",
        "/api/v1/elders/import/",
        "/api/v1/organisations/",
        "/api/v1/admissions/",
        "/api/v1/occupancy/",
        "/api/v1/areas/",
        "/api/v1/audit-events/",
        "/api/v1/users/",
    ):
        assert path in paths
    docs = Client().get("/api/docs/").content.decode()
    assert "swagger-ui" in docs
    assert "https://" not in docs and "http://cdn" not in docs
