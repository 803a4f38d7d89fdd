"""The shared test world (`yiyang.core.testing.build_world`) with a little of every domain on top, so
that every role's home cards and every page have something to show: homes and emergency contacts,
devices (bound, unbound, pending, dead letters), a monitoring profile, alerts in every state with the
detail dicts the engine writes (`{"device_id": …, "repeat": 0}`), assessments in every state, and
benefits (an application waiting at each review step, institution0's bed operation subsidy paid by a
locked payroll two months ago and computed in last month's).

Kept small (a handful of rows per domain) so the crawler and the browser tests stay fast. Used by
tests/test_page_crawl.py and tests/browser/test_role_homes.py.
"""

from datetime import date, timedelta
from typing import Any

from django.utils import timezone

from yiyang.core.testing import World, add_homes, build_world, national_id

# One account per role, the account the crawler and the browser tests sign in as.
ROLE_ACCOUNTS: dict[str, str] = {
    "bureau_officer": "bureau",
    "health_officer": "health_officer",
    "street_staff": "street0",
    "care_centre_staff": "centre0",
    "station_staff": "station0",
    "institution_staff": "institution0",
    "medical_staff": "medical0",
    "helper": "helper0",
    "family": "family0",
}


def build_full_world() -> World:
    """`build_world()` plus rows of every domain in street 0 (and a few in street 1)."""
    world = build_world()
    add_homes(world, monitoring_consent=True)
    devices = _devices(world)
    _monitoring(world)
    _alerts(world, devices)
    _assessments(world)
    _benefits(world)
    return world


def _benefits(world: World) -> None:
    """A resident subsidy application waiting for the street (with an attachment), an approved
    start-up subsidy (one instalment) and an approved talent award (five instalments)."""
    from yiyang.benefits.services import application_submit, attachment_add
    from yiyang.benefits.tests.support import PDF, approved, startup_submitted, submitted, worker_input

    waiting = submitted(world)
    attachment_add(actor=world.users["family0"], application=waiting, name="户籍证明.pdf", content=PDF)
    approved(world, startup_submitted(world))
    talent = worker_input(world, "talent_entry_award", {"degree": "college", "hired_on": "2025-03-15"})
    approved(world, application_submit(actor=world.users["institution0"], data=talent))


def _devices(world: World) -> dict[str, Any]:
    from yiyang.devices.models import DeadLetter, Device, DeviceBinding, PendingDevice

    now = timezone.now()
    devices: dict[str, Any] = {}
    for s in range(2):
        elder = world.elders[f"elder{s}"]
        for kind, protocol, identifier in (
            ("watch", "iw_tcp", f"35345678901234{s}"),
            ("mattress", "http_radar", f"WS-000{s}"),
        ):
            device = Device.objects.create(
                kind=kind,
                protocol=protocol,
                identifier=identifier,
                district=world.district,
                street=world.streets[s],
                online=kind == "watch",
                last_seen_at=now - timedelta(minutes=5),
                battery=15 if kind == "watch" else None,
                worn=True if kind == "watch" else None,
            )
            DeviceBinding.objects.create(device=device, elder=elder, home=elder.home, since=now - timedelta(days=30))
            devices[f"{kind}{s}"] = device
        devices[f"spare{s}"] = Device.objects.create(
            kind="door_sensor",
            protocol="mqtt_json",
            identifier=f"door-000{s}",
            district=world.district,
            street=world.streets[s],
        )
    PendingDevice.objects.create(
        protocol="iw_tcp",
        identifier="359999999999999",
        first_seen_at=now - timedelta(hours=2),
        last_seen_at=now - timedelta(minutes=1),
        message_count=3,
        reading_count=2,
        last_payload="IWAP01,...",
    )
    DeadLetter.objects.create(
        adapter="mqtt_json", source="yiyang/door-0009", payload="{not json", reason="invalid JSON", received_at=now
    )
    return devices


def _monitoring(world: World) -> None:
    from yiyang.monitoring.models import ElderMonitoringProfile

    ElderMonitoringProfile.objects.create(
        elder=world.elders["elder0"], flags=["diabetes"], note="夜间易起夜", updated_by=world.users["street0"]
    )


def _alerts(world: World, devices: dict[str, Any]) -> None:
    from yiyang.alerts.services import alerts_apply
    from yiyang.alerts.services.lifecycle import alert_acknowledge, alert_close, alert_dispatch, alert_on_scene
    from yiyang.monitoring.engine.contract import RaiseAlert

    now = timezone.now()

    def raise_(elder_key: str, alert_type: str, severity: str, minutes_ago: int, rule: str, **detail: Any) -> Any:
        elder = world.elders[elder_key]
        command = RaiseAlert(
            elder_id=elder.pk,
            alert_type=alert_type,
            severity=severity,  # type: ignore[arg-type]
            at=now - timedelta(minutes=minutes_ago),
            rule=rule,
            detail=detail,
        )
        return alerts_apply([command]).opened[0]

    for s in range(2):
        street, watch = world.users[f"street{s}"], devices[f"watch{s}"]
        # Open, as the engine writes it: the device and the repeat count in the detail.
        raise_(f"elder{s}", "sos", "emergency", 3, "sos.any", device_id=watch.pk, repeat=0)
        # A technical alert naming its device.
        raise_(f"elder{s}", "battery_low", "technical", 30, "battery_low", device_id=watch.pk, level=15)
        # Acknowledged, dispatched and on scene.
        fall = raise_(
            f"elder{s}", "fall", "emergency", 60, "fall.radar", device_id=devices[f"mattress{s}"].pk, repeat=1
        )
        fall = alert_acknowledge(actor=street, alert=fall, note="已电话联系")
        fall = alert_dispatch(actor=street, alert=fall, target="helper", to_name="助老员", note="请上门查看")
        alert_on_scene(actor=street, alert=fall, note="已到场")
        # Closed.
        heart = raise_(f"elder{s}", "heart_rate_high", "urgent", 120, "vitals.heart_rate", value=135, threshold=120)
        heart = alert_acknowledge(actor=street, alert=heart)
        alert_close(actor=street, alert=heart, close_code="false_alarm_device", note="设备误报")


