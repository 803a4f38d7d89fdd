"""An officer grants and withdraws single permissions and changes an account's role, through the
API and the account page; the account keeps only its deviations from its role."""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from yiyang.accounts.access import user_perms
from yiyang.accounts.models import User
from yiyang.accounts.permissions import Perm, default_permissions
from yiyang.audit.models import AuditEvent
from yiyang.core.testing import set_permissions

pytestmark = pytest.mark.django_db

STREET = frozenset(default_permissions("street_staff"))
STATION = frozenset(default_permissions("station_staff"))


def api(world, username: str) -> APIClient:
    client = APIClient()
    client.force_authenticate(world.users[username])
    return client


def page(world, username: str) -> Client:
    client = Client()
    client.force_login(world.users[username])
    return client


def stored(user: User) -> tuple[list[str], list[str]]:
    user.refresh_from_db()
    return user.permissions_granted, user.permissions_withdrawn


def change_events(user: User) -> list[tuple[str, list[str], int | None]]:
    return list(
        AuditEvent.objects.filter(entity_type="user", entity_id=str(user.public_id), action="change")
        .order_by("id")
        .values_list("summary", "fields", "district_id")
    )


# ------------------------------------------------------------------------------------------ API


def test_detail_marks_each_permission_by_its_source(world):
    # given
    account = world.users["street0"]
    account.permissions_granted, account.permissions_withdrawn = ["audit.view"], ["elders.export"]
    account.save(update_fields=["permissions_granted", "permissions_withdrawn"])
    # when
    response = api(world, "bureau").get(f"/api/v1/users/{account.public_id}/")
    # then
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["permissions"] == sorted((STREET | {"audit.view"}) - {"elders.export"})
    assert (body["permissions_granted"], body["permissions_withdrawn"]) == (["audit.view"], ["elders.export"])
    marks = {mark["code"]: mark for mark in body["permission_marks"]}
    assert [mark["code"] for mark in body["permission_marks"]] == [str(p) for p in Perm]
    assert marks["elders.view"] == {"code": "elders.view", "label": "查看老年人档案", "held": True, "source": "role"}
    assert marks["audit.view"] == {"code": "audit.view", "label": "查看审计日志", "held": True, "source": "granted"}
    assert marks["elders.export"] == {
        "code": "elders.export",
        "label": "导出列表",
        "held": False,
        "source": "withdrawn",
    }
    assert marks["beds.manage"] == {"code": "beds.manage", "label": "管理床位与入住", "held": False, "source": "none"}


def test_list_shows_effective_permissions_and_deviations(world):
    response = api(world, "bureau").get("/api/v1/users/", {"page_size": 200})
    rows = {row["username"]: row for row in response.json()["results"]}
    assert rows["street0_readonly"]["permissions"] == ["areas.view", "elders.view", "organisations.view"]
    assert rows["street0_readonly"]["permissions_granted"] == []
    assert rows["street0_readonly"]["permissions_withdrawn"] == sorted(
        STREET - {"areas.view", "elders.view", "organisations.view"}
    )
    assert rows["street0"]["permissions"] == sorted(STREET)
    assert (rows["street0"]["permissions_granted"], rows["street0"]["permissions_withdrawn"]) == ([], [])


def test_officer_grants_and_withdraws_single_permissions(world):
    # given
    account = world.users["street0"]
    # when
    response = api(world, "bureau").patch(
        f"/api/v1/users/{account.public_id}/permissions/",
        {"grant": ["audit.view"], "withdraw": ["elders.export"]},
        format="json",
    )
    # then
    assert response.status_code == 200, response.json()
    assert response.json()["permissions"] == sorted((STREET | {"audit.view"}) - {"elders.export"})
    assert stored(account) == (["audit.view"], ["elders.export"])
    assert user_perms(account) == (STREET | {"audit.view"}) - {"elders.export"}
    assert change_events(account) == [
        (
            "修改账号权限：授予 audit.view；收回 elders.export",
            ["permissions_granted", "permissions_withdrawn"],
            world.district.pk,
        )
    ]


