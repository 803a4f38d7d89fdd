"""Dates in query parameters: one parser, a 400 naming the parameter and the accepted range, never a 500."""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from yiyang.core import limits
from yiyang.core.errors import ValidationFailed

pytestmark = pytest.mark.django_db

SLA_API = "/api/v1/alerts/sla/"
AUDIT_API = "/api/v1/audit-events/"


def api(world):
    client = APIClient()
    client.force_authenticate(world.users["bureau"])
    return client


def page(world):
    client = Client()
    client.force_login(world.users["bureau"])
    return client


def assert_names(response, field, code="date_out_of_range"):
    body = response.json()
    assert response.status_code == 400, body
    assert [(e["field"], e["code"]) for e in body["errors"]] == [(field, code)]
    assert "1900-01-01" in body["errors"][0]["reason"] and "2100-12-31" in body["errors"][0]["reason"]


@pytest.mark.parametrize(("url", "param", "value"), [
    (SLA_API, "end", "9999-12-31"),
    (SLA_API, "start", "0001-01-01"),
    (AUDIT_API, "until", "9999-12-31"),
    (AUDIT_API, "since", "0001-01-01"),
])  # fmt: skip
def test_dates_out_of_range_in_the_api_are_a_400_naming_the_parameter(world, url, param, value):
    assert_names(api(world).get(url, {param: value}), param)


def test_a_date_that_is_not_a_date_names_the_parameter_and_range(world):
    assert_names(api(world).get(SLA_API, {"start": "yesterday"}), "start", "invalid_date")


@pytest.mark.parametrize(("url", "param", "value"), [
    ("/alerts/sla/", "end", "9999-12-31"),
    ("/alerts/sla/", "start", "0001-01-01"),
    ("/audit/", "until", "9999-12-31"),
    ("/audit/", "since", "0001-01-01"),
    ("/audit/export/", "until", "9999-12-31"),
    ("/audit/export/", "since", "0001-01-01"),
])  # fmt: skip
def test_dates_out_of_range_in_pages_and_exports_are_a_400_page_naming_the_parameter(world, url, param, value):
    response = page(world).get(url, {param: value})
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    text = response.content.decode()
    assert 'data-testid="request-rejected"' in text and f"<code>{param}</code>" in text and "2100-12-31" in text


def test_the_sla_range_is_bounded_in_length_and_order(world, settings):
    settings.YIYANG_MAX_DATE_RANGE_DAYS = 31
    client = api(world)
    too_long = client.get(SLA_API, {"start": "2025-01-01", "end": "2025-03-01"})
    backwards = client.get(SLA_API, {"start": "2025-03-01", "end": "2025-01-01"})
    fine = client.get(SLA_API, {"start": "2025-01-01", "end": "2025-01-31"})
    assert [(e["field"], e["code"]) for e in too_long.json()["errors"]] == [("end", "date_range_too_long")]
    assert "31" in too_long.json()["errors"][0]["reason"]
    assert [(e["field"], e["code"]) for e in backwards.json()["errors"]] == [("end", "date_order")]
    assert fine.status_code == 200
    assert page(world).get("/alerts/sla/", {"start": "2025-01-01", "end": "2025-03-01"}).status_code == 400


def test_in_range_dates_still_work_in_pages(world):
    assert page(world).get("/alerts/sla/", {"start": "2025-01-01", "end": "2025-01-31"}).status_code == 200
    assert page(world).get("/audit/", {"since": "2025-01-01", "until": "2025-01-31"}).status_code == 200


def test_parse_date_accepts_blank_and_the_bounds():
    assert limits.parse_date("d", "") is None
    assert limits.parse_date("d", None) is None
    assert str(limits.parse_date("d", "1900-01-01")) == "1900-01-01"
    assert str(limits.parse_date("d", " 2100-12-31 ")) == "2100-12-31"
    with pytest.raises(ValidationFailed) as caught:
        limits.parse_date("d", "2101-01-01")
    assert caught.value.errors[0].field == "d"
