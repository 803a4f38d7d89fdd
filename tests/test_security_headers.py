"""Security headers on every response, and pages that keep to the Content-Security-Policy.

The CSP allows no inline script and no inline style, so every page is rendered here (the GET pages of
every permission matrix, asked by the account that has the right) and searched for what the browser
would refuse: <script> without src (other than JSON data blocks), on* handler attributes,
javascript: URLs, style attributes and <style> elements. tests/browser/test_csp.py checks the same in
a real browser.
"""

from html.parser import HTMLParser
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.template.loader import render_to_string
from django.test import Client, override_settings
from django.urls import path
from rest_framework.test import APIClient

from config.urls import urlpatterns as project_urlpatterns
from yiyang.core.security import DEFAULT_CONTENT_SECURITY_POLICY, REDOC_CONTENT_SECURITY_POLICY
from yiyang.core.testing import World

MATRICES = [
    "tests.test_permission_matrix",
    "yiyang.organisations.tests.test_permission_matrix",
    "yiyang.assessments.tests.test_permission_matrix",
    "yiyang.alerts.tests.test_permission_matrix",
    "yiyang.devices.tests.test_permission_matrix",
    "yiyang.monitoring.tests.test_permission_matrix",
    "yiyang.benefits.tests.test_permission_matrix",
]


class InlineCodeFinder(HTMLParser):
    """Collects every place of an HTML page that a CSP without 'unsafe-inline' refuses."""

    def __init__(self) -> None:
        super().__init__()
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = dict(attrs)
        if tag == "script" and not named.get("src") and named.get("type") != "application/json":
            self.problems.append(f"inline <script {attrs}>")
        if tag == "style":
            self.problems.append("<style> element")
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=...> handler")
            if name == "style":
                self.problems.append(f"<{tag} style={value!r}>")
            if name.startswith("hx-on"):
                self.problems.append(f"<{tag} {name}=...> htmx handler")
            if value and value.strip().lower().startswith("javascript:"):
                self.problems.append(f"<{tag} {name}={value!r}>")


def inline_code(html: str) -> list[str]:
    finder = InlineCodeFinder()
    finder.feed(html)
    return finder.problems


def page_cases() -> list[Any]:
    import importlib

    params = []
    for module_name in MATRICES:
        module = importlib.import_module(module_name)
        for case in module.CASES:
            if case.page and case.method == "get":
                params.append(
                    pytest.param(
                        module,
                        case,
                        id=f"{module_name.split('.')[-3] if module_name.startswith('yiyang') else 'project'}:{case.id}",
                    )
                )
    return params


def test_the_inline_code_finder_finds_what_the_csp_refuses():
    html = (
        '<script>alert(1)</script><script src="/static/a.js"></script><script type="application/json">{}</script>'
        '<select onchange="go()"></select><a href="javascript:go()">x</a><div style="height:1px"></div>'
        '<style>p{}</style><button hx-on:click="go()"></button>'
    )
    assert len(inline_code(html)) == 6


@pytest.mark.parametrize(("module", "case"), page_cases())
def test_every_page_keeps_to_the_content_security_policy(world, module, case):
    from yiyang.core.testing import grant_permissions

    matrix_world: World = module.matrix_world.__wrapped__(world)
    user = matrix_world.users[getattr(case, "right", "street0")]
    if getattr(case, "grant", ()):  # rows that grant the right just for the call (organisations)
        grant_permissions(user, *case.grant)
    client = Client()
    client.force_login(user)
    data = case.data(matrix_world) if case.data else None
    response = client.get(case.path(matrix_world), data)
    assert response.status_code == case.ok, response.content[:300]
    assert response["Content-Security-Policy"] == DEFAULT_CONTENT_SECURITY_POLICY
    if response["Content-Type"].startswith("text/html"):
        assert inline_code(response.content.decode()) == []


# The admin's own login redirects to /login/ (accounts.admin), so /login/ covers it.
@pytest.mark.parametrize("url", ["/login/", "/api/docs/", "/api/redoc/"])
def test_public_pages_keep_to_the_content_security_policy(db, url):
    response = Client().get(url)
    assert response.status_code == 200
    if url == "/api/redoc/":  # styled-components and a blob: search worker; scripts still 'self' only
        assert response["Content-Security-Policy"] == REDOC_CONTENT_SECURITY_POLICY
        assert "script-src 'self';" in REDOC_CONTENT_SECURITY_POLICY
        assert "style-src 'self' 'unsafe-inline';" in REDOC_CONTENT_SECURITY_POLICY
    else:
        assert response["Content-Security-Policy"] == DEFAULT_CONTENT_SECURITY_POLICY
    assert inline_code(response.content.decode()) == []


