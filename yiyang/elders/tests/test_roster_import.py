"""Importing an Excel roster: all rows or none, every problem named by its Excel row and field."""

import io
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook
from rest_framework.test import APIClient

from yiyang.audit.models import ACCESS_ACTIONS, AuditEvent
from yiyang.core.errors import ValidationFailed
from yiyang.core.testing import national_id
from yiyang.elders.models import Elder
from yiyang.elders.roster import HEADERS, NUMERIC_ID_REASON
from yiyang.elders.services import elder_roster_import

pytestmark = pytest.mark.django_db

IMPORT_URL = "/api/v1/elders/import/"
TEMPLATE_URL = "/api/v1/elders/import/template/"


def make_xlsx(headers, rows, name="花名册.xlsx") -> SimpleUploadedFile:
    """An uploaded .xlsx whose first sheet holds `headers` then `rows` (lists of cell values)."""
    wb = Workbook()
    ws = wb.active
    ws.append(headers)
    for row in rows:
        ws.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="application/octet-stream")


def line(**cells) -> dict:
    """A valid roster line for street 0's second community, with `cells` (by header) replaced."""
    values = {
        "姓名": "王秀英",
        "身份证号": national_id(201),
        "手机号": "13912345678",
        "社区": "350206001002",
        "户籍类型": "户籍",
        "经济状况": "低保",
        "居住状况": "独居",
        "特殊身份": "孤老、残疾",
        "出生日期": "1950-03-15",
        "性别": "男",
        "紧急联系人": "王强",
        "联系人关系": "儿子",
        "联系人电话": "13800001111",
        "同意监测": "是",
        "备注": "",
    }
    values.update(cells)
    return values


def roster(*lines_: dict) -> SimpleUploadedFile:
    return make_xlsx(HEADERS, [[values[h] for h in HEADERS] for values in lines_])


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def problems(response) -> list[tuple[int | None, str]]:
    return [(e.get("row"), e["field"]) for e in response.json()["errors"]]


def test_roster_is_imported_with_derived_fields_contacts_and_one_audit_event(world):
    # given
    client = client_for(world.users["street0"])
    before_events = AuditEvent.objects.exclude(action__in=ACCESS_ACTIONS).count()
    upload = roster(
        line(),
        line(
            **{
                "姓名": "李桂兰",
                "身份证号": national_id(202),
                "社区": "第1街道第1社区",
                "性别": "女",
                "出生日期": "",
                "经济状况": "",
                "居住状况": "空巢",
                "特殊身份": "",
                "紧急联系人": "",
                "联系人关系": "",
                "联系人电话": "",
                "同意监测": "",
                "户籍类型": "常住",
            }
        ),
    )
    # when
    response = client.post(IMPORT_URL, {"file": upload}, format="multipart")
    # then
    assert response.status_code == 201, response.json()
    assert response.json() == {"created": 2}
    first = Elder.objects.get(national_id=national_id(201))
    assert (first.name, first.sex, first.birth_date) == ("王秀英", "M", date(1950, 3, 15))
    assert (first.community, first.street, first.district) == (
        world.communities[0][1],
        world.streets[0],
        world.district,
    )
    assert (first.economic_status, first.living_arrangement, first.household_registration) == (
        "dibao",
        "alone",
        "registered",
    )
    assert first.special_statuses == ["disabled", "orphaned"]
    assert first.monitoring_consent is True
    assert first.monitoring_consent_at is not None
    assert [(c.name, c.relation, c.phone, c.priority) for c in first.emergency_contacts.all()] == [
        ("王强", "儿子", "13800001111", 1)
    ]
    second = Elder.objects.get(national_id=national_id(202))
    assert (second.sex, second.community, second.economic_status, second.living_arrangement) == (
        "F",
        world.communities[0][0],
        "ordinary",
        "empty_nest",
    )
    assert (second.household_registration, second.monitoring_consent) == ("resident", False)
    assert second.emergency_contacts.count() == 0
    assert AuditEvent.objects.exclude(action__in=ACCESS_ACTIONS).count() == before_events + 1
    event = AuditEvent.objects.get(action="import")
    assert (event.actor, event.entity_type, event.summary) == (
        world.users["street0"],
        "elder",
        "导入老年人花名册：新增2人",
    )
    assert event.district == world.district
    assert national_id(201) not in event.summary


