"""The register and edit pages: they only shape input, call the services and show each problem the
service finds next to its input."""

import re
from decimal import Decimal

import pytest

from yiyang.audit.models import AuditEvent
from yiyang.organisations.credit_code import make_credit_code
from yiyang.organisations.models import Admission, Organisation
from yiyang.organisations.tests.support import grant, organisation_form_data, page_client, snapshot

pytestmark = pytest.mark.django_db

CREATE_URL = "/organisations/new/"


def edit_url(organisation: Organisation) -> str:
    return f"/organisations/{organisation.public_id}/edit/"


def text_of(response) -> str:
    return response.content.decode()


def error_of(html: str, field: str) -> list[str]:
    return re.findall(rf'<div class="invalid-feedback d-block" data-testid="error-{field}">([^<]*)</div>', html)


@pytest.fixture
def officer(world):
    """A street-0 official granted the right to register and edit organisations."""
    return grant(world.users["street0"], "organisations.change")


def new_station(world, **overrides) -> dict[str, str]:
    data = {
        "kind": "station",
        "name": "新建养老服务站",
        "area": str(world.communities[0][1].public_id),
        "address": "某路1号",
        "latitude": "24.479800",
        "longitude": "118.089400",
        "credit_code": make_credit_code("5235020" + "0MJ1234567"),
        "ownership": "public_private",
        "is_integrated_care": "on",
        "hospital_grade": "",
        "contact_name": "王主任",
        "contact_phone": "0592-5551234",
    }
    data.update(overrides)
    return data


# register ---------------------------------------------------------------------------------------


def test_register_writes_the_organisation_with_street_and_district_derived(world, officer):
    # when
    response = page_client(officer).post(CREATE_URL, new_station(world), follow=True)
    # then
    organisation = Organisation.objects.get(name="新建养老服务站")
    assert response.redirect_chain == [(f"/organisations/{organisation.public_id}/", 302)]
    assert "已登记机构“新建养老服务站”。" in text_of(response)
    assert (organisation.kind, organisation.area, organisation.street, organisation.district) == (
        "station", world.communities[0][1], world.streets[0], world.district,
    )  # fmt: skip
    assert (organisation.latitude, organisation.longitude) == (Decimal("24.4798"), Decimal("118.0894"))
    assert (organisation.ownership, organisation.is_integrated_care, organisation.status) == (
        "public_private", True, "open",
    )  # fmt: skip
    assert (organisation.contact_name, organisation.contact_phone) == ("王主任", "0592-5551234")
    event = AuditEvent.objects.exclude(action="view").get(entity_id=str(organisation.public_id))
    assert (event.action, event.entity_type, event.actor) == ("create", "organisation", officer)
    assert "credit_code" in event.fields and "latitude" in event.fields


def test_a_care_centre_is_registered_at_its_street(world, officer):
    response = page_client(officer).post(
        CREATE_URL, new_station(world, kind="care_centre", name="新照料中心", area=str(world.streets[0].public_id))
    )
    organisation = Organisation.objects.get(name="新照料中心")
    assert response.status_code == 302
    assert (organisation.area, organisation.street) == (world.streets[0], world.streets[0])


def test_register_form_offers_the_areas_in_reach_grouped_by_street(world, officer):
    # when
    response = page_client(officer).get(CREATE_URL)
    # then
    assert response.status_code == 200
    html = text_of(response)
    group = re.search(r'<optgroup label="第1街道">(.*?)</optgroup>', html, re.S).group(1)
    assert f'value="{world.streets[0].public_id}" data-level="street"' in group
    assert f'value="{world.communities[0][0].public_id}" data-level="community"' in group
    assert f'value="{world.communities[0][1].public_id}" data-level="community"' in group
    assert "第2街道" not in html
    assert 'name="status"' not in html  # a new organisation is open


def test_register_shows_every_error_next_to_its_input_and_writes_nothing(world, officer):
    # given
    before = snapshot()
    bad = new_station(
        world,
        kind="care_centre",  # at a community: wrong level
        name="",
        hospital_grade="3A",
        credit_code="123",
        contact_phone="12345",
        latitude="north",
        longitude="",
    )
    # when
    response = page_client(officer).post(CREATE_URL, bad)
    # then
    assert response.status_code == 400
    html = text_of(response)
    assert 'data-testid="form-errors"' in html
    assert error_of(html, "name") == ["名称不能为空"]
    assert error_of(html, "area") == ["照料中心应设在街道一级"]
    assert error_of(html, "hospital_grade") == ["只有医院可以填写医院等级"]
    assert error_of(html, "credit_code") == ["统一社会信用代码应为18位数字或大写字母（不含I、O、S、V、Z）"]
    assert error_of(html, "contact_phone") == ["电话号码格式不正确（手机号11位，以1开头；座机如0592-1234567）"]
    assert error_of(html, "latitude") == [
        "纬度应为以度为单位的数字，如 24.4798"
    ]  # the form's own reading, not a second error
    assert 'value="12345"' in html  # what was typed stays
    assert snapshot() == before


