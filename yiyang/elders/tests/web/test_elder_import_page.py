"""The roster import page: success message with the count, or every problem by row and nothing written."""

import io

import pytest
from django.test import Client
from openpyxl import load_workbook

from yiyang.audit.models import AuditEvent
from yiyang.core.testing import national_id
from yiyang.elders.models import Elder
from yiyang.elders.roster import HEADERS
from yiyang.elders.tests.test_roster_import import line, make_xlsx, roster

pytestmark = pytest.mark.django_db

IMPORT_URL = "/elders/import/"
TEMPLATE_URL = "/elders/import/template/"


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_import_success_redirects_to_the_list_with_the_count(world):
    # given
    client = client_for(world.users["street0"])
    upload = roster(line(), line(**{"姓名": "李桂兰", "身份证号": national_id(202), "性别": "女", "出生日期": ""}))
    # when
    response = client.post(IMPORT_URL, {"file": upload}, follow=True)
    # then
    assert response.redirect_chain == [("/elders/", 302)]
    assert "已导入 2 名老年人。" in response.content.decode()
    assert Elder.objects.filter(national_id__in=[national_id(201), national_id(202)]).count() == 2


def test_import_errors_are_listed_by_row_and_column_and_nothing_is_written(world):
    # given
    client = client_for(world.users["street0"])
    before_elders, before_events = Elder.objects.count(), AuditEvent.objects.count()
    upload = roster(
        line(), line(**{"身份证号": national_id(11)}), line(**{"身份证号": national_id(203), "经济状况": "富裕"})
    )
    # when
    response = client.post(IMPORT_URL, {"file": upload})
    # then
    assert response.status_code == 200
    html = response.content.decode()
    assert "发现 2 处错误，未写入任何数据。" in html
    assert "<tr><td>3</td><td>身份证号</td><td>该身份证号已登记</td></tr>" in html
    assert "<tr><td>4</td><td>经济状况</td><td>“富裕”不是可选值；" in html
    assert Elder.objects.count() == before_elders
    assert AuditEvent.objects.count() == before_events


def test_non_xlsx_upload_is_explained(world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = client_for(world.users["street0"])
    before = Elder.objects.count()

    response = client.post(IMPORT_URL, {"file": SimpleUploadedFile("x.xlsx", b"not a workbook")})

    html = response.content.decode()
    assert "<td>文件</td><td>文件不是有效的Excel（.xlsx）文件</td>" in html
    assert "未写入任何数据" in html
    assert Elder.objects.count() == before


def test_header_problems_are_listed_on_row_1(world):
    client = client_for(world.users["street0"])

    response = client.post(IMPORT_URL, {"file": make_xlsx(["姓名", "社区"], [["王", "x"]])})

    assert "<tr><td>1</td><td>表头</td><td>缺少必填列“身份证号”</td></tr>" in response.content.decode()


def test_import_page_links_the_template_which_downloads(world):
    client = client_for(world.users["street0"])

    page = client.get(IMPORT_URL)
    template = client.get(TEMPLATE_URL)

    assert f'href="{TEMPLATE_URL}"' in page.content.decode()
    assert template.status_code == 200
    rows = list(
        load_workbook(io.BytesIO(b"".join(template.streaming_content))).worksheets[0].iter_rows(values_only=True)
    )
    assert list(rows[0]) == HEADERS


@pytest.mark.parametrize(
    ("username", "status"),
    [("street0_readonly", 403), ("street0_noright", 403), ("street1", 200), ("street0", 200)],
)
def test_import_page_permissions(world, username, status):
    client = client_for(world.users[username])
    before = Elder.objects.count()

    page = client.get(IMPORT_URL)
    template = client.get(TEMPLATE_URL)
    post = client.post(IMPORT_URL, {"file": roster(line())})

    assert (page.status_code, template.status_code) == (status, status)
    if status == 403:
        assert post.status_code == 403
        assert Elder.objects.count() == before


def test_anonymous_is_sent_to_login(world):
    client = Client()

    page = client.get(IMPORT_URL)
    template = client.get(TEMPLATE_URL)

    assert (page.status_code, page["Location"]) == (302, "/login/?next=/elders/import/")
    assert (template.status_code, template["Location"]) == (302, "/login/?next=/elders/import/template/")
