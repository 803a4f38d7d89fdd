"""Every HTML error answers in the site layout: the menu for a signed-in account (none for an
anonymous visitor), what is missing, whom to ask, and for a 403 the reason the code knows (the
missing permission by its label). Under /api/ errors stay JSON."""

import re

import pytest
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.test import Client, RequestFactory

from yiyang.core import web
from yiyang.core.errors import Forbidden, NotFound

NAV = 'data-testid="navbar"'


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def error_status(html: str) -> str:
    match = re.search(r'data-testid="error-page" data-status="(\d+)"', html)
    assert match, html[:500]
    return match.group(1)


def error_page(response: HttpResponse, status: int, *, menu: bool = True) -> str:
    """The page's markup, once it is the `status` error page in the layout, with the menu or (for an
    anonymous visitor) without it."""
    html = response.content.decode()
    assert response.status_code == status
    assert error_status(html) == str(status)
    assert (NAV in html) is menu
    return html


def reason_of(html: str) -> str:
    match = re.search(r'data-testid="error-reason">([^<]*)<', html)
    return match.group(1) if match else ""


def test_a_403_from_a_plain_page_names_the_missing_permission_in_the_layout(world):
    html = error_page(signed_in(world.users["street0_noright"]).get("/areas/"), 403)
    assert reason_of(html) == "原因：缺少权限：查看行政区域"
    assert 'data-testid="error-ask"' in html
    # Whom to ask: the account's own unit.
    assert "第1街道" in re.search(r'data-testid="error-ask">([^<]*)<', html).group(1)


def test_a_403_from_require_perm_names_the_permission(world):
    html = error_page(signed_in(world.users["street0_noright"]).get("/staff/"), 403)
    assert reason_of(html) == "原因：缺少权限：管理工作人员账号"


def test_a_403_is_in_english_with_the_permission_label_in_english(world):
    client = signed_in(world.users["street0_noright"])
    client.cookies["django_language"] = "en"
    html = error_page(client.get("/areas/"), 403)
    assert reason_of(html) == "Reason: Missing permission: View administrative areas"


def test_a_404_for_a_signed_in_account_is_in_the_layout_without_django_internals(world):
    html = error_page(signed_in(world.users["street0"]).get("/no-such-page/"), 404)
    assert "tried" not in html and "{&#x27;" not in html and "{'" not in html
    assert reason_of(html) == ""
    # A signed-in account is told whom to ask.
    assert 'data-testid="error-ask"' in html


def test_a_404_from_a_domain_not_found_gives_its_message(world):
    html = error_page(signed_in(world.users["street0"]).get("/elders/not-a-uuid/"), 404)
    assert reason_of(html) == "原因：老年人档案不存在"


def test_an_anonymous_404_shows_no_menu(db):
    html = error_page(Client().get("/no-such-page/"), 404, menu=False)
    assert 'data-testid="current-user"' not in html
    # Nobody to ask for a visitor who has no unit.
    assert 'data-testid="error-ask"' not in html


def test_a_get_on_a_post_only_address_is_a_405_page_in_the_layout(world):
    response = signed_in(world.users["street0"]).get("/alerts/00000000-0000-0000-0000-000000000000/acknowledge/")
    error_page(response, 405)
    assert response["Allow"] == "POST"


def test_an_anonymous_405_shows_no_menu(db):
    error_page(Client().get("/alerts/00000000-0000-0000-0000-000000000000/acknowledge/"), 405, menu=False)


def test_a_csrf_failure_is_a_403_page_in_the_layout(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.users["street0"])
    html = error_page(client.post("/password/change/", {"old_password": "x"}), 403)
    assert "页面已过期" in html
    assert "CSRF verification failed" not in html


def test_api_errors_stay_json(world):
    response = signed_in(world.users["street0"]).get("/api/v1/no-such-thing/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["status"] == 404


@pytest.fixture
def rf_user(world):
    request = RequestFactory().get("/elders/")
    request.user = world.users["street0"]
    return request


def test_the_400_page_has_the_menu(rf_user):
    error_page(web.bad_request(rf_user, None), 400)


def test_the_500_page_has_the_menu(rf_user):
    error_page(web.server_error(rf_user), 500)


def test_the_500_page_is_rendered_without_the_request_if_that_fails(rf_user, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("database gone")

    monkeypatch.setattr(web, "error_response", broken)
    response = web.server_error(rf_user)
    assert response.status_code == 500
    assert error_status(response.content.decode()) == "500"


def test_a_domain_error_escaping_a_plain_page_is_a_403_or_404_page(rf_user):
    middleware = web.ErrorPageMiddleware(lambda request: HttpResponse())
    forbidden = middleware.process_exception(rf_user, Forbidden("缺少权限：查看告警"))
    assert forbidden is not None and forbidden.status_code == 403
    assert reason_of(forbidden.content.decode()) == "原因：缺少权限：查看告警"
    missing = middleware.process_exception(rf_user, NotFound("老年人不存在"))
    assert missing is not None and missing.status_code == 404
    assert reason_of(missing.content.decode()) == "原因：老年人不存在"
    assert middleware.process_exception(rf_user, ValueError()) is None


def test_a_forbidden_without_a_message_shows_no_english_title(rf_user):
    html = web.permission_denied(rf_user, PermissionDenied()).content.decode()
    assert reason_of(html) == ""


def test_a_body_over_the_limit_is_a_413_page_with_the_menu(world, settings):
    settings.YIYANG_MAX_REQUEST_BODY_BYTES = 100
    settings.YIYANG_MAX_UPLOAD_BYTES = 100  # the test client posts a form as multipart
    response = signed_in(world.users["street0"]).post("/password/change/", {"old_password": "x" * 500})
    html = response.content.decode()
    assert response.status_code == 413
    assert 'data-status="413"' in html
    assert NAV in html