def _assessments(world: World) -> None:
    from yiyang.assessments.models import Assessment
    from yiyang.assessments.services import (
        assessment_confirm,
        assessment_draft_create,
        assessment_return,
        assessment_submit,
    )
    from yiyang.assessments.services.seeding import answers_for_totals
    from yiyang.elders.models import Elder

    today = timezone.localdate()
    answers = answers_for_totals("gbt42195-2022", {"B.1": 28, "B.2": 13, "B.3": 24, "B.4": 13}, {})
    for s in range(2):
        assessor, reviewer = world.users[f"street{s}"], world.users[f"medical{s}"]
        elder, resident = world.elders[f"elder{s}"], world.elders[f"resident{s}"]
        confirmed = assessment_draft_create(
            actor=assessor, elder=elder, scale="gbt42195-2022", reason="first", assessed_on=today, answers=answers
        )
        confirmed = assessment_submit(actor=assessor, assessment=confirmed)
        confirmed = assessment_confirm(actor=reviewer, assessment=confirmed)
        # Its validity ends in a week: on the due list ("lapsing").
        Assessment.objects.filter(pk=confirmed.pk).update(valid_until=today + timedelta(days=7))
        submitted = assessment_draft_create(
            actor=assessor, elder=resident, scale="gbt42195-2022", reason="first", assessed_on=today, answers=answers
        )
        assessment_submit(actor=assessor, assessment=submitted)
        # Returned to its assessor: on the assessor's worklist and the due list ("returned").
        newcomer = Elder.objects.create(
            name=f"newcomer{s}老人",
            national_id=national_id(15 + s * 10),
            birth_date=date(1948, 7, 1),
            sex="F",
            community=elder.community,
            street=elder.street,
            district=elder.district,
            service_station=elder.service_station,
            medical_institution=elder.medical_institution,
        )
        world.elders[f"newcomer{s}"] = newcomer
        returned = assessment_draft_create(
            actor=assessor, elder=newcomer, scale="gbt42195-2022", reason="first", assessed_on=today, answers=answers
        )
        returned = assessment_submit(actor=assessor, assessment=returned)
        assessment_return(actor=reviewer, assessment=returned, reason="请补充近一个月的跌倒情况")
        # Drafts with half of the answers, by the medical and the institution assessor.
        half = dict(list(answers.items())[: len(answers) // 2])
        for author, whom in ((f"medical{s}", elder), (f"institution{s}", resident)):
            assessment_draft_create(
                actor=world.users[author],
                elder=whom,
                scale="gbt42195-2022",
                reason="routine",
                assessed_on=today,
                answers=half,
            )


def _benefits(world: World) -> None:
    from yiyang.benefits.choices import ApplicationStatus, Channel, Scheme, SubjectKind
    from yiyang.benefits.models import Application, Entitlement
    from yiyang.benefits.rules import month_start
    from yiyang.benefits.services.payroll import payroll_compute, payroll_lock

    now = timezone.now()
    payee = {"payee_account": "6200000000000000001", "payee_bank": "演示银行"}

    def application(s: int, scheme: str, status: str, **subject: Any) -> Any:
        kind = SubjectKind.ELDER if "elder" in subject else SubjectKind.ORGANISATION
        reviewed = status != ApplicationStatus.SUBMITTED
        return Application.objects.create(
            scheme=scheme,
            subject_kind=kind,
            district=world.district,
            street=world.streets[s],
            channel=Channel.INSTITUTION,
            applicant=world.users[f"institution{s}"],
            requested_from=date(2025, 1, 1),
            payee_name="收款人",
            status=status,
            submitted_at=now - timedelta(days=3),
            street_reviewer=world.users[f"street{s}"] if reviewed else None,
            street_reviewed_at=now - timedelta(days=1) if reviewed else None,
            decided_by=world.users["bureau"] if status == ApplicationStatus.APPROVED else None,
            decided_at=now if status == ApplicationStatus.APPROVED else None,
            **payee,
            **subject,
        )

    # Waiting for street0's review, and for the district's approval.
    application(0, Scheme.RESIDENT_CARE, ApplicationStatus.SUBMITTED, elder=world.elders["resident0"])
    application(1, Scheme.RESIDENT_CARE, ApplicationStatus.STREET_APPROVED, elder=world.elders["resident1"])
    institution = world.orgs["institution0"]
    approved = application(0, Scheme.BED_OPERATION, ApplicationStatus.APPROVED, organisation=institution)
    Entitlement.objects.create(
        application=approved,
        scheme=Scheme.BED_OPERATION,
        subject_kind=SubjectKind.ORGANISATION,
        district=world.district,
        street=world.streets[0],
        organisation=institution,
        payee_name=institution.name,
        starts_on=date(2025, 1, 1),
        **payee,
    )
    last = month_start(month_start(timezone.localdate()) - timedelta(days=1))
    before = month_start(last - timedelta(days=1))
    bureau = world.users["bureau"]
    payroll_lock(actor=bureau, run=payroll_compute(actor=bureau, district=world.district, month=before))
    payroll_compute(actor=bureau, district=world.district, month=last)
