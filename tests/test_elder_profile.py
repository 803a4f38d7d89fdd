"""The elder's whole picture: sections from the registry (each the owning app's, each behind its right
and the elder's reach), the timeline from every source, and the audit of what each section showed."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from yiyang.accounts.access import user_perms
from yiyang.accounts.models import User
from yiyang.alerts.models import Alert
from yiyang.alerts.tests.support import alert_row, open_alert
from yiyang.assessments.tests.support import confirmed, draft, gbt_answers
from yiyang.audit.models import AuditEvent
from yiyang.core import workspace
from yiyang.core.testing import set_permissions
from yiyang.core.workspace import ProfileSection, profile_sections, profile_sections_for, timeline_for
from yiyang.devices.models import Device, DeviceBinding
from yiyang.elders.models import Elder, EmergencyContact

pytestmark = pytest.mark.django_db

SECTION_ORDER = [
    "elders.basic",
    "elders.services",
    "elders.contacts",
    "elders.home",
    "assessments.levels",
    "monitoring.profile",
    "devices.bound",
    "alerts.history",
]
T0 = datetime(2025, 6, 1, 0, 0, tzinfo=UTC)


def page(user, elder) -> str:
    client = Client()
    client.force_login(user)
    response = client.get(f"/elders/{elder.public_id}/")
    assert response.status_code == 200
    return response.content.decode()


def section_html(html: str, key: str) -> str:
    """The markup of one section's frame (up to the next section)."""
    start = html.index(f'data-testid="section-{key.replace(".", "-")}"')
    end = html.find("<section ", start)
    return html[start : end if end != -1 else len(html)]


def monitored(world) -> tuple[Elder, Device, Alert]:
    """elder0 agreed to monitoring, has a fall radar bound in the bedroom and an open fall alert."""
    elder = world.elders["elder0"]
    elder.monitoring_consent = True
    elder.save(update_fields=["monitoring_consent"])
    radar = Device.objects.create(
        kind="fall_radar",
        protocol="http_radar",
        identifier="AA:BB:CC:00:11:22",
        vendor="Acme",
        model_name="R-60",
        district=world.district,
        street=world.streets[0],
        online=True,
        battery=80,
        last_seen_at=T0,
    )
    DeviceBinding.objects.create(device=radar, elder=elder, location="卧室", since=T0 - timedelta(days=30))
    alert = open_alert(elder, "fall", "emergency", at=T0)
    return elder, radar, alert


def without(user: User, perm: str) -> User:
    held = user_perms(user)
    assert perm in held
    set_permissions(user, *(held - {perm}))
    return User.objects.get(pk=user.pk)


def test_a_monitored_elder_shows_the_device_the_alert_and_no_empty_monitoring_section(world):
    # Before: 智能监测 said "尚无记录" and neither devices nor alerts were on the page.
    elder, radar, alert = monitored(world)

    html = page(world.users["street0"], elder)

    devices = section_html(html, "devices.bound")
    for text in ("跌倒监测雷达", "Acme R-60", "AA:BB:CC:00:11:22", "卧室", "在线", "电量 80%"):
        assert text in devices, text
    assert f"/devices/{radar.public_id}/" in devices
    alerts = section_html(html, "alerts.history")
    assert f'<a href="/alerts/{alert.public_id}/">跌倒</a>' in alerts
    assert "紧急" in alerts and "待响应" in alerts
    monitoring = section_html(html, "monitoring.profile")
    assert "按本区监测规则执行" in monitoring
    assert "尚无记录" not in html
    # No placeholder sections (the menu's 补贴 entry is not a section of the page).
    content = html.split("<main", 1)[1]
    assert "健康档案" not in content and "补贴" not in content


def test_empty_sections_say_what_to_do(world):
    html = page(world.users["street0"], world.elders["elder0"])

    devices = section_html(html, "devices.bound")
    assert "未绑定监测设备。请在“监测设备”中登记设备，再绑定到这位老人。" in devices
    assert 'href="/devices/"' in devices  # street staff manage devices
    assert "没有告警记录。" in section_html(html, "alerts.history")
    helper = page(world.users["helper0"], world.elders["elder0"])  # may see devices, not manage them
    assert "请联系街道或服务站点登记并绑定设备" in section_html(helper, "devices.bound")
    assert 'href="/devices/"' not in section_html(helper, "devices.bound")


def test_the_registry_orders_the_sections_and_the_page_follows_it(world):
    assert profile_sections.keys() == SECTION_ORDER

    html = page(world.users["street0"], world.elders["resident0"])

    positions = [html.index(f'data-testid="section-{key.replace(".", "-")}"') for key in SECTION_ORDER]
    assert positions == sorted(positions)


@pytest.mark.parametrize(
    ("key", "perm"),
    [
        ("assessments.levels", "assessments.view"),
        ("monitoring.profile", "monitoring.rules.view"),
        ("devices.bound", "devices.view"),
        ("alerts.history", "alerts.view"),
    ],
)
def test_a_section_needs_its_right(world, key, perm):
    elder, _, _ = monitored(world)
    street0 = world.users["street0"]
    assert key in [s.key for s in profile_sections_for(street0, elder)]

    user = without(street0, perm)

    assert key not in [s.key for s in profile_sections_for(user, elder)]
    html = page(user, elder)
    assert f'data-testid="section-{key.replace(".", "-")}"' not in html
    assert 'data-testid="section-elders-basic"' in html