def test_swagger_ui_loads_its_init_script_as_a_file(db):
    page = Client().get("/api/docs/").content.decode()
    assert 'src="/api/docs/?script="' in page
    script = Client().get("/api/docs/?script=")
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle" in script.content.decode()


@pytest.mark.parametrize("url", ["/admin/", "/admin/accounts/user/", "/admin/accounts/user/add/"])
def test_admin_pages_keep_to_the_content_security_policy(world, url):
    from yiyang.accounts.models import User

    admin = User.objects.create_superuser(username="root", password="Root-pass-123456")
    client = Client()
    client.force_login(admin)
    response = client.get(url)
    assert response.status_code == 200
    assert inline_code(response.content.decode()) == []


# ---------------------------------------------------------------------------------------------------
# Headers
# ---------------------------------------------------------------------------------------------------


def assert_security_headers(response: Any) -> None:
    assert response["Content-Security-Policy"] == (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
        "frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'"
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["Permissions-Policy"] == "camera=(), microphone=(), geolocation=()"


def test_the_login_page_sends_the_security_headers(db):
    response = Client().get("/login/")
    assert response.status_code == 200
    assert_security_headers(response)


def test_a_signed_in_page_is_not_stored(world):
    client = Client()
    client.force_login(world.users["street0"])
    response = client.get("/elders/")
    assert response.status_code == 200
    assert_security_headers(response)
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


def test_an_api_response_is_not_stored(world):
    client = APIClient()
    client.force_authenticate(world.users["street0"])
    response = client.get("/api/v1/elders/")
    assert response.status_code == 200
    assert_security_headers(response)
    assert "no-store" in response["Cache-Control"]


def test_an_api_refusal_is_not_stored_either(db):
    response = APIClient().get("/api/v1/elders/")
    assert response.status_code == 401
    assert "no-store" in response["Cache-Control"]


def test_a_token_authenticated_api_response_is_not_stored(world):
    from rest_framework.authtoken.models import Token

    token = Token.objects.create(user=world.users["street0"])
    response = Client().get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {token.key}")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


# ---------------------------------------------------------------------------------------------------
# Error pages
# ---------------------------------------------------------------------------------------------------


def bad_request(request: Any) -> Any:
    raise SuspiciousOperation("crafted")


def forbidden(request: Any) -> Any:
    raise PermissionDenied("secret reason")


def crash(request: Any) -> Any:
    raise RuntimeError("boom")


urlpatterns = [
    *project_urlpatterns,
    path("__test__/400/", bad_request),
    path("__test__/403/", forbidden),
    path("__test__/500/", crash),
]


@override_settings(ROOT_URLCONF=__name__, DEBUG=False)
@pytest.mark.parametrize(
    ("url", "status", "heading"),
    [
        ("/__test__/400/", 400, "请求有误"),
        ("/__test__/403/", 403, "无权访问"),
        ("/no-such-page/", 404, "页面不存在"),
        ("/__test__/500/", 500, "服务器出错"),
    ],
)
def test_error_pages_are_ours(world, url, status, heading):
    client = Client(raise_request_exception=False)
    client.force_login(world.users["street0"])
    response = client.get(url)
    assert response.status_code == status
    html = response.content.decode()
    assert 'data-testid="error-page"' in html
    assert f'data-status="{status}"' in html
    assert heading in html
    assert "bootstrap.min.css" in html  # the site's own layout, not Django's plain page
    assert "secret reason" not in html and "boom" not in html and "crafted" not in html
    assert inline_code(html) == []
    assert_security_headers(response)


@override_settings(ROOT_URLCONF=__name__, DEBUG=False)
def test_the_404_page_for_anonymous_visitors(db):
    response = Client().get("/no-such-page/")
    assert response.status_code == 404
    assert 'data-status="404"' in response.content.decode()


def test_the_413_page_names_the_field_and_the_limit(rf):
    html = render_to_string("413.html", {"field": "备注", "limit": "2000 个字符"}, request=rf.get("/"))
    assert 'data-status="413"' in html
    assert "提交的内容过大" in html
    assert "“备注”超过上限 2000 个字符。" in html
    assert inline_code(html) == []
