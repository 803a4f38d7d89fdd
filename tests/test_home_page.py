"""The role home page: which cards each kind of account gets (from the home-card registry), what each
card counts (never beyond the reach), the hint an empty card gives, and the one definition of
"elders on the roll" shared by the home page, the elder list and `yiyang demo_logins`."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from yiyang.accounts.models import User
from yiyang.alerts.choices import CloseCode
from yiyang.alerts.models import Alert
from yiyang.alerts.tests.support import alert_row
from yiyang.assessments.models import Assessment
from yiyang.assessments.services import assessment_return
from yiyang.assessments.tests.support import confirmed, draft, submitted
from yiyang.core.testing import World, create_elder
from yiyang.core.workspace import home_cards
from yiyang.demo.logins import demo_login_rows
from yiyang.devices.models import Device, PendingDevice
from yiyang.elders.choices import ElderStatus
from yiyang.elders.models import Elder, HelperAssignment

pytestmark = pytest.mark.django_db

CARD = re.compile(r'<section class="card[^"]*" data-testid="card-([a-z-]+)"')


def page(user: User) -> str:
    client = Client()
    client.force_login(user)
    response = client.get("/")
    assert response.status_code == 200
    return response.content.decode()


def cards_of(html: str) -> list[str]:
    return CARD.findall(html)


def card_html(html: str, testid: str) -> str:
    """The markup of one card, from its opening tag to the end of its section."""
    start = html.index(f'data-testid="card-{testid}"')
    return html[start : html.index("</section>", start)]


def value(html: str, testid: str) -> str:
    found = re.search(rf'data-testid="{testid}">([^<]*)<', html)
    assert found, testid
    return found.group(1).strip()


# The card keys each kind of account sees, in page order: what /work/notes/home-cards.md publishes.
EXPECTED = {
    "bureau": [
        "elders-overview",
        "alerts-open",
        "assessments-review",
        "organisations-beds",
        "devices-attention",
        "benefits-payroll",
        "benefits-queue",
    ],
    "health_officer": ["elders-overview", "alerts-open", "assessments-review", "organisations-beds"],
    "street0": [
        "elders-overview",
        "alerts-open",
        "assessments-worklist",
        "assessments-due",
        "devices-attention",
        "benefits-queue",
    ],
    "centre0": ["elders-overview", "alerts-open", "assessments-due", "devices-attention"],
    "station0": ["elders-overview", "alerts-open", "assessments-due", "devices-attention"],
    "institution0": ["assessments-worklist", "assessments-due", "organisations-beds", "benefits-institution"],
    "medical0": ["alerts-open", "assessments-review", "assessments-worklist"],
    "helper0": ["elders-mine", "alerts-open", "assessments-reassess", "assessments-latest"],
    "family0": ["elders-mine", "alerts-open", "assessments-latest"],
    "street0_noright": [],
}
HEADINGS = {
    "bureau": "辖区概况",
    "street0": "我的工作",
    "institution0": "我的工作",
    "helper0": "我的老人",
    "family0": "我的家人",
}


@pytest.mark.parametrize("username", sorted(EXPECTED))
def test_each_role_sees_exactly_its_cards(world: World, username: str) -> None:
    html = page(world.users[username])
    assert cards_of(html) == EXPECTED[username]
    if username in HEADINGS:
        assert value(html, "home-heading") == HEADINGS[username]
    assert 'data-testid="password-change-link"' in html


def test_superuser_sees_the_district_cards(world: World) -> None:
    admin = User.objects.create_superuser(username="root", password="x-Long-enough-1")
    assert cards_of(page(admin)) == [
        "elders-overview",
        "alerts-open",
        "assessments-review",
        "organisations-beds",
        "devices-attention",
        "benefits-payroll",
        "benefits-queue",
    ]


def test_every_registered_card_is_named_in_the_published_table(world: World) -> None:
    shown = {key for keys in EXPECTED.values() for key in keys}
    assert {key.replace(".", "-") for key in [entry.key for entry in home_cards.ordered()]} == shown


@pytest.mark.parametrize("username", ["helper0", "family0"])
def test_helper_and_family_never_see_district_figures(world: World, username: str) -> None:
    html = page(world.users[username])
    assert "card-organisations-beds" not in html and "card-elders-overview" not in html
    assert "机构床位入住" not in html and "各街道老年人数" not in html
    assert 'id="by-street"' not in html


def test_an_account_without_rights_is_told_whom_to_ask(world: World) -> None:
    html = page(world.users["street0_noright"])
    assert 'data-testid="home-no-cards"' in html and "账号管理员" in html


# --- elders -----------------------------------------------------------------------------------------


def test_overview_counts_the_roll_in_reach_only(world: World) -> None:
    create_elder(world, 0, 31, name="加31老人", status=ElderStatus.MOVED_OUT)
    create_elder(world, 0, 32, name="加32老人", status=ElderStatus.DECEASED)
    create_elder(world, 1, 33, name="加33老人")
    street0 = card_html(page(world.users["street0"]), "elders-overview")
    assert value(street0, "elder-total") == "2"
    assert 'id="by-street"' not in street0  # the chart is the district's
    bureau = card_html(page(world.users["bureau"]), "elders-overview")
    assert value(bureau, "elder-total") == "5"
    assert 'id="by-street"' in bureau


def test_one_definition_of_elders_on_the_roll(world: World) -> None:
    """Home page, elder list and demo_logins all count the elders on the roll (active) in reach: a
    moved-out and a deceased elder are counted by none of them."""
    create_elder(world, 0, 31, name="加31老人", status=ElderStatus.MOVED_OUT)
    create_elder(world, 1, 32, name="加32老人", status=ElderStatus.DECEASED)
    bureau = world.users["bureau"]
    home_total = value(page(bureau), "elder-total")
    client = Client()
    client.force_login(bureau)
    list_count = re.search(r'data-testid="elder-count">[^0-9]*([0-9,]+)', client.get("/elders/").content.decode())
    assert list_count is not None
    login = next(row for row in demo_login_rows() if row.username == "bureau")
    demo_count = re.search(r"在册老年人 ([0-9,]+) 名", login.scope)
    assert demo_count is not None
    assert home_total == list_count.group(1) == demo_count.group(1) == "4"


def test_my_elders_lists_the_helpers_and_the_familys_own(world: World) -> None:
    helper = card_html(page(world.users["helper0"]), "elders-mine")
    assert helper.count('data-testid="my-elder"') == 1
    assert "elder0老人" in helper and "elder1老人" not in helper
    assert f'href="/elders/{world.elders["elder0"].public_id}/"' in helper
    family = card_html(page(world.users["family1"]), "elders-mine")
    assert "elder1老人" in family and "elder0老人" not in family


def test_a_helper_without_elders_is_told_whom_to_ask(world: World) -> None:
    world.elders["elder0"].helper_assignments.update(until=timezone.localdate())
    html = card_html(page(world.users["helper0"]), "elders-mine")
    assert value(html, "card-empty-hint") == "还没有为您分配老人。请联系所在社区的养老服务站。"


# --- beds ------------------------------------------------------------------------------------------


def test_beds_district_wide_and_of_the_own_institution(world: World) -> None:
    bureau = card_html(page(world.users["bureau"]), "organisations-beds")
    assert value(bureau, "beds-occupied") == "2 / 6 张"
    institution = card_html(page(world.users["institution0"]), "organisations-beds")
    assert value(institution, "beds-occupied") == "1 / 3 张"
    assert value(institution, "beds-free") == "2"
    assert value(institution, "beds-admitted-month") == "0"  # the world's stays began in 2025


# --- assessments -----------------------------------------------------------------------------------


def test_review_card_lists_submitted_records_in_reach(world: World) -> None:
    record = submitted(world, assessor="street0", elder="elder0")
    medical0 = card_html(page(world.users["medical0"]), "assessments-review")
    assert value(medical0, "card-count") == "1"
    assert f'href="/assessments/{record.public_id}/"' in medical0
    medical1 = card_html(page(world.users["medical1"]), "assessments-review")
    assert value(medical1, "card-empty-hint") == "暂无待审核的评估。评估员提交后会出现在这里。"


def test_worklist_holds_the_assessors_own_drafts(world: World) -> None:
    record = draft(world, assessor="street0", elder="elder0")
    street0 = card_html(page(world.users["street0"]), "assessments-worklist")
    assert value(street0, "card-count") == "1" and str(record.public_id) in street0
    institution0 = card_html(page(world.users["institution0"]), "assessments-worklist")
    assert 'data-testid="card-empty-hint"' in institution0


def test_due_card_counts_what_the_due_list_lists_in_reach(world: World) -> None:
    lapsed = confirmed(world, assessor="street0", elder="elder0")
    Assessment.objects.filter(pk=lapsed.pk).update(valid_until=timezone.localdate() - timedelta(days=1))
    lapsing = confirmed(world, assessor="street0", elder="resident0")
    Assessment.objects.filter(pk=lapsing.pk).update(valid_until=timezone.localdate() + timedelta(days=5))
    assessment_return(actor=world.users["medical0"], assessment=submitted(world, elder="elder0"), reason="缺项")
    street0 = card_html(page(world.users["street0"]), "assessments-due")
    assert value(street0, "due-lapsed") == "1"
    assert value(street0, "due-lapsing") == "1"
    assert value(street0, "due-returned") == "1"
    station1 = card_html(page(world.users["station1"]), "assessments-due")
    assert 'data-testid="card-empty-hint"' in station1


def test_latest_level_for_the_family(world: World) -> None:
    record = confirmed(world, assessor="street0", elder="elder0")
    family0 = card_html(page(world.users["family0"]), "assessments-latest")
    assert record.level_name and record.level_name in family0
    family1 = card_html(page(world.users["family1"]), "assessments-latest")
    assert "暂无有效的能力评估结果" in family1 and record.level_name not in family1


# --- alerts and devices ----------------------------------------------------------------------------


def open_alert(elder: Elder, alert_type: str, severity: str, closed: bool = False) -> Alert:
    now = timezone.now()
    return alert_row(
        elder,
        alert_type,
        severity,
        now,
        status="resolved" if closed else "open",
        closed_at=now if closed else None,
        close_code=CloseCode.TRUE_EMERGENCY if closed else "",
    )


def test_open_alerts_by_severity_in_reach(world: World) -> None:
    open_alert(world.elders["elder0"], "sos", "emergency")
    open_alert(world.elders["elder0"], "fall", "emergency", closed=True)
    open_alert(world.elders["resident0"], "hr_high", "urgent")
    street0 = card_html(page(world.users["street0"]), "alerts-open")
    assert value(street0, "alerts-emergency") == "紧急 1"
    assert value(street0, "alerts-urgent") == "重要 1"
    assert street0.count('data-testid="card-row"') == 2
    family0 = card_html(page(world.users["family0"]), "alerts-open")
    assert family0.count('data-testid="card-row"') == 1  # their elder's only
    family1 = card_html(page(world.users["family1"]), "alerts-open")
    assert value(family1, "card-empty-hint").startswith("您的家人目前没有未处理的告警")


ROW_LINK = re.compile(r'data-testid="card-row">\s*<div[^>]*>\s*<a href="([^"]*)">([^<]*)</a>')


def test_a_helpers_alerts_are_a_to_do_list_waiting_ones_first_each_with_its_next_step(world: World) -> None:
    elder0, elder1 = world.elders["elder0"], world.elders["elder1"]
    now = timezone.now()
    on_scene = alert_row(elder0, "fall", "emergency", now - timedelta(hours=3), status="on_scene")
    sent_120 = alert_row(
        elder0, "sos", "emergency", now - timedelta(hours=2), status="dispatched", dispatch_target="emergency_120"
    )
    sent_me = alert_row(
        elder0, "inactivity", "urgent", now - timedelta(hours=4), status="dispatched", dispatch_target="helper"
    )
    acknowledged = alert_row(elder0, "heart_rate_high", "urgent", now - timedelta(hours=1), status="acknowledged")
    waiting_watch = alert_row(elder0, "late_wakeup", "watch", now - timedelta(minutes=50))
    waiting_urgent = alert_row(elder0, "heart_rate_low", "urgent", now - timedelta(minutes=10))
    alert_row(elder0, "battery_low", "technical", now, status="resolved", closed_at=now, close_code="other")
    alert_row(elder1, "sos", "emergency", now)  # helper1's elder
    helper0 = card_html(page(world.users["helper0"]), "alerts-open")
    # then: five rows (the card's limit), what waits for a response first, most severe first
    assert [href for href, _ in ROW_LINK.findall(helper0)] == [
        f"/alerts/{a.public_id}/" for a in (waiting_urgent, waiting_watch, acknowledged, sent_me, on_scene)
    ]
    assert re.findall(r'data-testid="alert-next-step">([^<]*)<', helper0) == [
        "待响应：请联系老人，确认情况后点“响应”",
        "待响应：请联系老人，确认情况后点“响应”",
        "已响应：请上门查看或派遣",
        "已派遣助老员：到场后点“已到场”",
        "已到场：处置完毕后关闭告警",
    ]
    assert str(sent_120.public_id) not in helper0
    assert "elder1老人" not in helper0
    # staff see the console's order, without the helper's steps
    street0 = card_html(page(world.users["street0"]), "alerts-open")
    assert street0.count('data-testid="card-row"') == 5 and "alert-next-step" not in street0


def test_a_helper_without_open_alerts_is_told_what_the_card_will_show(world: World) -> None:
    open_alert(world.elders["elder1"], "sos", "emergency")
    helper0 = card_html(page(world.users["helper0"]), "alerts-open")
    assert value(helper0, "card-empty-hint") == (
        "您负责的老人目前没有未关闭的告警。有新告警时会显示在这里，并写明下一步要做什么。"
    )


def test_a_helper_is_reminded_of_their_elders_lapsing_ability_records(world: World) -> None:
    today = timezone.localdate()
    station = world.orgs["station0"]
    placed = {"service_station": station, "medical_institution": world.orgs["health0"]}
    lapsed_elder = create_elder(world, 0, 40, name="过期老人", **placed)
    later_elder = create_elder(world, 0, 41, name="未到期老人", **placed)
    for elder in (lapsed_elder, later_elder):
        HelperAssignment.objects.create(elder=elder, helper=world.users["helper0"], since=today)
        world.elders[elder.name] = elder
    world.elders["elder0"].service_station = None
    world.elders["elder0"].save(update_fields=["service_station"])
    ending = {"elder0": 30, "过期老人": -1, "未到期老人": 31, "elder1": -5}
    for key, days in ending.items():
        record = confirmed(
            world,
            assessor="street0" if key != "elder1" else "street1",
            elder=key,
            reviewer="medical0" if key != "elder1" else "medical1",
        )
        Assessment.objects.filter(pk=record.pk).update(valid_until=today + timedelta(days=days))
    helper0 = card_html(page(world.users["helper0"]), "assessments-reassess")
    assert value(helper0, "card-count") == "2"
    assert [name for _, name in ROW_LINK.findall(helper0)] == ["过期老人", "elder0老人"]
    assert re.findall(r'data-testid="reassess-when">([^<]*)<', helper0) == [
        f"{today - timedelta(days=1):%Y-%m-%d} 已过期",
        f"{today + timedelta(days=30):%Y-%m-%d} 到期",
    ]
    assert re.findall(r'data-testid="reassess-step">([^<]*)<', helper0) == [
        f"请联系{station.name}安排复评",
        "请联系站点安排复评",
    ]
    assert "/assessments/" not in helper0  # a reminder, not an assessment link: helpers do not assess
    helper1 = card_html(page(world.users["helper1"]), "assessments-reassess")
    assert value(helper1, "card-count") == "1" and "elder1老人" in helper1 and "过期老人" not in helper1
    for other in ("family0", "street0"):
        assert "card-assessments-reassess" not in page(world.users[other])


def test_a_helper_with_nothing_to_reassess_is_told_when_it_will_show(world: World) -> None:
    record = confirmed(world, assessor="street0", elder="elder0")
    assert record.valid_until and record.valid_until > timezone.localdate() + timedelta(days=30)
    helper0 = card_html(page(world.users["helper0"]), "assessments-reassess")
    assert value(helper0, "card-empty-hint") == (
        "您负责的老人在30天内没有到期的能力评估。评估快到期时会出现在这里，届时请联系站点安排复评。"
    )


def test_devices_needing_attention_in_reach(world: World) -> None:
    Device.objects.create(
        kind="watch", protocol="iw_tcp", identifier="353456789012345", district=world.district, street=world.streets[0]
    )
    street0 = card_html(page(world.users["street0"]), "devices-attention")
    assert value(street0, "devices-offline") == "1"
    assert 'href="/devices/pending/"' in street0
    street1 = card_html(page(world.users["street1"]), "devices-attention")
    assert 'data-testid="card-empty-hint"' in street1


def test_a_community_station_card_counts_no_device_queues(world: World) -> None:
    PendingDevice.objects.create(
        protocol="iw_tcp", identifier="353456789012346", first_seen_at=timezone.now(), last_seen_at=timezone.now()
    )
    street0 = card_html(page(world.users["street0"]), "devices-attention")
    assert value(street0, "devices-pending") == "1"
    station0 = card_html(page(world.users["station0"]), "devices-attention")
    assert "devices-pending" not in station0 and "devices-undecodable" not in station0
    assert "/devices/pending/" not in station0 and "/devices/dead-letters/" not in station0


# --- numbers ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize(("number", "shown"), [(0, "0"), (999, "999"), (19778, "19,778"), (1234567, "1,234,567")])
def test_counts_have_thousands_separators_in_both_languages(number: int, shown: str, language: str) -> None:
    # The overview card itself, not just Django's filter: a world with 19,778 elders is too slow to build.
    from django.template.loader import render_to_string
    from django.utils import translation

    data = {"total": number, "registered": 0, "living_alone": 0}
    with translation.override(language):
        html = render_to_string("elders/cards/overview.html", {"data": data})
    assert f'data-testid="elder-total">{shown}<' in html


def test_cards_that_name_no_record_record_no_view(world: World) -> None:
    # Defect: every home-page load logged "查看列表（0条）" for each empty card.
    from yiyang.audit.models import AuditEvent

    before = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    page(world.users["street1"])
    assert not AuditEvent.objects.filter(id__gt=before, action="view", record_ids=[]).exists()
    alert = alert_row(world.elders["elder1"], "sos", "emergency")
    page(world.users["street1"])
    shown = AuditEvent.objects.get(id__gt=before, action="view", entity_type="alert")
    assert shown.record_ids == [str(alert.public_id)]