def test_register_in_an_area_out_of_reach_is_an_error_on_the_area(world, officer):
    before = snapshot()
    response = page_client(officer).post(CREATE_URL, new_station(world, area=str(world.communities[1][0].public_id)))
    assert response.status_code == 400
    assert error_of(text_of(response), "area") == ["区域不存在或不在您的辖区内"]
    assert snapshot() == before


def test_register_without_an_area_or_with_a_malformed_one(world, officer):
    html = text_of(page_client(officer).post(CREATE_URL, new_station(world, area="")))
    assert error_of(html, "area") == ["所在区域不能为空"]
    html = text_of(page_client(officer).post(CREATE_URL, new_station(world, area="not-a-uuid")))
    assert error_of(html, "area") == ["区域不存在或不在您的辖区内"]
    assert not Organisation.objects.filter(name="新建养老服务站").exists()


# edit -------------------------------------------------------------------------------------------


def test_edit_shows_the_stored_values(world, officer):
    response = page_client(officer).get(edit_url(world.orgs["institution0"]))
    assert response.status_code == 200
    html = text_of(response)
    assert 'value="institution0机构"' in html
    assert 'value="L0"' in html
    assert f'<option value="{world.communities[0][0].public_id}" selected data-level="community">' in html
    assert re.search(r'<input type="checkbox" name="is_integrated_care"[^>]* checked>', html)
    assert 'name="status"' in html


def test_edit_changes_what_changed_and_audits_the_field_names(world, officer):
    # given
    institution = world.orgs["institution0"]
    data = organisation_form_data(
        institution,
        area=str(world.communities[0][1].public_id),
        contact_phone="13800001234",
        hospital_grade="",
        status="suspended",
    )
    # when
    response = page_client(officer).post(edit_url(institution), data, follow=True)
    # then
    assert response.redirect_chain == [(f"/organisations/{institution.public_id}/", 302)]
    assert "已保存。" in text_of(response)
    institution.refresh_from_db()
    assert (institution.area, institution.street, institution.contact_phone, institution.status) == (
        world.communities[0][1], world.streets[0], "13800001234", "suspended",
    )  # fmt: skip
    assert (institution.name, institution.licence_number, institution.is_integrated_care) == (
        "institution0机构", "L0", True,
    )  # fmt: skip
    event = AuditEvent.objects.get(action="change", entity_id=str(institution.public_id))
    assert event.fields == ["area", "contact_phone", "status"]


def test_edit_without_changes_writes_nothing(world, officer):
    institution = world.orgs["institution0"]
    before = snapshot()
    response = page_client(officer).post(edit_url(institution), organisation_form_data(institution), follow=True)
    assert "没有修改。" in text_of(response)
    assert snapshot() == before


def test_edit_shows_every_error_and_writes_nothing(world, officer):
    # given: resident0 still stays at institution0, so it cannot be closed
    institution = world.orgs["institution0"]
    assert Admission.objects.filter(organisation=institution, discharged_on__isnull=True).exists()
    before = snapshot()
    data = organisation_form_data(institution, kind="station", licence_number="", status="closed", longitude="east")
    # when
    response = page_client(officer).post(edit_url(institution), data)
    # then
    assert response.status_code == 400
    html = text_of(response)
    assert error_of(html, "kind") == ["该机构已有床位，不能改为不设床位的类型"]
    assert error_of(html, "status") == ["仍有老人入住，办理离院后才能关闭机构"]
    assert error_of(html, "longitude") == ["经度应为以度为单位的数字，如 118.0894"]
    assert snapshot() == before
    institution.refresh_from_db()
    assert (institution.kind, institution.status, institution.licence_number) == ("institution", "open", "L0")
    assert 'data-testid="organisation-name"' not in html


def test_an_unreadable_input_does_not_let_the_rest_be_saved(world, officer):
    # The other changes are valid: they are checked, but not written while latitude cannot be read.
    institution = world.orgs["institution0"]
    before = snapshot()
    data = organisation_form_data(institution, contact_name="新联系人", latitude="x", longitude="118.1")
    response = page_client(officer).post(edit_url(institution), data)
    assert response.status_code == 400
    assert error_of(text_of(response), "latitude") == ["纬度应为以度为单位的数字，如 24.4798"]
    assert 'value="新联系人"' in text_of(response)
    institution.refresh_from_db()
    assert institution.contact_name == ""
    assert snapshot() == before


# buttons ----------------------------------------------------------------------------------------


def test_register_and_edit_buttons_only_with_the_right(world, officer):
    detail = f"/organisations/{world.orgs['station0'].public_id}/"
    with_right, without = page_client(officer), page_client(world.users["street0_readonly"])
    assert f'data-testid="create-link" href="{CREATE_URL}"' in text_of(with_right.get("/organisations/"))
    assert f'data-testid="edit-link" href="{edit_url(world.orgs["station0"])}"' in text_of(with_right.get(detail))
    assert 'data-testid="create-link"' not in text_of(without.get("/organisations/"))
    assert 'data-testid="edit-link"' not in text_of(without.get(detail))
