"""Exporting the elder list to Excel: the list's filters and reach, masked identifiers, an audit
event without personal values, and a cap."""

import io

import pytest
from django.utils import timezone
from openpyxl import load_workbook
from rest_framework.test import APIClient

from yiyang.audit.models import AuditEvent
from yiyang.core.masking import mask_national_id, mask_phone
from yiyang.elders.roster import EXPORT_HEADERS
from yiyang.elders.selectors import age_on
from yiyang.elders.services import roster_io

pytestmark = pytest.mark.django_db

EXPORT_URL = "/api/v1/elders/export/"


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def sheet_rows(response) -> list[list]:
    wb = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    return [list(row) for row in wb.worksheets[0].iter_rows(values_only=True)]


def test_export_holds_the_elders_in_reach_with_id_and_phone_masked(world):
    # given
    client = client_for(world.users["street0"])
    elder0, resident0 = world.elders["elder0"], world.elders["resident0"]
    # when
    response = client.get(EXPORT_URL)
    # then
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"].startswith('attachment; filename="')
    assert "filename*=UTF-8''%E8%80%81%E5%B9%B4%E4%BA%BA%E5%90%8D%E5%8D%95-" in response["Content-Disposition"]
    rows = sheet_rows(response)
    assert rows[0] == EXPORT_HEADERS
    by_name = {row[0]: row for row in rows[1:]}
    assert set(by_name) == {elder0.name, resident0.name}  # street 1's elders are not in reach
    row = by_name[elder0.name]
    assert row[1:5] == [
        "男",
        age_on(elder0.birth_date, timezone.localdate()),
        mask_national_id(elder0.national_id),
        mask_phone(elder0.phone),
    ]
    assert row[5:7] == [world.streets[0].name, world.communities[0][0].name]
    cells = [str(value) for r in rows for value in r]
    for elder in world.elders.values():
        assert elder.national_id not in cells
        assert elder.phone not in cells


def test_export_uses_the_list_filters_and_audits_count_and_filters_without_personal_values(world):
    # given
    elder0 = world.elders["elder0"]
    elder0.economic_status = "dibao"
    elder0.save(update_fields=["economic_status"])
    client = client_for(world.users["street0"])
    # when
    response = client.get(EXPORT_URL, {"economic_status": "dibao", "q": elder0.name[:3]})
    # then
    rows = sheet_rows(response)
    assert [row[0] for row in rows[1:]] == [elder0.name]
    event = AuditEvent.objects.get(action="export")
    assert event.actor == world.users["street0"]
    assert event.summary == (
        "导出老年人列表1行（符合条件共1行）；筛选：按姓名/身份证号/电话搜索（内容不记录），经济状况=dibao"
    )
    assert elder0.name[:3] not in event.summary
    assert event.district == world.district
    assert "national_id_masked" in event.fields


def test_street_filter_is_audited_by_area_code(world):
    client = client_for(world.users["bureau"])

    response = client.get(EXPORT_URL, {"street": str(world.streets[1].public_id)})

    assert [row[0] for row in sheet_rows(response)[1:]] == [world.elders["resident1"].name, world.elders["elder1"].name]
    assert AuditEvent.objects.get(action="export").summary.endswith("筛选：街道=350206002")


def test_export_over_the_cap_is_cut_and_says_so_in_a_last_row(world, monkeypatch):
    # given
    monkeypatch.setattr(roster_io, "EXPORT_MAX_ROWS", 1)
    client = client_for(world.users["bureau"])
    # when
    response = client.get(EXPORT_URL)
    # then
    rows = sheet_rows(response)
    assert len(rows) == 3  # header, one elder, the note
    assert rows[2][0] == "（已截断：共4行，仅导出前1行；请缩小筛选范围后分批导出）"
    assert AuditEvent.objects.get(action="export").summary.startswith("导出老年人列表1行（符合条件共4行）")


def test_invalid_filter_is_a_400_naming_the_field_and_nothing_is_audited(world):
    client = client_for(world.users["street0"])

    response = client.get(EXPORT_URL, {"age_band": "200+"})

    assert response.status_code == 400
    assert [e["field"] for e in response.json()["errors"]] == ["age_band"]
    assert not AuditEvent.objects.filter(action="export").exists()


@pytest.mark.parametrize(
    ("username", "status", "rows"),
    [
        (None, 401, None),
        ("street0_readonly", 403, None),
        ("street0_noright", 403, None),
        ("street1", 200, {"elder1老人", "resident1老人"}),
        ("street0", 200, {"elder0老人", "resident0老人"}),
    ],
)
def test_export_permissions(world, username, status, rows):
    client = client_for(world.users[username]) if username else APIClient()

    response = client.get(EXPORT_URL)

    assert response.status_code == status
    if rows is None:
        assert not AuditEvent.objects.filter(action="export").exists()
    else:
        assert {row[0] for row in sheet_rows(response)[1:]} == rows
        assert AuditEvent.objects.filter(action="export").count() == 1
