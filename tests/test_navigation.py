"""The menu fits the role and reaches every page; the language switch names each language in its
own name in every UI."""

import re

import pytest
from django.test import Client
from django.urls import resolve, reverse

from yiyang.core.testing import set_permissions


def page(user, path="/", language=None) -> str:
    client = Client()
    client.force_login(user)
    if language:
        client.cookies["django_language"] = language
    response = client.get(path)
    assert response.status_code == 200
    return response.content.decode()


def navbar(html: str) -> str:
    match = re.search(r'<nav class="navbar.*?</nav>', html, re.S)
    assert match
    return match.group(0)


def entries(html: str) -> set[str]:
    return set(re.findall(r'data-testid="nav-([a-z-]+)"', navbar(html)))


def hrefs(html: str) -> set[str]:
    return set(re.findall(r'href="([^"#]+)"', navbar(html)))


ALL_STAFF_PAGES = {"home", "elders", "alerts", "alert-sla", "assessments", "assessment-due", "assessment-policy",
                   "devices", "pending-devices", "dead-letters", "organisations", "occupancy", "monitoring-rules",
                   "areas", "staff", "audit", "api", "password-change", "logout", "benefits-menu",
                   "benefits-applications", "benefits-entitlements", "benefits-payroll", "benefits-budget",
                   "benefits-policy"}  # fmt: skip


def test_the_bureau_menu_holds_every_section(world):
    found = entries(page(world.users["bureau"]))
    assert found >= ALL_STAFF_PAGES


def test_street_staff_get_devices_and_their_queues_but_no_admin_pages(world):
    found = entries(page(world.users["street0"]))
    assert {"elders", "alerts", "assessments", "devices", "pending-devices", "dead-letters", "areas"} <= found
    assert not {"staff", "audit", "alert-sla"} & found


def test_a_community_station_is_not_offered_the_device_queues_and_is_refused_them(world):
    user = world.users["station0"]
    found = entries(page(user))
    assert "devices" in found
    assert not {"pending-devices", "dead-letters"} & found
    client = Client()
    client.force_login(user)
    for name in ("pending-device-list", "dead-letter-list"):
        response = client.get(reverse(name))
        assert response.status_code == 403
        assert (
            "待登记设备和无法解析的消息只对持有“登记、绑定和管理监测设备”权限的街道级、区级和全平台账号开放"
            in response.content.decode()
        )


def test_the_pending_device_queue_has_one_name_in_the_menu_the_card_and_the_page(world):
    user = world.users["street0"]
    html = page(user)
    assert re.search(r'data-testid="nav-pending-devices">待登记设备<', navbar(html))
    assert '<h1 class="h4 mb-3">待登记设备</h1>' in page(user, reverse("pending-device-list"))
    assert "待绑定设备" not in html


@pytest.mark.parametrize("key", ["helper0", "family0"])
def test_helpers_and_family_get_the_short_menu_without_the_api(key, world):
    found = entries(page(world.users[key]))
    assert {"home", "elders"} <= found
    assert not {"api", "admin-menu", "assessments-menu", "devices-menu", "organisations-menu", "areas"} & found
    assert "/api/docs/" not in hrefs(page(world.users[key]))


def test_an_account_without_rights_still_has_home_and_its_own_menu(world):
    found = entries(page(world.users["street0_noright"]))
    assert {"home", "password-change", "logout"} <= found
    assert not {"elders", "alerts", "devices", "areas"} & found


# The one menu entry that redirects by design: an account with a single district goes straight to its rules.
MENU_REDIRECTS = {"/monitoring/rules/": [("monitoring-district-rules", 302)]}


def test_each_menu_entry_opens_for_the_account_it_is_shown_to(world):
    for key in ("bureau", "street0", "station0", "institution0", "medical0", "helper0", "family0", "health_officer"):
        user = world.users[key]
        client = Client()
        client.force_login(user)
        for href in hrefs(page(user)):
            if href.startswith("/api/"):
                continue
            # Followed, so a redirect to /login/ or / (a "no right" bounce) shows up in the chain.
            response = client.get(href, follow=True)
            hops = [(resolve(url).url_name, status) for url, status in response.redirect_chain]
            assert (response.status_code, hops) == (200, MENU_REDIRECTS.get(href, [])), (key, href)


# Pages (no URL argument, GET) not in the menu, and the page in the menu that links to each.
REACHED_FROM = {
    "elder-create": "elder-list",
    "elder-import": "elder-list",
    "elder-export": "elder-list",
    "elder-import-template": "elder-import",
    "organisation-create": "organisation-list",
    "organisation-export": "organisation-list",
    "device-create": "device-list",
    "audit-export": "audit-list",
    "benefit-application-create": "benefit-application-list",
    "benefit-application-import": "benefit-application-list",
    "benefit-application-import-template": "benefit-application-import",
    "benefits-policy-files": "benefits-policy",
    "benefits-policy-what-if": "benefits-policy",
}
NOT_PAGES = {"alert-stream", "login", "logout", "login-second-factor"}


def web_page_names() -> set[str]:
    from django.urls import NoReverseMatch, get_resolver

    names = set()
    for name in get_resolver().reverse_dict:
        if not isinstance(name, str):
            continue
        try:
            path = reverse(name)
        except NoReverseMatch:
            continue  # takes an argument: a record's page, reached from its list
        if not path.startswith(("/api/", "/admin/", "/i18n/", "/jsi18n/")):
            names.add(name)
    return names - NOT_PAGES


def test_every_page_is_in_the_bureau_menu_or_linked_from_a_page_that_is(world):
    bureau = world.users["bureau"]
    menu = hrefs(page(bureau))

    def reachable(name: str) -> bool:
        path = reverse(name)
        if path in menu:
            return True
        parent = REACHED_FROM.get(name)
        return parent is not None and reachable(parent) and f'href="{path}' in page(bureau, reverse(parent))

    assert [name for name in sorted(web_page_names()) if not reachable(name)] == []


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_language_switch_names_each_language_in_its_own_name(world, language):
    html = page(world.users["street0"], language=language)
    switch = re.search(r'data-testid="language-switch".*?</form>', html, re.S).group(0)
    options = re.findall(r'<option value="([^"]+)"[^>]*>([^<]*)</option>', switch)
    assert options == [("zh-hans", "简体中文"), ("en", "English")]
    selected = re.search(r'<option value="([^"]+)"[^>]*selected>([^<]+)</option>', switch)
    assert selected and selected.group(1) == language
    assert "英语" not in switch


def test_an_account_with_a_right_granted_sees_its_entry(world):
    user = set_permissions(world.users["street0_noright"], "audit.view")
    assert "audit" in entries(page(user))
