"""The benefits home cards (payroll, queues, institution) and the elder profile's 补贴 section: who
gets them, what they count (never beyond the reach) and what the section audits."""

import re
from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from yiyang.accounts.models import User
from yiyang.audit.models import AuditEvent
from yiyang.benefits.choices import ApplicationStatus, Channel, Scheme, SubjectKind
from yiyang.benefits.models import Application, PayrollRun
from yiyang.benefits.services.payroll import payroll_compute, payroll_lock
from yiyang.benefits.tests.payroll_world import BED, RESIDENT, confirmed_level, entitlement
from yiyang.benefits.web.home_cards import institution_card, payroll_card, queue_card
from yiyang.benefits.web.links import page
from yiyang.benefits.web.profile_sections import benefits_section
from yiyang.core.testing import World
from yiyang.core.workspace import profile_sections_for

pytestmark = pytest.mark.django_db

OCT, NOV = date(2026, 10, 1), date(2026, 11, 1)
TODAY = date(2026, 12, 3)


def home(user: User) -> str:
    client = Client()
    client.force_login(user)
    response = client.get("/")
    assert response.status_code == 200
    return response.content.decode()


def card_html(html: str, key: str) -> str:
    start = html.index(f'data-testid="card-{key}"')
    return html[start : html.index("</section>", start)]


def value(html: str, testid: str) -> str:
    found = re.search(rf'data-testid="{testid}"[^>]*>(?:<[^>]+>)*([^<]*)<', html)
    assert found, testid
    return found.group(1).strip()


def withdraw(user: User, *perms: str) -> User:
    user.permissions_withdrawn = list(perms)
    user.save(update_fields=["permissions_withdrawn"])
    return User.objects.get(pk=user.pk)


def application(world: World, s: int, status: str, *, applicant: str = "", **subject: Any) -> Application:
    kind = SubjectKind.ELDER if "elder" in subject else SubjectKind.ORGANISATION
    return Application.objects.create(
        scheme=Scheme.RESIDENT_CARE if kind == SubjectKind.ELDER else Scheme.BED_OPERATION,
        subject_kind=kind,
        district=world.district,
        street=world.streets[s],
        channel=Channel.INSTITUTION,
        applicant=world.users[applicant or f"institution{s}"],
        requested_from=date(2026, 1, 1),
        payee_name="收款人",
        payee_account="6200000000000000001",
        payee_bank="演示银行",
        status=status,
        submitted_at=timezone.now() - timedelta(days=3),
        street_reviewed_at=timezone.now() - timedelta(days=1) if status != ApplicationStatus.SUBMITTED else None,
        **subject,
    )


@pytest.fixture
def paid(world: World) -> World:
    """resident0 (dibao, level 2) with a resident subsidy, institution0 and institution1 with the bed
    operation subsidy; October locked, November computed."""
    resident = world.elders["resident0"]
    resident.economic_status = "dibao"
    resident.save()
    confirmed_level(resident, 2, date(2026, 1, 10), assessor=world.users["street0"], reviewer=world.users["medical0"])
    world.resident_entitlement = entitlement(world, RESIDENT, elder=resident, starts_on=date(2026, 1, 1))  # type: ignore[attr-defined]
    for s in range(2):
        entitlement(world, BED, organisation=world.orgs[f"institution{s}"], starts_on=date(2026, 1, 1))
    bureau = world.users["bureau"]
    payroll_lock(actor=bureau, run=payroll_compute(actor=bureau, district=world.district, month=OCT, today=TODAY))
    payroll_compute(actor=bureau, district=world.district, month=NOV, today=TODAY)
    return world


# --- who gets which card --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("username", "cards"),
    [
        ("bureau", ["payroll", "queue"]),
        ("health_officer", []),
        ("street0", ["queue"]),
        ("street0_readonly", []),
        ("street0_noright", []),
        ("centre0", []),
        ("station0", []),
        ("institution0", ["institution"]),
        ("medical0", []),
        ("helper0", []),
        ("family0", []),
    ],
)
def test_each_account_gets_exactly_its_benefits_cards(world: World, username: str, cards: list[str]) -> None:
    user = world.users[username]
    got = [
        name
        for name, provider in (("payroll", payroll_card), ("queue", queue_card), ("institution", institution_card))
        if provider(user) is not None
    ]
    assert got == cards


def test_the_cards_need_their_rights(world: World) -> None:
    bureau = withdraw(world.users["bureau"], "benefits.view", "benefits.approve")
    assert payroll_card(bureau) is None and queue_card(bureau) is None
    assert queue_card(withdraw(world.users["street0"], "benefits.review")) is None
    assert institution_card(withdraw(world.users["institution0"], "benefits.view")) is None


# --- payroll card ---------------------------------------------------------------------------------


def test_payroll_card_is_empty_with_a_hint_before_the_first_run(world: World) -> None:
    card = payroll_card(world.users["bureau"])
    assert card is not None and card.empty
    assert "尚未编制月度发放表" in str(card.empty_hint)