def test_the_elders_sections_need_elders_view(world):
    user = without(world.users["street0"], "elders.view")

    assert profile_sections_for(user, world.elders["elder0"]) == []
    assert timeline_for(user, world.elders["elder0"]) == []


def test_no_section_or_entry_for_an_elder_out_of_reach(world):
    elder, _, _ = monitored(world)
    confirmed(world, answers=gbt_answers(1))

    assert profile_sections_for(world.users["street1"], elder) == []
    assert timeline_for(world.users["street1"], elder) == []
    assert [s.key for s in profile_sections_for(world.users["street0"], elder)] == SECTION_ORDER


def test_family_see_their_relatives_sections_without_staff_work(world):
    elder, _, _ = monitored(world)

    keys = [s.key for s in profile_sections_for(world.users["family0"], elder)]

    assert keys == [
        "elders.basic",
        "elders.services",
        "elders.contacts",
        "elders.home",
        "assessments.levels",
        "devices.bound",
        "alerts.history",
    ]


def dated(world) -> Elder:
    """elder0 with one thing of each kind at a known time."""
    elder, radar, alert = monitored(world)
    Elder.objects.filter(pk=elder.pk).update(created_at=datetime(2024, 12, 1, tzinfo=UTC))
    record = draft(world)
    type(record).objects.filter(pk=record.pk).update(created_at=datetime(2025, 2, 1, tzinfo=UTC))
    DeviceBinding.objects.filter(device=radar).update(
        since=datetime(2025, 3, 1, tzinfo=UTC), until=datetime(2025, 4, 1, tzinfo=UTC)
    )
    Alert.objects.filter(pk=alert.pk).update(
        status="resolved", closed_at=T0 + timedelta(hours=1), close_code="true_emergency"
    )
    return Elder.objects.get(pk=elder.pk)


def test_the_timeline_is_newest_first_across_sources(world):
    elder = dated(world)

    entries = timeline_for(world.users["street0"], elder)

    assert [(e.source, str(e.title)) for e in entries] == [
        ("alerts", "告警关闭"),
        ("alerts", "告警产生"),
        ("devices", "解绑设备"),
        ("devices", "绑定设备"),
        ("assessments", "开始评估"),
        ("elders", "指派助老员"),
        ("elders", "登记建档"),
    ]
    assert entries[0].detail == "紧急 · 跌倒 · 真实紧急情况"
    assert entries[5].at == timezone.make_aware(datetime(2025, 1, 1))
    assert [e.at for e in entries] == sorted((e.at for e in entries), reverse=True)


def test_the_timeline_shows_each_viewer_only_what_they_may_see(world):
    elder = dated(world)

    family = [(e.source, str(e.title)) for e in timeline_for(world.users["family0"], elder)]
    readonly = [(e.source, str(e.title)) for e in timeline_for(world.users["street0_readonly"], elder)]

    assert ("assessments", "开始评估") not in family  # drafts are staff work
    assert ("alerts", "告警产生") in family and ("devices", "绑定设备") in family
    assert readonly == [("elders", "指派助老员"), ("elders", "登记建档")]


def test_the_page_renders_the_timeline_as_a_readable_list(world):
    elder = dated(world)
    alert = Alert.objects.get(elder=elder)

    html = page(world.users["street0"], elder)

    timeline = html[html.index('data-testid="timeline"') :]
    assert timeline.count('data-testid="timeline-entry"') == 7
    first = timeline[: timeline.index("</li>")]
    assert "2025-06-01 09:00" in first  # Asia/Shanghai
    assert '<span class="badge text-bg-secondary">告警</span>' in first
    assert f'<a href="/alerts/{alert.public_id}/">告警关闭</a>' in first
    assert "紧急 · 跌倒 · 真实紧急情况" in first
    assert "{" not in timeline.split("</ol>")[0].replace("{%", "")  # no Python repr in visible text


def test_every_section_is_audited_as_what_it_showed(world):
    elder, radar, alert = monitored(world)
    contact = EmergencyContact.objects.create(elder=elder, name="王强", relation="儿子", phone="13800001111")
    record = confirmed(world, answers=gbt_answers(1))
    before = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0

    page(world.users["street0"], elder)

    events = AuditEvent.objects.filter(id__gt=before, action="view").order_by("id")
    record_view = events.get(entity_type="elder", entity_id=str(elder.public_id))
    assert record_view.fields == ["national_id", "phone"]
    shown = {e.entity_type: list(e.record_ids) for e in events.filter(summary="老年人档案中显示的记录")}
    # One event per entity type the page showed; none for a type nothing was shown of (no admission,
    # no home here).
    assert shown == {
        "elder": [str(elder.public_id)],
        "emergency_contact": [str(contact.public_id)],
        "assessment": [str(record.public_id)],
        "device": [str(radar.public_id)],
        "alert": [str(alert.public_id)],
        "helper_assignment": [str(a.public_id) for a in elder.helper_assignments.all()],
    }
    assert all(e.actor == world.users["street0"] for e in events)


