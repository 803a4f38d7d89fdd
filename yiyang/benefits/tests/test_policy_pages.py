"""What the policy pages and API show: marks, sources and references of every value; the loaded files
and the upload's errors at the field; the template; the what-if's figures."""

import re
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.utils import timezone

from yiyang.benefits.models import PolicyFile
from yiyang.benefits.services.policy_files import policy_file_load
from yiyang.benefits.tests.payroll_world import RESIDENT, confirmed_level, entitlement
from yiyang.core.masking import mask_name
from yiyang.organisations.tests.support import api_client, page_client

pytestmark = pytest.mark.django_db

DIBAO_2 = "benefits.resident_care_subsidy.monthly.dibao.level_2"
V1 = """\
resident_care_subsidy:
  monthly:
    dibao:
      level_2:
        values:
          2026-01-01: {value: 950, metadata: {status: verified}, reference: [{title: 区民政局 12 号文, href: https://example.org/12}]}
"""


def load_v1(world):
    return policy_file_load(
        actor=world.users["bureau"],
        district=world.district,
        name="v1.yaml",
        content=V1.encode(),
        effective_from=date(2026, 1, 1),
        note="区级标准",
    )


def row_of(html: str, path: str) -> str:
    match = re.search(rf'<tr data-testid="parameter-row" data-path="{re.escape(path)}">.*?</tr>', html, re.S)
    assert match, path
    return match.group(0)


def test_the_parameters_page_shows_every_scheme_value_mark_and_source(world):
    load_v1(world)
    html = page_client(world.users["street0"]).get("/benefits/policy/").content.decode()
    for label in ("一次性开办补助", "床位运营补贴", "入住机构养老服务补贴", "养老护理岗位入职奖补", "培训补贴"):
        assert label in html
    dibao = row_of(html, DIBAO_2)
    assert '<strong data-testid="current-value">950 元</strong>' in dibao
    assert 'data-testid="mark-verified">已核实<' in dibao and 'data-testid="mark-example">示例值<' in dibao
    assert "区级文件 v1" in dibao and "data/parameters/benefits/resident_care_subsidy.yaml" in dibao
    assert '<a href="https://example.org/12" rel="noopener noreferrer" target="_blank">区民政局 12 号文</a>' in dibao
    nursing = row_of(html, "benefits.bed_operation_subsidy.per_bed_year.nursing")
    assert 'data-testid="mark-single-source">未核实（单一来源）<' in nursing
    assert "福建省民办养老机构省级补助" in nursing
    assert 'data-testid="example-banner"' in html and "本环境为演示环境" in html


@override_settings(BENEFITS_ALLOW_EXAMPLE_VALUES=False)
def test_outside_the_demo_the_banner_says_example_values_are_refused(world):
    html = page_client(world.users["street0"]).get("/benefits/policy/").content.decode()
    banner = re.search(r'data-testid="example-banner">(.*?)</div>', html, re.S).group(1)
    assert "alert-danger" in html and "本环境为演示环境" not in banner
    assert "凡要用到示例值的发放表或审批都会被拒绝" in banner


def test_the_files_page_lists_versions_and_offers_the_upload_to_the_officer_only(world):
    row = load_v1(world)
    html = page_client(world.users["bureau"]).get("/benefits/policy/files/").content.decode()
    listed = re.search(r'<tr data-testid="policy-file-row">.*?</tr>', html, re.S).group(0)
    assert "v1" in listed and "bureau" in listed and "2026-01-01" in listed and "区级标准" in listed
    assert row.fingerprint[:12] in listed and DIBAO_2 in listed
    assert 'data-testid="policy-upload"' in html and 'data-testid="template-resident_care_subsidy"' in html
    street = page_client(world.users["street0"]).get("/benefits/policy/files/").content.decode()
    assert 'data-testid="policy-upload"' not in street and 'data-testid="tab-what-if"' not in street


def test_an_upload_with_an_error_shows_it_under_the_file_field_and_writes_nothing(world):
    bad = V1.replace("level_2", "level_7")
    response = page_client(world.users["bureau"]).post(
        "/benefits/policy/files/",
        {"file": SimpleUploadedFile("bad.yaml", bad.encode()), "effective_from": "2026-01-01", "note": ""},
    )
    assert response.status_code == 400
    errors = re.findall(r'data-testid="error-file">([^<]*)<', response.content.decode())
    assert errors == ["benefits.resident_care_subsidy.monthly.dibao.level_7：不是已有的参数（只能设置已有参数的取值）"]
    assert PolicyFile.objects.count() == 0


def test_a_good_upload_is_stored_and_announced(world):
    client = page_client(world.users["bureau"])
    response = client.post(
        "/benefits/policy/files/",
        {"file": SimpleUploadedFile("v1.yaml", V1.encode()), "effective_from": "2026-01-01", "note": "12 号文"},
        follow=True,
    )
    assert response.status_code == 200
    assert "已载入本区政策文件第 1 版，1 个参数自 2026-01-01 起生效。" in response.content.decode()
    stored = PolicyFile.objects.get()
    assert (stored.name, stored.note, stored.content) == ("v1.yaml", "12 号文", V1)
    download = client.get(f"/benefits/policy/files/{stored.public_id}/download/")
    assert download.content.decode() == V1
    assert download["Content-Disposition"] == 'attachment; filename="policy-350206-v1.yaml"'