def test_payroll_card_shows_the_newest_month(paid: World) -> None:
    html = card_html(home(paid.users["bureau"]), "benefits-payroll")
    november = PayrollRun.objects.get(month=NOV)
    assert value(html, "payroll-month") == "2026-11"
    assert 'data-status="computed"' in html and "已计算待锁定" in html
    assert value(html, "payroll-lines") == str(november.line_count) == "3"
    # 900.00 (resident0) + the two institutions' bed-days
    assert value(html, "payroll-total") == f"{november.total:,.2f}"
    assert november.total == sum(november.lines.values_list("amount", flat=True))
    for href in re.findall(r'href="([^"]+)"', html):
        assert page(href) is not None, href  # only links to pages that exist


# --- queue card -----------------------------------------------------------------------------------


def test_queue_cards_count_their_step_in_reach_only_and_never_own_applications(world: World) -> None:
    application(world, 0, ApplicationStatus.SUBMITTED, elder=world.elders["resident0"])
    application(world, 0, ApplicationStatus.SUBMITTED, elder=world.elders["elder0"], applicant="street0")  # own
    application(world, 1, ApplicationStatus.SUBMITTED, elder=world.elders["resident1"])  # street 1
    application(world, 0, ApplicationStatus.STREET_APPROVED, organisation=world.orgs["institution0"])
    application(world, 1, ApplicationStatus.STREET_APPROVED, organisation=world.orgs["institution1"])
    application(world, 0, ApplicationStatus.APPROVED, elder=world.elders["elder0"])

    street0 = card_html(home(world.users["street0"]), "benefits-queue")
    assert "待街道审核的补贴申请" in street0
    assert value(street0, "queue-count") == "1"
    assert value(street0, "queue-other") == "1"  # street 0's application waiting for the district
    street1 = card_html(home(world.users["street1"]), "benefits-queue")
    assert value(street1, "queue-count") == "1"
    bureau = card_html(home(world.users["bureau"]), "benefits-queue")
    assert "待区级审批的补贴申请" in bureau
    assert value(bureau, "queue-count") == "2"
    assert value(bureau, "queue-other") == "3"  # submitted in the whole district
    assert 'data-testid="queue-oldest"' in bureau


def test_an_empty_queue_says_what_will_appear(world: World) -> None:
    card = queue_card(world.users["street0"])
    assert card is not None and card.empty and "没有待审核的申请" in str(card.empty_hint)


# --- institution card -----------------------------------------------------------------------------


def test_institution_card_shows_its_own_entitlements_and_last_payment(paid: World) -> None:
    html = card_html(home(paid.users["institution0"]), "benefits-institution")
    assert value(html, "institution-active") == "1"  # its bed operation subsidy (not institution1's)
    assert value(html, "institution-residents") == "1"  # resident0
    october = PayrollRun.objects.get(month=OCT)
    paid_october = october.lines.get(entitlement__organisation=paid.orgs["institution0"]).amount
    assert value(html, "institution-last-paid") == f"2026-10：{paid_october:,.2f} 元"
    assert "2026-11 已计算待锁定" in html


def test_institution_card_is_empty_without_entitlements(world: World) -> None:
    card = institution_card(world.users["institution0"])
    assert card is not None and card.empty and "本机构还没有享受中的补贴" in str(card.empty_hint)


# --- profile section ------------------------------------------------------------------------------


def test_section_shows_the_elders_entitlement_payments_and_applications_and_audits_them(paid: World) -> None:
    elder = paid.elders["resident0"]
    client = Client()
    client.force_login(paid.users["street0"])
    html = client.get(f"/elders/{elder.public_id}/").content.decode()
    start = html.index('data-testid="section-benefits-elder"')
    section = html[start : html.index("</section>", start)]
    assert section.count('data-testid="benefit-entitlement"') == 1 and "入住机构养老服务补贴" in section
    kinds = re.findall(r'data-testid="benefit-payment" data-kind="([a-z]+)"', section)
    assert kinds == ["regular", "regular"]  # November (computed) then October
    assert "900.00" in section and "已计算待锁定" in section
    assert section.count('data-testid="benefit-application"') == 1
    shown = AuditEvent.objects.filter(actor=paid.users["street0"], entity_type__startswith="benefit_")
    assert set(shown.values_list("entity_type", flat=True)) == {"benefit_application", "benefit_entitlement"}


@pytest.mark.parametrize("username", ["street1", "health_officer", "station1", "family1"])
def test_no_section_without_the_right_or_the_reach(paid: World, username: str) -> None:
    assert benefits_section(paid.users[username], paid.elders["resident0"]) is None


def test_no_section_when_benefits_view_is_withdrawn(paid: World) -> None:
    user = withdraw(paid.users["street0"], "benefits.view")
    assert "benefits.elder" not in [s.key for s in profile_sections_for(user, paid.elders["resident0"])]


def test_an_elder_without_applications_gets_an_empty_section_with_a_hint(world: World) -> None:
    section = benefits_section(world.users["street0"], world.elders["elder0"])
    assert section is not None and section.empty and "尚无补贴申请" in str(section.empty_hint)