def test_what_only_the_timeline_shows_is_audited_too(world):
    # Defect: the alert history section lists the 10 newest closed alerts, the timeline 50 entries;
    # the older closed alerts were shown on the timeline but never recorded as viewed.
    elder, _radar, alert = monitored(world)
    closed = [
        alert_row(
            elder,
            "fall",
            "emergency",
            opened=T0 - timedelta(days=20 + n),
            status="false_alarm",
            closed_at=T0 - timedelta(days=20 + n) + timedelta(minutes=5),
            close_code="false_alarm_device",
        )
        for n in range(12)
    ]
    before = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0

    html = page(world.users["street0"], elder)

    linked = {a.public_id for a in [alert, *closed] if f"/alerts/{a.public_id}/" in html}
    assert linked == {alert.public_id, *(a.public_id for a in closed)}
    event = AuditEvent.objects.get(id__gt=before, entity_type="alert", summary="老年人档案中显示的记录")
    assert set(event.record_ids) == {str(public_id) for public_id in linked}


def test_a_section_that_fails_is_not_swallowed(world, monkeypatch):
    def broken(user, elder) -> ProfileSection:
        raise RuntimeError("section broke")

    monkeypatch.setitem(profile_sections._entries, "test.broken", workspace._Registered("test.broken", 1, broken))
    client = Client()
    client.force_login(world.users["street0"])

    with pytest.raises(RuntimeError, match="section broke"):
        client.get(f"/elders/{world.elders['elder0'].public_id}/")


def test_dates_sort_among_timestamps_at_the_start_of_their_day(world):
    resident = world.elders["resident0"]

    entries = timeline_for(world.users["street0"], resident)

    admitted = next(e for e in entries if str(e.title) == "入住机构")
    assert admitted.at == timezone.make_aware(datetime.combine(date(2025, 1, 1), datetime.min.time()))
    assert admitted.detail == "institution0机构 · A-101-1"


def test_an_assessment_shows_when_it_was_submitted_and_confirmed(world):
    record = confirmed(world, answers=gbt_answers(1))
    # Back-filled: entered after it was submitted, so it has no drafting moment of its own.
    type(record).objects.filter(pk=record.pk).update(
        submitted_at=datetime(2025, 1, 5, tzinfo=UTC),
        confirmed_at=datetime(2025, 1, 6, tzinfo=UTC),
        created_at=datetime(2025, 2, 1, tzinfo=UTC),
    )

    entries = [e for e in timeline_for(world.users["street0"], world.elders["elder0"]) if e.source == "assessments"]

    assert [(str(e.title), e.at.day, e.url) for e in entries] == [
        ("评估确认", 6, f"/assessments/{record.public_id}/"),
        ("提交评估", 5, f"/assessments/{record.public_id}/"),
    ]
    assert entries[0].detail == "GB/T 42195-2022 · 能力轻度受损（轻度失能）"


def test_contacts_and_assessment_history_are_stacked_rows_that_fit_a_phone(world):
    """At 390 px the five-column contacts table clipped 持有钥匙 and the history table wrapped the level
    one character a line: both are stacked rows now, badges never wrapped."""
    elder = world.elders["elder0"]
    EmergencyContact.objects.create(elder=elder, name="王强", relation="儿子", phone="13800001111", priority=1)
    EmergencyContact.objects.create(
        elder=elder, name="李梅", relation="女儿", phone="13800002222", priority=2, is_key_holder=True
    )
    confirmed(world, answers=gbt_answers(0), assessed_on=timezone.localdate() - timedelta(days=200))
    confirmed(world, answers=gbt_answers(3), assessed_on=timezone.localdate() - timedelta(days=20))
    html = page(world.users["street0"], elder)
    contacts = section_html(html, "elders.contacts")
    assert "<table" not in contacts
    assert contacts.count('data-testid="contact-row"') == 2
    assert contacts.index("王强") < contacts.index("李梅")
    assert contacts.count('data-testid="key-holder"') == 1
    assert 'text-bg-info text-nowrap" data-testid="key-holder">持有钥匙<' in contacts
    levels = section_html(html, "assessments.levels")
    history = levels[levels.index('data-testid="assessment-history"') :]
    assert "<table" not in history
    assert history.count('data-testid="history-row"') == 2
    assert 'text-nowrap align-self-start">当前<' in history


def test_the_sections_ask_the_elders_reach_once(world, django_assert_num_queries):
    # Every section and timeline source checks reach; on one loaded elder that is one query, not twelve.
    from yiyang.elders.selectors import elder_in_reach

    elder = Elder.objects.get(pk=world.elders["elder0"].pk)
    user = world.users["street0"]
    with django_assert_num_queries(1):
        assert elder_in_reach(user=user, elder=elder) is True
        assert elder_in_reach(user=user, elder=elder) is True
    with django_assert_num_queries(1):
        assert elder_in_reach(user=world.users["street1"], elder=elder) is False
