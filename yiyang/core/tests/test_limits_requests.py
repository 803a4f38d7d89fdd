"""Request bodies over their limit and JSON nested too deep: an answer in the caller's shape, never a 500."""

import io
import json

import pytest
from django.test import Client
from rest_framework.test import APIClient

from yiyang.core import limits
from yiyang.core.testing import national_id
from yiyang.elders.models import Elder

pytestmark = pytest.mark.django_db


def api(world, user="street0"):
    client = APIClient()
    client.force_authenticate(world.users[user])
    return client


def elder_body(world, seq=401, **extra):
    return {
        "name": "限值",
        "national_id": national_id(seq),
        "community": str(world.communities[0][0].public_id),
        **extra,
    }


def test_a_3mb_json_field_is_a_413_in_the_api_error_shape(world):
    response = api(world).post("/api/v1/elders/", elder_body(world, name="长" * (3 * 1024 * 1024)), format="json")
    assert response.status_code == 413
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["status"] == 413
    assert [(e["field"], e["code"]) for e in body["errors"]] == [("__all__", "body_too_large")]
    assert str(limits.limit("YIYANG_MAX_REQUEST_BODY_BYTES")) in body["errors"][0]["reason"]
    assert len(response.content) < 1000
    assert not Elder.objects.filter(national_id=national_id(401)).exists()


def test_a_body_django_refuses_lazily_is_the_same_413(world, settings):
    # Content-Length under our limit, Django's own smaller one hit when the view reads the body
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = api(world).post("/api/v1/elders/", elder_body(world, notes="x" * 2000), format="json")
    assert response.status_code == 413
    assert response.json()["errors"][0]["code"] == "body_too_large"


def test_a_big_form_post_to_a_page_is_an_html_413_page(world):
    client = Client()
    response = client.post("/login/", {"username": "street0", "password": "x" * (3 * 1024 * 1024)})
    assert response.status_code == 413
    assert response["Content-Type"].startswith("text/html")
    assert b'data-testid="request-rejected"' in response.content
    assert b"RequestDataTooBig" not in response.content


def test_an_upload_may_be_larger_than_a_body_but_not_than_the_upload_limit(world, settings):
    settings.YIYANG_MAX_UPLOAD_BYTES = 100_000
    client = api(world)
    small = io.BytesIO(b"x" * 50_000)
    small.name = "a.xlsx"
    big = io.BytesIO(b"x" * 200_000)
    big.name = "a.xlsx"
    assert client.post("/api/v1/elders/import/", {"file": small}, format="multipart").status_code != 413
    response = client.post("/api/v1/elders/import/", {"file": big}, format="multipart")
    assert response.status_code == 413
    assert "100000" in response.json()["errors"][0]["reason"]


def test_a_chunked_body_without_content_length_is_bounded(settings):
    # Under WSGI Django reads nothing without Content-Length; under ASGI the stream is the whole body.
    from io import BytesIO

    from django.http import HttpResponse
    from django.test import RequestFactory

    from yiyang.core.middleware import RequestLimitsMiddleware

    settings.YIYANG_MAX_REQUEST_BODY_BYTES = 1000
    seen = []
    middleware = RequestLimitsMiddleware(lambda request: seen.append(request.body) or HttpResponse("ok"))

    def chunked(size):
        request = RequestFactory().generic(
            "POST", "/api/v1/elders/", b"", content_type="application/json", HTTP_TRANSFER_ENCODING="chunked"
        )
        request.META.pop("CONTENT_LENGTH", None)
        request._stream = BytesIO(b"x" * size)
        return request

    refused = middleware(chunked(5000))
    assert refused.status_code == 413 and json.loads(refused.content)["errors"][0]["code"] == "body_too_large"
    assert seen == []
    assert middleware(chunked(1000)).status_code == 200
    assert seen == [b"x" * 1000]


def test_json_nested_100000_deep_is_a_400_naming_the_limit(world):
    payload = b"[" * 100_000 + b"]" * 100_000
    response = api(world).generic("POST", "/api/v1/elders/", payload, content_type="application/json")
    assert response.status_code == 400
    body = response.json()
    assert [(e["field"], e["code"]) for e in body["errors"]] == [("__all__", "json_too_deep")]
    assert str(limits.limit("YIYANG_MAX_JSON_DEPTH")) in body["errors"][0]["reason"]


def test_json_just_past_our_own_depth_limit_is_refused_and_at_it_accepted(world, settings):
    settings.YIYANG_MAX_JSON_DEPTH = 5
    client = api(world)
    deep = {"a": [[[[{"b": 1}]]]]}  # 6 levels
    response = client.post("/api/v1/elders/", {**elder_body(world), "x": deep}, format="json")
    assert response.status_code == 400 and response.json()["errors"][0]["code"] == "json_too_deep"
    response = client.post("/api/v1/elders/", {**elder_body(world), "x": [[[1]]]}, format="json")
    assert response.status_code == 201


def test_nan_and_broken_json_are_a_400_not_a_500(world):
    client = api(world)
    for payload in (b'{"name": NaN}', b'{"name": ', b"\xff\xfe"):
        response = client.generic("POST", "/api/v1/elders/", payload, content_type="application/json")
        assert response.status_code == 400, payload


def test_loads_json_checks_depth_without_recursion():
    assert limits.json_depth_exceeds([[[]]], 2) is True
    assert limits.json_depth_exceeds([[[]]], 3) is False
    assert limits.json_depth_exceeds(1, 0) is False
    with pytest.raises(limits.JsonTooDeep):
        limits.loads_json(b"[" * 2000 + b"]" * 2000)
