"""No preselected answer for a fact that must be asked, beyond the elder form
(yiyang/elders/tests/web/test_elder_form_no_preselection.py): an assessment's reason and an
organisation's kind start on "please choose"; a form sent without them is refused at that field
(is-invalid, the error beside it) and nothing is saved."""

import re

import pytest

from yiyang.assessments.models import Assessment
from yiyang.assessments.tests.support import GBT, gbt_answers, page_client
from yiyang.assessments.tests.web.test_form_pages import form_post, new_url
from yiyang.core.testing import grant_permissions
from yiyang.organisations.models import Organisation
from yiyang.organisations.tests.web.test_organisation_form_pages import new_station

pytestmark = pytest.mark.django_db


def select_of(html: str, name: str) -> str:
    match = re.search(rf'<select name="{name}".*?</select>', html, re.S)
    assert match, name
    return match.group(0)


def selected_values(select: str) -> list[str]:
    return re.findall(r'<option value="([^"]*)"[^>]*selected', select)


def test_a_new_assessment_has_no_reason_chosen(world):
    html = page_client(world.users["street0"]).get(new_url(world, GBT)).content.decode()
    assert selected_values(select_of(html, "reason")) == [""]


def test_an_assessment_sent_without_a_reason_is_refused_at_that_field(world):
    before = Assessment.objects.count()
    response = page_client(world.users["street0"]).post(new_url(world, GBT), form_post(gbt_answers(1), reason=""))
    html = response.content.decode()
    assert response.status_code in (200, 400)
    assert Assessment.objects.count() == before
    assert re.findall(r'data-testid="error-reason">([^<]*)<', html) == ["请选择评估原因"]
    assert "is-invalid" in select_of(html, "reason")


def test_a_new_organisation_has_no_kind_chosen(world):
    officer = grant_permissions(world.users["street0"], "organisations.change")
    html = page_client(officer).get("/organisations/new/").content.decode()
    assert selected_values(select_of(html, "kind")) == [""]


def test_an_organisation_sent_without_a_kind_is_refused_at_that_field(world):
    officer = grant_permissions(world.users["street0"], "organisations.change")
    response = page_client(officer).post("/organisations/new/", new_station(world, kind=""))
    html = response.content.decode()
    assert not Organisation.objects.filter(name="新建养老服务站").exists()
    assert re.findall(r'data-testid="error-kind">([^<]*)<', html)
    assert "is-invalid" in select_of(html, "kind")


def test_a_new_device_has_no_kind_or_protocol_chosen(world):
    html = page_client(world.users["street0"]).get("/devices/new/").content.decode()
    for name in ("kind", "protocol"):
        assert selected_values(select_of(html, name)) == [""]


def test_a_device_sent_without_kind_and_protocol_is_refused_at_those_fields(world):
    from yiyang.devices.models import Device

    response = page_client(world.users["street0"]).post(
        "/devices/new/", {"kind": "", "protocol": "", "identifier": "NEW-1"}
    )
    html = response.content.decode()
    assert not Device.objects.filter(identifier="NEW-1").exists()
    for name in ("kind", "protocol"):
        assert re.findall(rf'data-testid="error-{name}">([^<]*)<', html)
        assert "is-invalid" in select_of(html, name)