def test_granting_a_withdrawn_default_restores_it_and_leaves_no_deviation(world):
    # given: the read-only account, every street default but three withdrawn
    account = world.users["street0_readonly"]
    # when
    response = api(world, "bureau").patch(
        f"/api/v1/users/{account.public_id}/permissions/", {"grant": sorted(STREET)}, format="json"
    )
    # then
    assert response.status_code == 200, response.json()
    assert stored(account) == ([], [])
    assert user_perms(account) == STREET
    [(summary, fields, _district)] = change_events(account)
    assert summary == "修改账号权限：授予 " + "、".join(
        sorted(STREET - {"areas.view", "elders.view", "organisations.view"})
    )
    assert fields == ["permissions_withdrawn"]


def test_every_problem_is_named_and_nothing_is_written(world):
    # given: an officer who does not hold audit.view themselves
    set_permissions(world.users["bureau"], *(frozenset(default_permissions("bureau_officer")) - {"audit.view"}))
    account = world.users["street0"]
    # when
    response = api(world, "bureau").patch(
        f"/api/v1/users/{account.public_id}/permissions/",
        {"grant": ["audit.view", "reports.view", "elders.view"], "withdraw": ["elders.view", "nothing"]},
        format="json",
    )
    # then
    assert response.status_code == 400
    assert [(e["field"], e["code"], e["reason"]) for e in response.json()["errors"]] == [
        ("grant", "not_held", "您本人没有“查看审计日志”权限，不能授予他人"),
        ("grant", "invalid_choice", "“reports.view”不是可选权限"),
        ("grant", "conflict", "“elders.view”不能同时授予和收回"),
        ("withdraw", "invalid_choice", "“nothing”不是可选权限"),
    ]
    assert stored(account) == ([], [])
    assert change_events(account) == []


def test_a_list_of_names_is_required(world):
    response = api(world, "bureau").patch(
        f"/api/v1/users/{world.users['street0'].public_id}/permissions/", {"grant": "audit.view"}, format="json"
    )
    assert response.status_code == 400
    assert [(e["field"], e["code"]) for e in response.json()["errors"]] == [("grant", "not_a_list")]


def test_a_change_that_changes_nothing_writes_nothing(world):
    account = world.users["street0"]
    response = api(world, "bureau").patch(
        f"/api/v1/users/{account.public_id}/permissions/",
        {"grant": ["elders.view"], "withdraw": ["audit.view"]},
        format="json",
    )
    assert response.status_code == 200
    assert stored(account) == ([], [])
    assert change_events(account) == []


