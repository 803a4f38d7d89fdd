"""The policy page: versions in force and past, each with source and verified mark; upload."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from yiyang.assessments.models import PolicyVersion
from yiyang.assessments.tests.support import page_client, snapshot

pytestmark = pytest.mark.django_db

DOCUMENT = """scale: ltc-2021
effective_from: 2025-01-01
source: 医保办发〔2021〕37号 附件
verified: true
combination:
  - [0, 0, 1, 1]
  - [1, 1, 1, 2]
  - [2, 2, 2, 3]
  - [3, 3, 4, 5]
"""


def upload(text: str, name: str = "policy.yaml"):
    return {"file": SimpleUploadedFile(name, text.encode())}


def test_an_officer_uploads_a_version_and_the_page_shows_it(world):
    client = page_client(world.users["bureau"])
    response = client.post("/assessments/policies/", upload(DOCUMENT))
    assert response.status_code == 302
    version = PolicyVersion.objects.get()
    assert (version.scale, version.verified, version.district) == ("ltc-2021", True, world.district)
    html = client.get("/assessments/policies/").content.decode()
    assert html.count('data-testid="policy-version-row"') == 1
    assert "医保办发〔2021〕37号 附件" in html
    assert "当前适用" in html
    assert "本地政策设置，未经核实" in html


def test_a_bad_upload_lists_each_problem_and_writes_nothing(world):
    before = snapshot()
    bad = DOCUMENT.replace("verified: true", "verified: maybe").replace("[3, 3, 4, 5]", "[3, 3, 4]")
    response = page_client(world.users["bureau"]).post("/assessments/policies/", upload(bad))
    assert response.status_code == 400
    html = response.content.decode()
    assert html.count('data-testid="problem"') >= 2
    assert "<code>verified</code>" in html
    assert snapshot() == before


def test_staff_read_the_page_without_the_upload_form(world):
    html = page_client(world.users["street0"]).get("/assessments/policies/").content.decode()
    assert 'data-testid="policy-upload"' not in html
    assert 'data-testid="policy-scale-ltc-2021"' in html
    assert "含未核实的依据" in html
    response = page_client(world.users["street0"]).post("/assessments/policies/", upload(DOCUMENT))
    assert response.status_code == 403