BAD_LINES = [
    pytest.param(
        {"身份证号": national_id(203)[:17] + ("0" if national_id(203)[17] != "0" else "1")},
        "national_id",
        "national_id_invalid",
        id="invalid-check-digit",
    ),
    pytest.param({"身份证号": national_id(11)}, "national_id", "duplicate", id="already-registered"),
    pytest.param({"身份证号": national_id(201)}, "national_id", "duplicate_in_file", id="duplicate-in-file"),
    pytest.param({"出生日期": "1951-03-15"}, "birth_date", "contradicts_national_id", id="birth-date-contradicts-id"),
    pytest.param({"性别": "女"}, "sex", "contradicts_national_id", id="sex-contradicts-id"),
    pytest.param({"社区": "不存在的社区"}, "community", "not_found", id="unknown-community"),
    pytest.param({"社区": "350206002001"}, "community", "not_found", id="community-of-another-street"),
    pytest.param({"社区": ""}, "community", "required", id="community-missing"),
    pytest.param({"经济状况": "富裕"}, "economic_status", "invalid_choice", id="bad-economic-status"),
    pytest.param({"居住状况": "流浪"}, "living_arrangement", "invalid_choice", id="bad-living-arrangement"),
    pytest.param({"特殊身份": "孤老、名人"}, "special_statuses", "invalid_choice", id="bad-special-status"),
    pytest.param({"手机号": "12345"}, "phone", "invalid", id="bad-phone"),
    pytest.param({"出生日期": "去年"}, "birth_date", "invalid_date", id="unreadable-date"),
    pytest.param({"同意监测": "也许"}, "monitoring_consent", "invalid_choice", id="bad-consent"),
    pytest.param({"联系人电话": ""}, "emergency_contacts[0].phone", "required", id="contact-without-phone"),
    pytest.param({"姓名": ""}, "name", "required", id="name-missing"),
]


@pytest.mark.parametrize(("cells", "field", "code"), BAD_LINES)
def test_one_bad_row_names_its_row_and_field_and_nothing_is_written(world, cells, field, code):
    # given: a good row 2 and a bad row 3 (a different person unless the case says otherwise)
    client = client_for(world.users["street0"])
    before_elders, before_events = Elder.objects.count(), AuditEvent.objects.exclude(action__in=ACCESS_ACTIONS).count()
    upload = roster(line(), line(**{"姓名": "赵六", "身份证号": national_id(205), **cells}))
    # when
    response = client.post(IMPORT_URL, {"file": upload}, format="multipart")
    # then
    assert response.status_code == 400, response.json()
    assert problems(response) == [(3, field)], response.json()
    assert response.json()["errors"][0]["code"] == code
    assert Elder.objects.count() == before_elders
    assert AuditEvent.objects.exclude(action__in=ACCESS_ACTIONS).count() == before_events


def test_every_bad_row_is_reported_at_once_in_row_order(world):
    # given
    before_elders, before_events = Elder.objects.count(), AuditEvent.objects.exclude(action__in=ACCESS_ACTIONS).count()
    bad_check = national_id(203)[:17] + ("0" if national_id(203)[17] != "0" else "1")
    upload = roster(
        line(),  # row 2: fine
        line(**{"身份证号": bad_check}),  # 3
        line(**{"身份证号": national_id(11)}),  # 4: elder0 is registered
        line(**{"身份证号": national_id(201)}),  # 5: same as row 2
        line(**{"身份证号": national_id(207), "出生日期": "1951-03-15"}),  # 6
        line(**{"身份证号": national_id(209), "社区": "无此社区"}),  # 7
        line(**{"身份证号": national_id(211), "社区": world.communities[1][0].code}),  # 8: street 1
        line(**{"身份证号": national_id(213), "经济状况": "富裕"}),  # 9
    )
    # when
    with pytest.raises(ValidationFailed) as caught:
        elder_roster_import(actor=world.users["street0"], file=upload)
    # then
    assert [(e.row, e.field) for e in caught.value.errors] == [
        (3, "national_id"),
        (4, "national_id"),
        (5, "national_id"),
        (6, "birth_date"),
        (7, "community"),
        (8, "community"),
        (9, "economic_status"),
    ]
    assert caught.value.errors[2].reason == "与第2行的身份证号重复"
    assert caught.value.errors[1].reason == "该身份证号已登记"
    assert caught.value.errors[4].reason == "社区“无此社区”不存在或不在您的辖区内"
    assert Elder.objects.count() == before_elders
    assert AuditEvent.objects.exclude(action__in=ACCESS_ACTIONS).count() == before_events


def test_unknown_and_missing_headers_are_reported_on_row_1(world):
    client = client_for(world.users["street0"])
    before = Elder.objects.count()
    upload = make_xlsx(["姓名", "社区", "爱好"], [["王秀英", "350206001002", "下棋"]])

    response = client.post(IMPORT_URL, {"file": upload}, format="multipart")

    assert response.status_code == 400
    body = response.json()
    assert [(e["row"], e["field"], e["code"]) for e in body["errors"]] == [
        (1, "header", "unknown_column"),
        (1, "header", "missing_column"),
    ]
    assert "爱好" in body["errors"][0]["reason"]
    assert "身份证号" in body["errors"][1]["reason"]
    assert Elder.objects.count() == before