def test_a_family_account_is_placed_by_its_elder(world):
    account = world.users["family0"]
    response = api(world, "bureau").patch(
        f"/api/v1/users/{account.public_id}/permissions/", {"withdraw": ["alerts.view"]}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert stored(account) == ([], ["alerts.view"])
    assert change_events(account) == [("修改账号权限：收回 alerts.view", ["permissions_withdrawn"], world.district.pk)]


# ----------------------------------------------------------------------------------- role change


def test_role_change_keeps_the_deviations_that_still_mean_something(world):
    # given: a street account with a grant and two withdrawals
    account = world.users["street0"]
    account.permissions_granted = ["beds.manage"]
    account.permissions_withdrawn = ["elders.export", "elders.import"]
    account.save(update_fields=["permissions_granted", "permissions_withdrawn"])
    # when: it becomes station staff (stations never had elders.import)
    response = api(world, "bureau").patch(
        f"/api/v1/users/{account.public_id}/",
        {
            "role": "station_staff",
            "area": str(world.communities[0][0].public_id),
            "organisation": str(world.orgs["station0"].public_id),
        },
        format="json",
    )
    # then
    assert response.status_code == 200, response.json()
    account = User.objects.get(pk=account.pk)
    assert (account.role, account.area, account.organisation) == (
        "station_staff",
        world.communities[0][0],
        world.orgs["station0"],
    )
    assert stored(account) == (["beds.manage"], ["elders.export"])
    assert user_perms(account) == (STATION | {"beds.manage"}) - {"elders.export"}
    [(summary, fields, district)] = change_events(account)
    assert summary.startswith("修改账号角色（街道工作人员 → 养老服务站工作人员）；")
    assert fields == ["area", "organisation", "permissions_withdrawn", "role"]
    assert district == world.district.pk


def test_role_change_drops_a_grant_the_new_role_has_by_default(world):
    # given: a station account granted beds.manage
    account = world.users["station0"]
    account.permissions_granted = ["beds.manage"]
    account.save(update_fields=["permissions_granted"])
    # when: it becomes institution staff, whose role has beds.manage
    response = api(world, "bureau").patch(
        f"/api/v1/users/{account.public_id}/",
        {"role": "institution_staff", "area": None, "organisation": str(world.orgs["institution0"].public_id)},
        format="json",
    )
    # then
    assert response.status_code == 200, response.json()
    assert stored(account) == ([], [])
    assert user_perms(User.objects.get(pk=account.pk)) == frozenset(default_permissions("institution_staff"))


def test_role_change_is_checked_like_creation(world):
    account = world.users["street0"]
    response = api(world, "bureau").patch(
        f"/api/v1/users/{account.public_id}/",
        {"role": "station_staff", "organisation": str(world.orgs["institution0"].public_id)},
        format="json",
    )
    assert response.status_code == 400
    assert [(e["field"], e["code"]) for e in response.json()["errors"]] == [
        ("area", "invalid_level"),
        ("organisation", "invalid_kind"),
    ]
    account = User.objects.get(pk=account.pk)
    assert (account.role, account.organisation) == ("street_staff", None)
    assert change_events(account) == []


def test_role_change_to_the_same_place_writes_nothing(world):
    account = world.users["street0"]
    response = api(world, "bureau").patch(
        f"/api/v1/users/{account.public_id}/", {"role": "street_staff"}, format="json"
    )
    assert response.status_code == 200
    assert change_events(account) == []


# ----------------------------------------------------------------------------------------- pages


def test_account_page_shows_marks_and_saves_ticked_boxes(world):
    # given
    account = world.users["street0"]
    account.permissions_withdrawn = ["elders.import"]
    account.save(update_fields=["permissions_withdrawn"])
    client = page(world, "bureau")
    # when
    text = client.get(f"/staff/{account.public_id}/").content.decode()
    # then
    assert 'data-testid="perm-elders.view" data-source="role"' in text
    assert 'data-testid="perm-elders.import" data-source="withdrawn"' in text
    assert 'data-testid="perm-audit.view" data-source="none"' in text
    assert "已收回" in text and "角色默认" in text
    # when: untick elders.export, tick audit.view and elders.import
    ticked = sorted((STREET - {"elders.export"}) | {"audit.view"})
    response = client.post(f"/staff/{account.public_id}/", {"permissions": ticked})
    # then
    assert response.status_code == 302
    assert response["Location"] == f"/staff/{account.public_id}/"
    assert stored(account) == (["audit.view"], ["elders.export"])
    assert change_events(account) == [
        (
            "修改账号权限：授予 audit.view、elders.import；收回 elders.export",
            ["permissions_granted", "permissions_withdrawn"],
            world.district.pk,
        )
    ]
    text = client.get(f"/staff/{account.public_id}/").content.decode()
    assert 'data-testid="perm-audit.view" data-source="granted"' in text


def test_account_page_shows_the_reason_a_save_was_refused(world):
    # given: an officer without audit.view
    set_permissions(world.users["bureau"], *(frozenset(default_permissions("bureau_officer")) - {"audit.view"}))
    account = world.users["street0"]
    client = page(world, "bureau")
    # then: the box for a permission the officer cannot grant is disabled
    text = client.get(f"/staff/{account.public_id}/").content.decode()
    assert 'value="audit.view" id="perm-box-audit.view" disabled' in text
    # when: posted anyway
    response = client.post(f"/staff/{account.public_id}/", {"permissions": sorted(STREET | {"audit.view"})})
    # then
    assert response.status_code == 400
    assert "您本人没有“查看审计日志”权限，不能授予他人" in response.content.decode()
    assert stored(account) == ([], [])


def test_staff_list_page_links_each_account_and_counts_deviations(world):
    text = page(world, "bureau").get("/staff/").content.decode()
    readonly = world.users["street0_readonly"]
    assert f'<a href="/staff/{readonly.public_id}/">street0_readonly</a>' in text
    withdrawn = len(STREET) - 3
    assert f"额外授予 0 项，收回 {withdrawn} 项" in text
    assert text.count('data-testid="staff-row"') == User.objects.count()


def test_home_links_account_management_for_officers_only(world):
    assert 'data-testid="staff-link"' in page(world, "bureau").get("/").content.decode()
    assert 'data-testid="staff-link"' not in page(world, "health_officer").get("/").content.decode()
