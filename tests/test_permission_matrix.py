"""Every API endpoint and page, asked by four kinds of caller.

For each URL: anonymous; someone in another jurisdiction; someone in the same jurisdiction without
the right; someone with it. Records outside the reach answer 404 (never 403) and lists never show,
or count, what lies outside. `test_every_url_is_in_the_matrix` fails when a URL is added without a
row here.
"""

import io
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.test import APIClient

from yiyang.core.testing import World, assert_permission_before_body, assert_permission_before_query, national_id

# URL names that are not protected resources: authentication itself, schema and docs, language switch.
PUBLIC_URLS = {"login", "logout", "api-token", "schema", "api-docs", "api-redoc", "set_language", "javascript-catalog"}
# The second step of signing in (the TOTP code): it answers only after the password step.
PUBLIC_URLS |= {"login-second-factor"}


@dataclass(frozen=True)
class Case:
    url_name: str
    method: str
    path: Callable[[World], str]
    data: Callable[[World], dict[str, Any]] | None = None
    multipart: bool = False
    page: bool = False
    right: str = "street0"
    without: str = "street0_noright"
    other: str = "street1"
    ok: int = 200
    without_status: int = 403
    other_status: int | None = 404
    # For lists: a check that the other jurisdiction's answer holds none of street 0's rows.
    other_check: Callable[[World, Any], None] | None = None
    label: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return f"{self.method} {self.url_name}{'[' + self.label + ']' if self.label else ''}"


def ids_of(response: Any) -> set[str]:
    return {row["id"] for row in response.json()["results"]}


def no_street0_elders(world: World, response: Any) -> None:
    body = response.json()
    street0 = {str(world.elders[k].public_id) for k in ("elder0", "resident0")}
    assert not ids_of(response) & street0
    assert body["count"] == 2  # street 1's own two elders, and nothing else counted


def no_street0_areas(world: World, response: Any) -> None:
    names = {row["name"] for row in response.json()["results"]}
    assert names == {world.streets[1].name, *(c.name for c in world.communities[1])}
    assert response.json()["count"] == 3


def no_street0_in_tree(world: World, response: Any) -> None:
    text = response.content.decode()
    assert world.streets[0].name not in text
    assert world.streets[1].name in text


def elder0(w: World) -> str:
    return str(w.elders["elder0"].public_id)


def new_elder(w: World) -> dict[str, Any]:
    return {"name": "新登记", "national_id": national_id(501), "community": str(w.communities[0][1].public_id)}