def test_the_template_download_is_the_schemes_tree(world):
    response = page_client(world.users["bureau"]).get("/benefits/policy/template/training_subsidy/")
    assert response["Content-Disposition"] == 'attachment; filename="policy-template-training_subsidy.yaml"'
    text = response.content.decode()
    assert text.startswith("# 培训补贴：区级政策文件模板")
    assert "training_subsidy:\n" in text and "    grade_3:\n" in text
    assert page_client(world.users["bureau"]).get("/benefits/policy/template/nothing/").status_code == 404


@pytest.fixture
def paying(world):
    resident = world.elders["resident0"]
    resident.economic_status = "dibao"
    resident.save()
    confirmed_level(resident, 2, date(2026, 1, 10), assessor=world.users["street0"], reviewer=world.users["medical0"])
    entitlement(world, RESIDENT, elder=resident, starts_on=date(2026, 1, 1))
    return world


def test_the_what_if_page_shows_months_total_and_masked_gainers(paying):
    client = page_client(paying.users["bureau"])
    start = timezone.localdate().replace(day=1)
    response = client.get("/benefits/policy/what-if/", {"path": DIBAO_2, "start": start.isoformat(), "value": "1000"})
    assert response.status_code == 200
    html = response.content.decode()
    # Every month of the horizon is 100.00 more for resident0 (900 → 1,000 from this month's 1st).
    assert len(re.findall(r'data-testid="month-row"', html)) == 12
    assert "差额 1200.00 元" in html
    assert "现行金额中有 21 个参数使用示例值" in html
    change = re.search(r'<tr data-testid="change-row">.*?</tr>', html, re.S).group(0)
    assert mask_name("resident0老人") in change and "resident0老人" not in change
    assert "10800.00" in change and "12000.00" in change and "1200.00" in change


def test_the_what_if_page_shows_errors_under_their_fields(paying):
    response = page_client(paying.users["bureau"]).get(
        "/benefits/policy/what-if/", {"path": DIBAO_2, "start": "2027-01-01", "value": "1.234"}
    )
    assert response.status_code == 400
    assert re.findall(r'data-testid="error-value">([^<]*)<', response.content.decode()) == [
        "草拟值最多两位小数（元到分）"
    ]


def test_the_api_lists_parameters_with_values_marks_and_sources(world):
    load_v1(world)
    rows = api_client(world.users["street0"]).get("/api/v1/benefits/parameters/").json()
    dibao = next(r for r in rows if r["path"] == DIBAO_2)
    assert dibao["schemes"] == ["resident_care_subsidy"]
    assert dibao["current"]["value"] == "950.00" and dibao["current"]["source_label"] == "区级文件 v1"
    assert [(v["start"], v["value"], v["status"], v["source"]) for v in dibao["values"]] == [
        ("2024-01-01", "900.00", "example", "shipped"),
        ("2026-01-01", "950.00", "verified", "district:1"),
    ]
    assert dibao["values"][1]["references"] == [{"title": "区民政局 12 号文", "href": "https://example.org/12"}]


def test_the_api_uploads_and_lists_files_and_names_the_error(world):
    client = api_client(world.users["bureau"])
    bad = client.post(
        "/api/v1/benefits/policy-files/",
        {
            "file": SimpleUploadedFile("v.yaml", V1.replace("verified", "official").encode()),
            "effective_from": "2026-01-01",
        },
        format="multipart",
    )
    assert bad.status_code == 400
    assert [(e["field"], e["code"]) for e in bad.json()["errors"]] == [("file", "invalid_policy")]
    created = client.post(
        "/api/v1/benefits/policy-files/",
        {"file": SimpleUploadedFile("v.yaml", V1.encode()), "effective_from": "2026-01-01", "note": "12 号文"},
        format="multipart",
    )
    assert created.status_code == 201
    body = created.json()
    assert (body["version"], body["name"], body["parameters"], body["loaded_by"]) == (1, "v.yaml", [DIBAO_2], "bureau")
    listed = client.get("/api/v1/benefits/policy-files/").json()
    assert listed["count"] == 1 and listed["results"][0]["id"] == body["id"]


def test_the_api_what_if_returns_the_figures(paying):
    start = timezone.localdate().replace(day=1)
    response = api_client(paying.users["bureau"]).post(
        "/api/v1/benefits/what-if/",
        {"path": DIBAO_2, "start": start.isoformat(), "value": "1000", "page_size": 10},
        format="json",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["total_difference"] == "1200.00" and body["change_count"] == 1 and body["gainers"] == 1
    assert [m["difference"] for m in body["months"]] == ["100.00"] * 12
    assert body["changes"][0]["name"] == mask_name("resident0老人")
    assert body["changes"][0]["difference"] == "1200.00"