def test_a_file_that_is_not_xlsx_is_refused_on_field_file(world):
    client = client_for(world.users["street0"])
    before_elders, before_events = Elder.objects.count(), AuditEvent.objects.exclude(action__in=ACCESS_ACTIONS).count()
    upload = SimpleUploadedFile("花名册.xlsx", "姓名,身份证号\n王秀英,1".encode(), content_type="text/csv")

    response = client.post(IMPORT_URL, {"file": upload}, format="multipart")

    assert response.status_code == 400
    assert [(e["field"], e["code"]) for e in response.json()["errors"]] == [("file", "invalid_file")]
    assert Elder.objects.count() == before_elders
    assert AuditEvent.objects.exclude(action__in=ACCESS_ACTIONS).count() == before_events


def test_missing_file_and_file_without_rows_are_refused(world):
    client = client_for(world.users["street0"])

    no_file = client.post(IMPORT_URL, {}, format="multipart")
    no_rows = client.post(IMPORT_URL, {"file": make_xlsx(HEADERS, [])}, format="multipart")

    assert (no_file.status_code, problems(no_file)) == (400, [(None, "file")])
    assert (no_rows.status_code, problems(no_rows)) == (400, [(None, "file")])
    assert no_rows.json()["errors"][0]["code"] == "empty"


def test_id_stored_as_a_number_by_excel_is_explained(world):
    # given: Excel turned the 18 digits into a float and lost the last ones
    values = line()
    values["身份证号"] = float(national_id(201)[:17] + "0")
    upload = make_xlsx(HEADERS, [[values[h] for h in HEADERS]])
    # when
    with pytest.raises(ValidationFailed) as caught:
        elder_roster_import(actor=world.users["street0"], file=upload)
    # then
    assert [(e.row, e.field, e.reason) for e in caught.value.errors] == [(2, "national_id", NUMERIC_ID_REASON)]


def test_ambiguous_community_name_asks_for_the_code(world):
    # given: a second community in street 0 with the same name as the first
    from yiyang.areas.models import Area

    Area.objects.create(
        code="350206001009",
        name=world.communities[0][0].name,
        level="community",
        parent=world.streets[0],
        district=world.district,
        street=world.streets[0],
    )
    upload = roster(line(**{"社区": world.communities[0][0].name}))
    # when
    with pytest.raises(ValidationFailed) as caught:
        elder_roster_import(actor=world.users["bureau"], file=upload)
    # then
    assert [(e.row, e.field, e.code) for e in caught.value.errors] == [(2, "community", "ambiguous")]


def test_template_has_the_headers_and_a_valid_example_that_cannot_be_imported_by_mistake(world):
    client = client_for(world.users["street0"])

    response = client.get(TEMPLATE_URL)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert "filename*=UTF-8''" in response["Content-Disposition"]
    wb = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = list(wb.worksheets[0].iter_rows(values_only=True))
    assert list(rows[0]) == HEADERS
    assert len(rows) == 2
    example = dict(zip(HEADERS, rows[1], strict=True))
    assert wb.sheetnames == ["老年人花名册", "填写说明"]

    # The example as downloaded is refused: its community does not exist.
    as_is = make_xlsx(HEADERS, [list(rows[1])])
    refused = client.post(IMPORT_URL, {"file": as_is}, format="multipart")
    assert problems(refused) == [(2, "community")]
    # With a real community, the example row is valid in every other column.
    example["社区"] = world.communities[0][0].code
    fixed = make_xlsx(HEADERS, [[example[h] for h in HEADERS]])
    accepted = client.post(IMPORT_URL, {"file": fixed}, format="multipart")
    assert accepted.status_code == 201, accepted.json()
    assert Elder.objects.filter(national_id=example["身份证号"]).count() == 1


@pytest.mark.parametrize(
    ("username", "status"),
    [(None, 401), ("street0_readonly", 403), ("street0_noright", 403), ("street0", 201)],
)
def test_import_permissions(world, username, status):
    client = client_for(world.users[username]) if username else APIClient()
    before_elders, before_events = Elder.objects.count(), AuditEvent.objects.exclude(action__in=ACCESS_ACTIONS).count()

    response = client.post(IMPORT_URL, {"file": roster(line())}, format="multipart")

    assert response.status_code == status, response.json()
    created = 1 if status == 201 else 0
    assert Elder.objects.count() == before_elders + created
    assert AuditEvent.objects.exclude(action__in=ACCESS_ACTIONS).count() == before_events + created


@pytest.mark.parametrize(
    ("username", "status"),
    [(None, 401), ("street0_readonly", 403), ("street0_noright", 403), ("street1", 200), ("street0", 200)],
)
def test_template_permissions(world, username, status):
    client = client_for(world.users[username]) if username else APIClient()

    response = client.get(TEMPLATE_URL)

    assert response.status_code == status


def test_other_street_cannot_import_into_street_0(world):
    client = client_for(world.users["street1"])

    response = client.post(IMPORT_URL, {"file": roster(line())}, format="multipart")

    assert response.status_code == 400
    assert problems(response) == [(2, "community")]
    assert not Elder.objects.filter(national_id=national_id(201)).exists()
