import io
from datetime import date

import pytest
from openpyxl import Workbook

from yiyang.audit.models import AuditEvent
from yiyang.benefits.models import Application
from yiyang.benefits.services.application_import import application_import, import_headers
from yiyang.core.errors import Forbidden, ValidationFailed
from yiyang.core.testing import build_world, national_id

pytestmark = pytest.mark.django_db

CREDIT_CODE = "52350206MJ0000001X"


@pytest.fixture
def world():
    world = build_world()
    institution = world.orgs["institution0"]
    institution.credit_code = CREDIT_CODE
    institution.save()
    return world


def workbook(*rows: dict[str, object]) -> io.BytesIO:
    headers = import_headers()
    wb = Workbook()
    ws = wb.active
    ws.append(headers)
    for row in rows:
        ws.append([row.get(h, "") for h in headers])
    buffer = io.BytesIO()
    wb.save(buffer)
    buffer.seek(0)
    return buffer


PAYEE = {"收款人": "王某", "收款账号": "6222020000000001", "开户行": "工商银行厦门湖里支行"}
RESIDENT_ROW = {
    "补贴项目": "入住机构养老服务补贴",
    "老年人身份证号": national_id(13),
    "申请享受起始日期": "2026-11-01",
    **PAYEE,
}
STARTUP_ROW = {
    "补贴项目": "一次性开办补助", "机构统一社会信用代码": CREDIT_CODE, "申请享受起始日期": "2026-11-01",
    "核定床位（张）": 60, "用房性质": "租赁用房", "租期（年）": 8, **PAYEE,
}  # fmt: skip
WORKER_ROW = {
    "补贴项目": "养老护理岗位在职奖补", "机构统一社会信用代码": CREDIT_CODE, "护理人员姓名": "李护理",
    "护理人员身份证号": national_id(90, date(1980, 5, 1)), "申请享受起始日期": "2026-11-01",
    "工作年限（年）": 11, "已领取满3年档在职奖补": "否", **PAYEE,
}  # fmt: skip


def test_every_row_becomes_an_application_submitted_through_the_import_channel(world):
    result = application_import(actor=world.users["street0"], file=workbook(RESIDENT_ROW, STARTUP_ROW, WORKER_ROW))
    assert (result.created, result.already_imported) == (3, 0)
    rows = list(Application.objects.order_by("id").values_list("scheme", "channel", "status", "facts"))
    assert rows == [
        ("resident_care_subsidy", "import", "submitted", {}),
        ("startup_subsidy", "import", "submitted", {"approved_beds": 60, "premises": "rented", "lease_years": 8}),
        ("care_worker_service_award", "import", "submitted", {"years_of_service": 11, "lower_award_paid": False}),
    ]


def test_the_same_file_imported_again_creates_nothing(world):
    application_import(actor=world.users["street0"], file=workbook(RESIDENT_ROW, STARTUP_ROW))
    again = application_import(actor=world.users["street0"], file=workbook(RESIDENT_ROW, STARTUP_ROW))
    assert (again.created, again.already_imported) == (0, 2)
    assert Application.objects.count() == 2


def test_a_file_with_bad_rows_writes_nothing_and_names_every_row_and_field(world):
    events_before = AuditEvent.objects.count()
    bad_beds = {**STARTUP_ROW, "核定床位（张）": 20}  # fewer than the 50-bed minimum
    unknown_elder = {**RESIDENT_ROW, "老年人身份证号": national_id(77)}
    numeric_account = {**WORKER_ROW, "收款账号": 6222020000000001}
    with pytest.raises(ValidationFailed) as refused:
        application_import(
            actor=world.users["street0"], file=workbook(RESIDENT_ROW, bad_beds, unknown_elder, numeric_account)
        )
    assert [(e.row, e.field, e.code) for e in refused.value.errors] == [
        (3, "facts.approved_beds", "refused"),
        (4, "elder_national_id", "not_found"),
        (5, "payee_account", "not_text"),
    ]
    assert Application.objects.count() == 0
    assert AuditEvent.objects.count() == events_before


def test_a_missing_column_is_refused_before_any_row(world):
    wb = Workbook()
    wb.active.append(["补贴项目", "收款人"])
    wb.active.append(["入住机构养老服务补贴", "王某"])
    buffer = io.BytesIO()
    wb.save(buffer)
    buffer.seek(0)
    with pytest.raises(ValidationFailed) as refused:
        application_import(actor=world.users["street0"], file=buffer)
    assert {e.code for e in refused.value.errors} == {"missing_column"}
    assert "老年人身份证号" in refused.value.errors[0].reason


def test_without_the_right_to_apply_nothing_is_read(world):
    with pytest.raises(Forbidden):
        application_import(actor=world.users["street0_noright"], file=workbook(RESIDENT_ROW))
    assert Application.objects.count() == 0
