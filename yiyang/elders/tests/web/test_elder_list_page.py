"""The elder list page: reach, masked identifiers, search and filters, HTMX partial, pagination,
and the export button keeping the filters."""

import io
from datetime import date

import pytest
from django.test import Client
from openpyxl import load_workbook

from yiyang.audit.models import AuditEvent
from yiyang.core.masking import mask_national_id, mask_phone
from yiyang.core.testing import national_id
from yiyang.elders.models import Elder

pytestmark = pytest.mark.django_db

LIST_URL = "/elders/"
EXPORT_URL = "/elders/export/"


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_list_shows_elders_in_reach_with_id_and_phone_masked_never_in_full(world):
    # given
    client = client_for(world.users["street0"])
    elder0 = world.elders["elder0"]
    # when
    response = client.get(LIST_URL)
    # then
    assert response.status_code == 200
    html = response.content.decode()
    assert "共 2 人" in html
    assert f'<span class="masked" data-testid="national-id">{mask_national_id(elder0.national_id)}</span>' in html
    assert f'<span class="masked" data-testid="phone">{mask_phone(elder0.phone)}</span>' in html
    assert f'href="/elders/{elder0.public_id}/">{elder0.name}</a>' in html
    for elder in world.elders.values():
        assert elder.national_id not in html
        assert elder.phone not in html
    assert world.elders["elder1"].name not in html
    # Filters offer only the streets and communities in reach.
    assert world.communities[0][1].name in html
    assert world.streets[1].name not in html
    # A list is an audited read too: one event naming the rows shown, no values.
    [event] = AuditEvent.objects.filter(action="view")
    assert event.entity_type == "elder" and str(elder0.public_id) in event.record_ids
    assert elder0.national_id not in event.summary and elder0.name not in event.summary


def test_search_by_name_prefix_and_filters(world):
    # given
    client = client_for(world.users["bureau"])
    resident0 = world.elders["resident0"]
    resident0.living_arrangement = "alone"
    resident0.save(update_fields=["living_arrangement"])
    # when
    by_name = client.get(LIST_URL, {"q": "elder"})
    alone = client.get(LIST_URL, {"living_alone": "1"})
    street1 = client.get(LIST_URL, {"street": str(world.streets[1].public_id)})
    nineties = client.get(LIST_URL, {"age_band": "90-99"})
    # then
    assert "共 2 人" in by_name.content.decode()
    assert world.elders["resident0"].name not in by_name.content.decode()
    assert "共 1 人" in alone.content.decode()
    assert resident0.name in alone.content.decode()
    assert "共 2 人" in street1.content.decode()
    assert world.elders["elder0"].name not in street1.content.decode()
    assert "共 0 人" in nineties.content.decode()


def test_invalid_filter_values_are_ignored_with_a_message(world):
    client = client_for(world.users["street0"])

    response = client.get(LIST_URL, {"age_band": "200+", "economic_status": "dibao"})

    assert response.status_code == 200
    html = response.content.decode()
    assert "筛选条件“年龄段”的值无效，已忽略。" in html
    assert "共 0 人" in html  # economic_status=dibao still applies: nobody is on dibao


@pytest.mark.parametrize("value", ["not-a-uuid", "00000000-0000-4000-8000-000000000000"])
def test_a_malformed_or_unknown_area_filter_answers_404(world, value):
    # Not "ignored with a note": the whole reach listed under a filter the user believes applied.
    response = client_for(world.users["street0"]).get(LIST_URL, {"community": value})
    assert response.status_code == 404


def test_community_of_another_street_cannot_be_used_as_filter(world):
    client = client_for(world.users["street0"])

    response = client.get(LIST_URL, {"community": str(world.communities[1][0].public_id)})

    assert response.status_code == 404
    assert world.elders["elder1"].name not in response.content.decode()


def test_htmx_request_gets_only_the_table(world):
    client = client_for(world.users["street0"])

    response = client.get(LIST_URL, {"q": "elder"}, headers={"HX-Request": "true"})

    html = response.content.decode()
    assert html.lstrip().startswith('<div id="elder-table" hx-history="false">')
    assert "<html" not in html
    assert "共 1 人" in html
    assert "HX-Request" in response["Vary"]
    assert 'href="/elders/export/?q=elder"' in html


def test_full_page_carries_the_htmx_form(world):
    response = client_for(world.users["street0"]).get(LIST_URL)

    html = response.content.decode()
    assert 'hx-get="/elders/"' in html
    assert 'hx-target="#elder-table"' in html
    assert 'hx-push-url="true"' in html
    assert 'name="q"' in html


def test_pagination_by_20(world):
    # given: 23 more elders in street 0
    community = world.communities[0][1]
    Elder.objects.bulk_create(
        Elder(
            name=f"批量{i:02d}",
            national_id=national_id(300 + i),
            birth_date=date(1950, 3, 15),
            sex="M",
            community=community,
            street=world.streets[0],
            district=world.district,
        )
        for i in range(23)
    )
    client = client_for(world.users["street0"])
    # when
    first = client.get(LIST_URL).content.decode()
    second = client.get(LIST_URL, {"page": 2}).content.decode()
    # then
    assert "共 25 人" in first
    assert first.count('data-testid="national-id"') == 20
    assert second.count('data-testid="national-id"') == 5
    assert "第 2 / 2 页" in second


def test_export_button_keeps_the_filters_and_is_shown_only_with_the_right(world):
    with_right = client_for(world.users["street0"]).get(LIST_URL, {"economic_status": "dibao"}).content.decode()
    without = client_for(world.users["street0_readonly"]).get(LIST_URL).content.decode()

    assert 'href="/elders/export/?economic_status=dibao"' in with_right
    assert "导出Excel" not in without


def test_web_export_keeps_filters_masks_and_audits(world):
    # given
    elder0 = world.elders["elder0"]
    client = client_for(world.users["street0"])
    # when
    response = client.get(EXPORT_URL, {"q": elder0.name, "age_band": "bogus"})
    # then
    assert response.status_code == 200
    rows = list(
        load_workbook(io.BytesIO(b"".join(response.streaming_content))).worksheets[0].iter_rows(values_only=True)
    )
    assert [(r[0], r[3]) for r in rows[1:]] == [(elder0.name, mask_national_id(elder0.national_id))]
    event = AuditEvent.objects.get(action="export")
    assert event.summary == "导出老年人列表1行（符合条件共1行）；筛选：按姓名/身份证号/电话搜索（内容不记录）"


@pytest.mark.parametrize(
    ("username", "count"),
    [("street0_readonly", 2), ("street1", 2), ("street0", 2)],
)
def test_list_permissions(world, username, count):
    response = client_for(world.users[username]).get(LIST_URL)

    assert response.status_code == 200
    assert f"共 {count} 人" in response.content.decode()


def test_list_without_the_view_right_is_refused(world):
    response = client_for(world.users["street0_noright"]).get(LIST_URL)
    assert response.status_code == 403


def test_anonymous_is_sent_to_login(world):
    client = Client()

    list_page = client.get(LIST_URL)
    export = client.get(EXPORT_URL)

    assert (list_page.status_code, list_page["Location"]) == (302, "/login/?next=/elders/")
    assert (export.status_code, export["Location"]) == (302, "/login/?next=/elders/export/")


@pytest.mark.parametrize(("username", "status"), [("street0_readonly", 403), ("street0_noright", 403)])
def test_export_without_the_right_is_refused_and_not_audited(world, username, status):
    response = client_for(world.users[username]).get(EXPORT_URL)

    assert response.status_code == status
    assert not AuditEvent.objects.filter(action="export").exists()