CASES: list[Case] = [
    # accounts
    Case("api-me", "get", lambda w: "/api/v1/me/", without="street0_noright", without_status=200, other_status=200),
    Case(
        "api-user-list",
        "get",
        lambda w: "/api/v1/users/",
        right="bureau",
        without="health_officer",
        other="bureau_b",
        other_status=None,
        other_check=lambda w, r: (
            None if {row["username"] for row in r.json()["results"]} == {"bureau_b"} else pytest.fail(r.json())
        ),
    ),
    Case(
        "api-user-list",
        "post",
        lambda w: "/api/v1/users/",
        label="create",
        data=lambda w: {
            "username": "new_street",
            "password": "Strong-pass-9",
            "full_name": "新人",
            "role": "street_staff",
            "area": str(w.streets[0].public_id),
        },
        right="bureau",
        without="health_officer",
        other="bureau_b",
        ok=201,
        other_status=400,
    ),
    Case(
        "api-user-detail",
        "get",
        lambda w: f"/api/v1/users/{w.users['street0'].public_id}/",
        right="bureau",
        without="health_officer",
        other="bureau_b",
    ),
    Case(
        "api-user-detail",
        "patch",
        lambda w: f"/api/v1/users/{w.users['street0'].public_id}/",
        label="role",
        data=lambda w: {"area": str(w.streets[1].public_id)},
        right="bureau",
        without="health_officer",
        other="bureau_b",
    ),
    Case(
        "api-user-detail",
        "patch",
        lambda w: f"/api/v1/users/{w.users['street0'].public_id}/",
        label="profile",
        data=lambda w: {"full_name": "张丽", "qualification_number": "350203-2024-017"},
        right="bureau",
        without="health_officer",
        other="bureau_b",
    ),
    Case(
        "api-user-permissions",
        "patch",
        lambda w: f"/api/v1/users/{w.users['street0'].public_id}/permissions/",
        data=lambda w: {"withdraw": ["elders.export"]},
        right="bureau",
        without="health_officer",
        other="bureau_b",
    ),
    Case(
        "staff-list",
        "get",
        lambda w: "/staff/",
        page=True,
        right="bureau",
        without="health_officer",
        other="bureau_b",
        other_status=None,
        other_check=lambda w, r: only_bureau_b_listed(r),
    ),
    Case(
        "staff-detail",
        "get",
        lambda w: f"/staff/{w.users['street0'].public_id}/",
        page=True,
        right="bureau",
        without="health_officer",
        other="bureau_b",
    ),
    Case(
        "staff-detail",
        "post",
        lambda w: f"/staff/{w.users['street0'].public_id}/",
        page=True,
        label="save",
        data=lambda w: {"permissions": ["areas.view", "elders.view"]},
        right="bureau",
        without="health_officer",
        other="bureau_b",
        ok=302,
    ),
    Case(
        "staff-profile",
        "post",
        lambda w: f"/staff/{w.users['street0'].public_id}/profile/",
        page=True,
        data=lambda w: {"full_name": "张丽", "qualification_number": "350203-2024-017"},
        right="bureau",
        without="health_officer",
        other="bureau_b",
        ok=302,
    ),
    # sign-in security: every account changes its own password; officers unlock and reset 2FA in their district
    Case(
        "password-change",
        "get",
        lambda w: "/password/change/",
        page=True,
        without="street0_noright",
        without_status=200,
        other_status=200,
    ),
    Case(
        "api-locked-accounts",
        "get",
        lambda w: "/api/v1/auth/locks/",
        right="bureau",
        without="health_officer",
        other="bureau_b",
        other_status=None,
        other_check=lambda w, r: None if r.json()["count"] == 0 else pytest.fail(r.json()),
    ),
    Case(
        "api-user-unlock",
        "post",
        lambda w: f"/api/v1/users/{w.users['street0'].public_id}/unlock/",
        right="bureau",
        without="health_officer",
        other="bureau_b",
    ),
    Case(
        "api-user-second-factor-reset",
        "post",
        lambda w: f"/api/v1/users/{w.users['street0'].public_id}/second-factor/reset/",
        right="bureau",
        without="health_officer",
        other="bureau_b",
    ),
    Case(
        "staff-unlock",
        "post",
        lambda w: f"/staff/{w.users['street0'].public_id}/unlock/",
        page=True,
        right="bureau",
        without="health_officer",
        other="bureau_b",
        ok=302,
    ),
    Case(
        "staff-second-factor-reset",
        "post",
        lambda w: f"/staff/{w.users['street0'].public_id}/second-factor/reset/",
        page=True,
        right="bureau",
        without="health_officer",
        other="bureau_b",
        ok=302,
    ),
    # areas
    Case("api-area-list", "get", lambda w: "/api/v1/areas/", other_status=None, other_check=no_street0_areas),
    Case(
        "api-area-tree",
        "get",
        lambda w: "/api/v1/areas/tree/",
        other_status=None,
        other_check=lambda w, r: no_street0_in_tree(w, r),
    ),
    Case("api-area-detail", "get", lambda w: f"/api/v1/areas/{w.streets[0].public_id}/", without_status=404),
    Case("area-tree", "get", lambda w: "/areas/", page=True, other_status=None, other_check=no_street0_in_tree),
    # elders
    Case("api-elder-list", "get", lambda w: "/api/v1/elders/", other_status=None, other_check=no_street0_elders),
    Case(
        "api-elder-list",
        "post",
        lambda w: "/api/v1/elders/",
        data=new_elder,
        label="create",
        without="street0_readonly",
        ok=201,
        other_status=400,
    ),
    Case("api-elder-detail", "get", lambda w: f"/api/v1/elders/{elder0(w)}/", without_status=404),
    Case(
        "api-elder-detail",
        "patch",
        lambda w: f"/api/v1/elders/{elder0(w)}/",
        data=lambda w: {"phone": "13900000000"},
        without="street0_readonly",
    ),
    Case("api-elder-contacts", "get", lambda w: f"/api/v1/elders/{elder0(w)}/contacts/", without_status=404),
    Case(
        "api-elder-contacts",
        "post",
        lambda w: f"/api/v1/elders/{elder0(w)}/contacts/",
        label="create",
        data=lambda w: {"name": "李四", "relation": "女儿", "phone": "13911112222"},
        without="street0_readonly",
        ok=201,
    ),
    Case(
        "api-elder-contact-delete",
        "delete",
        lambda w: f"/api/v1/elders/{elder0(w)}/contacts/{contact0(w)}/",
        without="street0_readonly",
        ok=204,
    ),
    Case("api-elder-fact-changes", "get", lambda w: f"/api/v1/elders/{elder0(w)}/fact-changes/", without_status=404),
    Case(
        "api-elder-fact-changes",
        "post",
        lambda w: f"/api/v1/elders/{elder0(w)}/fact-changes/",
        label="create",
        data=lambda w: fact_change(),
        without="street0_readonly",
        ok=201,
    ),
    Case(
        "api-home-list",
        "get",
        lambda w: "/api/v1/homes/",
        other_status=None,
        other_check=lambda w, r: None if ids_of(r) == {str(w.homes[1].public_id)} else pytest.fail(r.json()),
    ),
    Case("api-home-detail", "get", lambda w: f"/api/v1/homes/{w.homes[0].public_id}/", without_status=404),
    Case(
        "api-elder-import-template",
        "get",
        lambda w: "/api/v1/elders/import/template/",
        without="street0_readonly",
        other_status=200,
    ),
    Case(
        "api-elder-import",
        "post",
        lambda w: "/api/v1/elders/import/",
        data=lambda w: {"file": roster_file(w, 0)},
        multipart=True,
        without="street0_readonly",
        ok=201,
        other_status=400,
    ),
    Case(
        "api-elder-export",
        "get",
        lambda w: "/api/v1/elders/export/",
        without="street0_readonly",
        other_status=None,
        other_check=lambda w, r: only_street1_in_xlsx(w, r),
    ),
    Case(
        "elder-list",
        "get",
        lambda w: "/elders/",
        page=True,
        other_status=None,
        other_check=lambda w, r: only_street1_in_page(w, r),
    ),
    Case("elder-detail", "get", lambda w: f"/elders/{elder0(w)}/", page=True, without_status=404),
    Case("elder-edit", "get", lambda w: f"/elders/{elder0(w)}/edit/", page=True, without="street0_readonly"),
    Case(
        "elder-edit",
        "post",
        lambda w: f"/elders/{elder0(w)}/edit/",
        page=True,
        label="save",
        data=lambda w: edit_form(w),
        without="street0_readonly",
        ok=302,
    ),
    Case(
        "elder-fact-change",
        "get",
        lambda w: f"/elders/{elder0(w)}/facts/",
        page=True,
        without="street0_readonly",
    ),
    Case(
        "elder-fact-change",
        "post",
        lambda w: f"/elders/{elder0(w)}/facts/",
        page=True,
        label="save",
        data=lambda w: {"change": "economic_status:dibao", "effective_on": fact_change()["effective_on"]},
        without="street0_readonly",
        ok=302,
    ),
    Case("elder-create", "get", lambda w: "/elders/new/", page=True, without="street0_readonly", other_status=200),
    Case("elder-import", "get", lambda w: "/elders/import/", page=True, without="street0_readonly", other_status=200),
    Case(
        "elder-import-template",
        "get",
        lambda w: "/elders/import/template/",
        page=True,
        without="street0_readonly",
        other_status=200,
    ),
    Case(
        "elder-export",
        "get",
        lambda w: "/elders/export/",
        page=True,
        without="street0_readonly",
        other_status=None,
        other_check=lambda w, r: only_street1_in_xlsx(w, r),
    ),
    # audit
    Case(
        "api-audit-list",
        "get",
        lambda w: "/api/v1/audit-events/",
        right="bureau",
        without="health_officer",
        other="bureau_b",
        other_status=None,
        other_check=lambda w, r: None if r.json()["count"] == 1 else pytest.fail(r.json()),
    ),
    Case(
        "audit-list",
        "get",
        lambda w: "/audit/",
        page=True,
        right="bureau",
        without="health_officer",
        other="bureau_b",
        other_status=None,
        other_check=lambda w, r: None if "district-a-secret" not in r.content.decode() else pytest.fail("leak"),
    ),
    Case(
        "audit-export",
        "get",
        lambda w: "/audit/export/",
        page=True,
        right="bureau",
        without="health_officer",
        other="bureau_b",
        other_status=None,
        other_check=lambda w, r: only_district_b_audit(r),
    ),
    # home page: counts only within reach
    Case(
        "home",
        "get",
        lambda w: "/",
        page=True,
        without_status=200,
        other_status=None,
        other_check=lambda w, r: None if 'data-testid="elder-total">2<' in r.content.decode() else pytest.fail("count"),
    ),
]


