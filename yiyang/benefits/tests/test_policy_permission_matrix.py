"""Every API endpoint and page of the subsidy policy, asked by four kinds of caller.

Anonymous; the bureau officer of another district (who holds every benefits right: only the reach
stops them); someone of the same district without the right (reading: the health officer, who holds
no benefits right; loading a file, the template and the what-if: street staff, who may read the
policy but not change it); someone with it (reading: street staff; changing: the district's bureau
officer). Out of reach answers 404, never 403, and a refused call writes nothing.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from yiyang.accounts.choices import Role
from yiyang.accounts.models import User
from yiyang.areas.models import Area
from yiyang.audit.models import AuditEvent
from yiyang.benefits.models import PolicyFile
from yiyang.core.testing import PASSWORD, World, assert_permission_before_body
from yiyang.organisations.tests.support import ANONYMOUS_API_STATUS, api_client, page_client

pytestmark = pytest.mark.django_db

DIBAO_2 = "benefits.resident_care_subsidy.monthly.dibao.level_2"
FILE = (
    "resident_care_subsidy:\n  monthly:\n    dibao:\n      level_2:\n        values:\n"
    "          2027-01-01: {value: 950, metadata: {status: verified}}\n"
)


@dataclass(frozen=True)
class Case:
    url_name: str
    method: str
    path: Callable[[World], str]
    data: Callable[[World], dict[str, Any]] | None = None
    page: bool = False
    right: str = "street0"
    ok: int = 200
    without: str = "health_officer"
    without_status: int = 403
    other: str = "bureau_b"
    api_format: str = "json"
    label: str = ""

    @property
    def id(self) -> str:
        return f"{self.method} {self.url_name}{'[' + self.label + ']' if self.label else ''}"


def district(w: World) -> str:
    return str(w.district.public_id)


def upload(w: World) -> dict[str, Any]:
    return {
        "file": SimpleUploadedFile("district.yaml", FILE.encode(), content_type="application/yaml"),
        "effective_from": "2027-01-01",
        "note": "矩阵",
    }


def what_if_query(w: World) -> str:
    return f"?district={district(w)}&path={DIBAO_2}&start=2027-01-01&value=1000"


CASES: list[Case] = [
    # API
    Case("api-benefits-parameters", "get", lambda w: f"/api/v1/benefits/parameters/?district={district(w)}"),
    Case("api-benefits-policy-files", "get", lambda w: f"/api/v1/benefits/policy-files/?district={district(w)}"),
    Case("api-benefits-policy-files", "post", lambda w: f"/api/v1/benefits/policy-files/?district={district(w)}",
         data=upload, right="bureau", ok=201, without="street0", api_format="multipart", label="upload"),
    Case("api-benefits-what-if", "post", lambda w: "/api/v1/benefits/what-if/",
         data=lambda w: {"district": district(w), "path": DIBAO_2, "start": "2027-01-01", "value": "1000"},
         right="bureau", without="street0"),
    # pages
    Case("benefits-policy", "get", lambda w: f"/benefits/policy/?district={district(w)}", page=True),
    Case("benefits-policy", "get", lambda w: "/benefits/policy/", page=True, label="own district"),
    Case("benefits-policy-files", "get", lambda w: f"/benefits/policy/files/?district={district(w)}", page=True),
    Case("benefits-policy-files", "post", lambda w: f"/benefits/policy/files/?district={district(w)}", page=True,
         data=upload, right="bureau", ok=302, without="street0", label="upload"),
    Case("benefits-policy-file-download", "get",
         lambda w: f"/benefits/policy/files/{w.policy_file.public_id}/download/", page=True),  # type: ignore[attr-defined]
    Case("benefits-policy-template", "get",
         lambda w: f"/benefits/policy/template/resident_care_subsidy/?district={district(w)}", page=True,
         right="bureau", without="street0"),
    Case("benefits-policy-what-if", "get", lambda w: f"/benefits/policy/what-if/{what_if_query(w)}", page=True,
         right="bureau", without="street0"),
]  # fmt: skip


@pytest.fixture
def matrix_world(world: World) -> World:
    """A second district with its own bureau officer; one loaded file in the first district."""
    other = Area.objects.create(code="350203", name="乙区", level="district")
    world.users["bureau_b"] = User.objects.create_user(
        username="bureau_b", password=PASSWORD, role=Role.BUREAU_OFFICER, area=other
    )
    world.policy_file = PolicyFile.objects.create(  # type: ignore[attr-defined]
        district=world.district,
        version=1,
        name="v1.yaml",
        content="# v1\n",
        parameters={},
        fingerprint="0" * 64,
        effective_from="2027-01-01",
        loaded_by=world.users["bureau"],
    )
    return world


def counts() -> dict[str, int]:
    return {
        "files": PolicyFile.objects.count(),
        "audit": AuditEvent.objects.filter(entity_type__in=["benefit_policy_file", "benefit_what_if"]).count(),
    }


def call(case: Case, world: World, username: str | None) -> Any:
    user = world.users[username] if username else None
    data = case.data(world) if case.data else None
    if case.page:
        return getattr(page_client(user), case.method)(case.path(world), data)
    kwargs = {"format": case.api_format} if data is not None else {}
    return getattr(api_client(user), case.method)(case.path(world), data, **kwargs)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_anonymous_is_refused(matrix_world, case):
    before = counts()
    response = call(case, matrix_world, None)
    if case.page:
        assert response.status_code == 302
        assert response["Location"].startswith("/login/?next=")
    else:
        assert response.status_code == ANONYMOUS_API_STATUS
    assert counts() == before


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_another_jurisdiction_reaches_nothing(matrix_world, case):
    before = counts()
    response = call(case, matrix_world, case.other)
    if case.label == "own district":
        # Asked without naming a district, the other officer sees their own district, never ours.
        assert response.status_code == 200
        assert "乙区" in response.content.decode() and "测试区" not in response.content.decode()
    else:
        assert response.status_code == 404, response.content[:500]
    assert counts() == before


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_the_same_jurisdiction_without_the_right_is_refused(matrix_world, case):
    before = counts()
    response = call(case, matrix_world, case.without)
    assert response.status_code == 403, response.content[:500]
    assert counts() == before
    if case.method == "post":
        assert_permission_before_body(call, case, matrix_world)
        assert counts() == before


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_with_the_right_it_succeeds(matrix_world, case):
    before = counts()
    response = call(case, matrix_world, case.right)
    assert response.status_code == case.ok, response.content[:500]
    after = counts()
    if case.label == "upload":
        assert after == {"files": before["files"] + 1, "audit": before["audit"] + 1}
    elif "what-if" in case.url_name:
        assert after == {"files": before["files"], "audit": before["audit"] + 1}
    else:
        assert after == before


@pytest.mark.parametrize("account", ["family0", "helper0"])
def test_personal_accounts_are_not_shown_the_policy(matrix_world, account):
    response = page_client(matrix_world.users[account]).get("/benefits/policy/")
    assert response.status_code in (403, 404)