def roster_file(w: World, street: int) -> Any:
    """A one-line roster for a community of street 0 (out of reach for street 1)."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from openpyxl import Workbook

    from yiyang.elders.roster import HEADERS

    book = Workbook()
    sheet = book.active
    sheet.append(HEADERS)
    line = {"姓名": "导入者", "身份证号": national_id(601), "社区": w.communities[street][1].code}
    sheet.append([line.get(h, "") for h in HEADERS])
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile("roster.xlsx", buffer.getvalue())


def only_street1_in_xlsx(w: World, response: Any) -> None:
    from openpyxl import load_workbook

    content = b"".join(response.streaming_content) if response.streaming else response.content
    rows = list(load_workbook(io.BytesIO(content)).worksheets[0].iter_rows(values_only=True))
    names = {row[0] for row in rows[1:]}
    assert names == {w.elders["elder1"].name, w.elders["resident1"].name}, names


def only_street1_in_page(w: World, response: Any) -> None:
    text = response.content.decode()
    assert "共 2 人" in text
    assert w.elders["elder0"].name not in text and w.elders["resident0"].name not in text
    assert w.elders["elder1"].name in text


def only_bureau_b_listed(response: Any) -> None:
    text = response.content.decode()
    assert text.count('data-testid="staff-row"') == 1, text
    assert ">bureau_b</a>" in text
    assert "street0" not in text


def only_district_b_audit(response: Any) -> None:
    from openpyxl import load_workbook

    rows = list(
        load_workbook(io.BytesIO(b"".join(response.streaming_content))).worksheets[0].iter_rows(values_only=True)
    )
    # Newest first: bureau_b's own sign-in (district B), then district B's event; nothing of district A.
    assert [row[5] for row in rows[1:]] == ["登录成功", "b"]


def edit_form(w: World) -> dict[str, Any]:
    elder = w.elders["elder0"]
    return {
        "name": elder.name,
        "national_id": elder.national_id,
        "phone": "13900000001",
        "community": str(elder.community.public_id),
        "household_registration": elder.household_registration,
        "economic_status": elder.economic_status,
        "living_arrangement": elder.living_arrangement,
    }


def fact_change() -> dict[str, Any]:
    from django.utils import timezone

    return {"field": "economic_status", "new_value": "dibao", "effective_on": timezone.localdate().isoformat()}


def contact0(w: World) -> str:
    return str(w.elders["elder0"].emergency_contacts.get().public_id)


@pytest.fixture
def matrix_world(world: World) -> World:
    """The shared world plus a second district with its own officer, homes and one audit event each."""
    from yiyang.accounts.choices import Role
    from yiyang.accounts.models import User
    from yiyang.areas.models import Area
    from yiyang.audit.models import AuditEvent
    from yiyang.core.testing import PASSWORD
    from yiyang.elders.models import EmergencyContact, Home

    district_b = Area.objects.create(code="350203", name="乙区", level="district")
    world.users["bureau_b"] = User.objects.create_user(
        username="bureau_b",
        password=PASSWORD,
        role=Role.BUREAU_OFFICER,
        area=district_b,
    )
    AuditEvent.objects.create(
        actor_label="x", action="view", entity_type="elder", summary="district-a-secret", district=world.district
    )
    AuditEvent.objects.create(actor_label="y", action="view", entity_type="elder", summary="b", district=district_b)
    world.homes = []  # type: ignore[attr-defined]
    for s in range(2):
        home = Home.objects.create(
            address=f"第{s}号", community=world.communities[s][0], street=world.streets[s], district=world.district
        )
        world.homes.append(home)  # type: ignore[attr-defined]
        world.elders[f"elder{s}"].home = home
        world.elders[f"elder{s}"].save(update_fields=["home"])
        EmergencyContact.objects.create(
            elder=world.elders[f"elder{s}"], name="联系人", relation="子女", phone="13800009999"
        )
    return world


def call(case: Case, world: World, username: str | None) -> Any:
    client: Any
    if case.page:
        client = Client()
        if username:
            client.force_login(world.users[username])
    else:
        client = APIClient()
        if username:
            client.force_authenticate(world.users[username])
    data = case.data(world) if case.data else None
    kwargs = {"format": "json"} if not case.page and data is not None and not case.multipart else {}
    return getattr(client, case.method)(case.path(world), data, **kwargs)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_anonymous_is_refused(matrix_world, case):
    response = call(case, matrix_world, None)
    if case.page:
        assert response.status_code == 302
        assert response["Location"].startswith("/login/")
    else:
        assert response.status_code == 401
        assert response.json()["status"] == 401


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_another_jurisdiction_sees_nothing(matrix_world, case):
    response = call(case, matrix_world, case.other)
    if case.other_status is not None:
        assert response.status_code == case.other_status, response.content[:500]
    else:
        assert response.status_code == 200, response.content[:500]
        assert case.other_check is not None
        case.other_check(matrix_world, response)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_same_jurisdiction_without_the_right_is_refused(matrix_world, case):
    response = call(case, matrix_world, case.without)
    assert response.status_code == case.without_status, response.content[:500]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_with_the_right_succeeds(matrix_world, case):
    response = call(case, matrix_world, case.right)
    assert response.status_code == case.ok, response.content[:500]


def _names(patterns: list[Any]) -> set[str]:
    found: set[str] = set()
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            if pattern.app_name == "admin" or str(pattern.pattern).startswith("admin/"):
                continue
            found |= _names(pattern.url_patterns)
        elif isinstance(pattern, URLPattern) and pattern.name:
            found.add(pattern.name)
    return found


def test_every_url_is_in_the_matrix():
    # The organisations, assessments, devices and benefits apps keep their own matrices (same four callers) next to their code.
    from yiyang.alerts.tests.test_permission_matrix import CASES as ALERT_CASES
    from yiyang.assessments.tests.test_permission_matrix import CASES as ASSESSMENT_CASES
    from yiyang.benefits.tests.test_payroll_permission_matrix import CASES as PAYROLL_CASES
    from yiyang.benefits.tests.test_permission_matrix import CASES as BENEFIT_CASES
    from yiyang.benefits.tests.test_policy_permission_matrix import CASES as POLICY_CASES
    from yiyang.devices.tests.test_permission_matrix import CASES as DEVICE_CASES
    from yiyang.devices.tests.test_permission_matrix import PUBLIC_URLS as DEVICE_PUBLIC_URLS
    from yiyang.monitoring.tests.test_permission_matrix import CASES as MONITORING_CASES
    from yiyang.organisations.tests.test_permission_matrix import CASES as ORGANISATION_CASES

    covered = (
        {case.url_name for case in CASES}
        | {case.url_name for case in ORGANISATION_CASES}
        | {case.url_name for case in ASSESSMENT_CASES}
        | {case.url_name for case in ALERT_CASES}
        | {case.url_name for case in DEVICE_CASES}
        | {case.url_name for case in MONITORING_CASES}
        | {case.url_name for case in BENEFIT_CASES}
        | {case.url_name for case in PAYROLL_CASES}
        | {case.url_name for case in POLICY_CASES}
        | DEVICE_PUBLIC_URLS
    )
    missing = _names(get_resolver().url_patterns) - covered - PUBLIC_URLS
    assert not missing, f"URLs without permission-matrix rows: {sorted(missing)}"


@pytest.mark.parametrize("case", [c for c in CASES if c.method != "get"], ids=lambda c: c.id)
def test_the_permission_is_checked_before_the_body(matrix_world, case):
    assert_permission_before_body(call, case, matrix_world)


@pytest.mark.parametrize("case", [c for c in CASES if c.method == "get"], ids=lambda c: c.id)
def test_the_permission_is_checked_before_the_query(matrix_world, case):
    assert_permission_before_query(call, case, matrix_world)


# Staff pages a helper or family member must not open, though the menu no longer offers them: the
# answer is the 403 that names what is missing (organisations.view, which they do not hold), or for
# rights they hold for their own elders only (alerts.view, assessments.view), that the page is staff work.
PERSONAL_REFUSED = [
    ("/organisations/", True, "缺少权限：查看机构"),
    ("/occupancy/", True, "缺少权限：查看机构"),
    ("/api/v1/occupancy/", False, "缺少权限：查看机构"),
    ("/alerts/sla/", True, "此页面只对工作人员开放：助老员和家属账号的“查看告警”权限只用于自己照护的老人"),
    ("/api/v1/alerts/sla/", False, "此页面只对工作人员开放：助老员和家属账号的“查看告警”权限只用于自己照护的老人"),
    ("/assessments/due/", True, "此页面只对工作人员开放：助老员和家属账号的“查看能力评估”权限只用于自己照护的老人"),
    (
        "/api/v1/assessments/due/",
        False,
        "此页面只对工作人员开放：助老员和家属账号的“查看能力评估”权限只用于自己照护的老人",
    ),
]


@pytest.mark.parametrize("username", ["helper0", "family0"])
@pytest.mark.parametrize(("path", "page", "reason"), PERSONAL_REFUSED)
def test_helpers_and_family_are_refused_staff_pages_with_the_reason(world, username, path, page, reason):
    client: Any
    if page:
        client = Client()
        client.force_login(world.users[username])
    else:
        client = APIClient()
        client.force_authenticate(world.users[username])
    response = client.get(path)
    assert response.status_code == 403
    text = response.content.decode() if page else response.json()["detail"]
    assert reason in text


def test_helpers_and_family_still_see_their_own_elders_devices(world):
    for username in ("helper0", "family0"):
        client = Client()
        client.force_login(world.users[username])
        assert client.get("/devices/").status_code == 200
