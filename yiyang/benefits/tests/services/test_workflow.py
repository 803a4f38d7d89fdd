"""Attachments, street review, district decision, withdrawal and an officer ending an entitlement."""

import hashlib
from datetime import date
from decimal import Decimal

import pytest
from django.test import override_settings
from django.utils import timezone

from yiyang.accounts.choices import Role
from yiyang.accounts.models import User
from yiyang.areas.models import Area
from yiyang.audit.models import AuditEvent
from yiyang.benefits.errors import ApplicationNotFound, EntitlementNotFound
from yiyang.benefits.models import Application, Attachment, Entitlement, Instalment
from yiyang.benefits.services import (
    application_decide,
    application_street_review,
    application_submit,
    application_withdraw,
    attachment_add,
    attachment_read,
    entitlement_end,
)
from yiyang.benefits.tests.support import (
    JPEG,
    PDF,
    PNG,
    approved,
    errors_of,
    org_input,
    startup_submitted,
    street_approved,
    submitted,
    worker_input,
)
from yiyang.core.errors import Forbidden, ValidationFailed
from yiyang.core.testing import PASSWORD

pytestmark = pytest.mark.django_db


def other_district_officer() -> User:
    district_b = Area.objects.create(code="350203", name="乙区", level="district")
    return User.objects.create_user(username="bureau_b", password=PASSWORD, role=Role.BUREAU_OFFICER, area=district_b)


# ------------------------------------------------------------------------------------- attachments
@pytest.mark.parametrize(
    ("content", "content_type"), [(PDF, "application/pdf"), (PNG, "image/png"), (JPEG, "image/jpeg")]
)
def test_an_attachment_is_kept_with_its_sniffed_type_and_hash(world, content, content_type):
    application = submitted(world)
    attachment = attachment_add(actor=world.users["family0"], application=application, name="证明.bin", content=content)
    assert (attachment.name, attachment.content_type, attachment.size, attachment.sha256) == (
        "证明.bin", content_type, len(content), hashlib.sha256(content).hexdigest(),
    )  # fmt: skip
    assert attachment_read(actor=world.users["street0"], attachment=attachment) == content
    events = AuditEvent.objects.filter(entity_type="benefit_attachment").order_by("id")
    assert [(e.action, e.summary, e.actor.username) for e in events] == [
        ("create", "上传补贴申请附件", "family0"),
        ("view", "下载补贴申请附件", "street0"),
    ]


def test_an_attachment_of_another_type_is_refused_whatever_its_name(world):
    application = submitted(world)
    with pytest.raises(ValidationFailed) as caught:
        attachment_add(actor=world.users["family0"], application=application, name="a.pdf", content=b"MZ\x90\x00exe")
    assert [(e.field, e.code, e.reason) for e in caught.value.errors] == [
        ("file", "file_type", "只接受 PDF、JPG 或 PNG 文件")
    ]
    assert Attachment.objects.count() == 0


def test_an_attachment_over_5_mb_or_empty_is_refused(world):
    application = submitted(world)
    big = PDF + b"0" * (5 * 1024 * 1024)
    with pytest.raises(ValidationFailed) as caught:
        attachment_add(actor=world.users["family0"], application=application, name="a.pdf", content=big)
    assert errors_of(caught.value) == [("file", "too_large")]
    with pytest.raises(ValidationFailed) as caught:
        attachment_add(actor=world.users["family0"], application=application, name="", content=b"")
    assert errors_of(caught.value) == [("file", "required"), ("file", "empty")]
    exactly = PDF + b"0" * (5 * 1024 * 1024 - len(PDF))
    assert (
        attachment_add(actor=world.users["family0"], application=application, name="a.pdf", content=exactly).size
        == 5 * 1024 * 1024
    )


def test_attachments_are_refused_once_decided_and_out_of_reach(world):
    application = approved(world, submitted(world))
    with pytest.raises(ValidationFailed) as caught:
        attachment_add(actor=world.users["family0"], application=application, name="a.pdf", content=PDF)
    assert errors_of(caught.value) == [("status", "status")]
    with pytest.raises(ApplicationNotFound):
        attachment_add(actor=world.users["family1"], application=application, name="a.pdf", content=PDF)
    with pytest.raises(ApplicationNotFound):
        attachment_read(actor=world.users["street1"], attachment=Attachment(application=application))


# ------------------------------------------------------------------------------------ street review
def test_the_street_approves_with_a_note(world):
    application = street_approved(world, submitted(world))
    assert (application.status, application.street_reviewer, application.street_note) == (
        "street_approved", world.users["street0"], "材料齐全",
    )  # fmt: skip
    assert application.street_reviewed_at is not None
    event = AuditEvent.objects.filter(entity_type="benefit_application").latest("id")
    assert (event.action, event.summary) == ("change", "街道审核通过补贴申请")
    assert "材料齐全" not in event.summary


def test_the_street_refuses_only_with_a_reason(world):
    application = submitted(world)
    with pytest.raises(ValidationFailed) as caught:
        application_street_review(actor=world.users["street0"], application=application, approve=False, reason=" ")
    assert errors_of(caught.value) == [("reason", "required")]
    refused = application_street_review(
        actor=world.users["street0"], application=application, approve=False, reason="未入住机构"
    )
    assert (refused.status, refused.refusal_reason) == ("refused", "未入住机构")
    assert AuditEvent.objects.filter(summary="街道审核不予通过补贴申请").count() == 1


def test_the_street_review_is_refused_to_others(world):
    application = submitted(world)
    with pytest.raises(ApplicationNotFound):
        application_street_review(actor=world.users["street1"], application=application, approve=True)
    with pytest.raises(Forbidden):
        application_street_review(actor=world.users["institution0"], application=application, approve=True)
    own = startup_submitted(world, applicant="street0", org="centre0")
    with pytest.raises(Forbidden):
        application_street_review(actor=world.users["street0"], application=own, approve=True)
    assert Application.objects.filter(status="submitted").count() == 2


def test_a_review_happens_once(world):
    application = street_approved(world, submitted(world))
    with pytest.raises(ValidationFailed) as caught:
        application_street_review(actor=world.users["street0"], application=application, approve=False, reason="x")
    assert errors_of(caught.value) == [("status", "status")]


def test_a_note_over_500_characters_is_refused(world):
    with pytest.raises(ValidationFailed) as caught:
        application_street_review(
            actor=world.users["street0"], application=submitted(world), approve=True, note="长" * 501
        )
    assert errors_of(caught.value) == [("note", "max_length")]


# --------------------------------------------------------------------------------- district decision
def test_approving_a_startup_subsidy_plans_its_instalment(world):
    application = approved(world, startup_submitted(world, requested_from=date(2026, 11, 20)))
    assert (application.status, application.decided_by) == ("approved", world.users["bureau"])
    entitlement = Entitlement.objects.get(application=application)
    assert (entitlement.scheme, entitlement.status, entitlement.starts_on, entitlement.ends_on) == (
        "startup_subsidy", "active", date(2026, 11, 20), None,
    )  # fmt: skip
    assert (entitlement.organisation, entitlement.district, entitlement.street) == (
        world.orgs["institution0"], world.district, world.streets[0],
    )  # fmt: skip
    assert (entitlement.payee_name, entitlement.payee_account, entitlement.facts) == (
        "张三", "6222020200112233445", {"approved_beds": 60, "premises": "own_building"},
    )  # fmt: skip
    [instalment] = Instalment.objects.filter(entitlement=entitlement)
    assert (instalment.sequence, instalment.due_month, instalment.amount) == (
        1,
        date(2026, 11, 1),
        Decimal("180000.00"),
    )
    assert instalment.explanation["rule"] == "60 张 × 3000 元/张"
    assert [p["path"] for p in instalment.explanation["parameters"]] == [
        "benefits.startup_subsidy.minimum_beds",
        "benefits.startup_subsidy.per_bed.own_building",
    ]
    assert list(AuditEvent.objects.filter(entity_type="benefit_entitlement").values_list("action", "summary")) == [
        ("create", "核定补贴待遇")
    ]


def test_a_talent_entry_award_is_paid_in_five_yearly_instalments(world):
    data = worker_input(world, "talent_entry_award", {"degree": "college", "hired_on": "2025-03-15"})
    application = approved(world, application_submit(actor=world.users["institution0"], data=data))
    rows = list(
        Instalment.objects.filter(entitlement__application=application).values_list("sequence", "due_month", "amount")
    )
    assert rows == [(n, date(2025 + n, 3, 1), Decimal("8000.00")) for n in range(1, 6)]


def test_approving_a_resident_subsidy_creates_an_open_entitlement_without_instalments(world):
    application = approved(world, submitted(world))
    entitlement = Entitlement.objects.get(application=application)
    assert (entitlement.scheme, entitlement.elder, entitlement.starts_on) == (
        "resident_care_subsidy", world.elders["elder0"], date(2026, 11, 1),
    )  # fmt: skip
    assert not Instalment.objects.filter(entitlement=entitlement).exists()


@override_settings(BENEFITS_ALLOW_EXAMPLE_VALUES=False)
def test_an_example_value_is_refused_naming_the_parameter(world):
    data = org_input(world, "rating_reward", facts={"rating_grade": 3, "rated_on": "2026-10-01"})
    application = street_approved(world, application_submit(actor=world.users["institution0"], data=data))
    with pytest.raises(ValidationFailed) as caught:
        application_decide(actor=world.users["bureau"], application=application, approve=True)
    assert [(e.field, e.code, e.reason) for e in caught.value.errors] == [
        (
            "policy",
            "example_value",
            "参数 benefits.rating_reward.by_grade.grade_3 只有示例值（未经核实），请先载入本区的正式取值",
        )
    ]
    assert Application.objects.get(pk=application.pk).status == "street_approved"
    assert not Entitlement.objects.exists()


def test_an_example_value_is_used_where_the_setting_allows_it(world):
    data = org_input(world, "rating_reward", facts={"rating_grade": 3, "rated_on": "2026-10-01"})
    application = approved(world, application_submit(actor=world.users["institution0"], data=data))
    [instalment] = Instalment.objects.filter(entitlement__application=application)
    assert instalment.amount == Decimal("50000.00")
    assert instalment.explanation["parameters"][0]["status"] == "example"


@override_settings(BENEFITS_ALLOW_EXAMPLE_VALUES=False)
def test_verified_or_single_source_values_need_no_setting(world):
    assert approved(world, startup_submitted(world)).status == "approved"


def test_the_district_refuses_only_with_a_reason(world):
    application = street_approved(world, submitted(world))
    with pytest.raises(ValidationFailed) as caught:
        application_decide(actor=world.users["bureau"], application=application, approve=False)
    assert errors_of(caught.value) == [("reason", "required")]
    refused = application_decide(
        actor=world.users["bureau"], application=application, approve=False, reason="不符合条件"
    )
    assert (refused.status, refused.refusal_reason, refused.decided_by) == (
        "refused",
        "不符合条件",
        world.users["bureau"],
    )
    assert not Entitlement.objects.exists()


def test_the_decision_waits_for_the_street_and_happens_once(world):
    application = submitted(world)
    with pytest.raises(ValidationFailed) as caught:
        application_decide(actor=world.users["bureau"], application=application, approve=True)
    assert errors_of(caught.value) == [("status", "status")]
    application = approved(world, application)
    with pytest.raises(ValidationFailed):
        application_decide(actor=world.users["bureau"], application=application, approve=True)
    assert Entitlement.objects.count() == 1


def test_the_decision_is_refused_to_others(world):
    application = street_approved(world, submitted(world))
    with pytest.raises(Forbidden):
        application_decide(actor=world.users["street0"], application=application, approve=True)
    with pytest.raises(ApplicationNotFound):
        application_decide(actor=other_district_officer(), application=application, approve=True)
    own = street_approved(world, startup_submitted(world, applicant="bureau"))
    with pytest.raises(Forbidden):
        application_decide(actor=world.users["bureau"], application=own, approve=True)


def test_a_second_active_resident_subsidy_is_refused_at_the_decision(world):
    first = approved(world, submitted(world))
    twin = Application.objects.create(
        scheme=first.scheme, subject_kind="elder", district=world.district, street=world.streets[0],
        elder=first.elder, channel="street", applicant=world.users["street0"], requested_from=date(2026, 12, 1),
        payee_name="张三", payee_account="62220202001122", payee_bank="工行", status="street_approved",
        submitted_at=timezone.now(),
    )  # fmt: skip
    with pytest.raises(ValidationFailed) as caught:
        application_decide(actor=world.users["bureau"], application=twin, approve=True)
    assert [(e.field, e.code, e.reason) for e in caught.value.errors] == [
        ("elder", "duplicate", "该老年人已在享受入住机构养老服务补贴")
    ]


def test_facts_the_rule_refuses_at_the_decision_are_named(world):
    application = street_approved(world, startup_submitted(world))
    Application.objects.filter(pk=application.pk).update(facts={"approved_beds": 20, "premises": "own_building"})
    application.refresh_from_db()
    with pytest.raises(ValidationFailed) as caught:
        application_decide(actor=world.users["bureau"], application=application, approve=True)
    assert [(e.field, e.reason) for e in caught.value.errors] == [
        ("facts.approved_beds", "核定床位 20 张，少于 50 张的下限")
    ]


# -------------------------------------------------------------------------------------- withdrawal
def test_the_applicant_withdraws_before_the_decision(world):
    application = street_approved(world, submitted(world))
    withdrawn = application_withdraw(actor=world.users["family0"], application=application)
    assert withdrawn.status == "withdrawn"
    assert AuditEvent.objects.filter(summary="撤回补贴申请").count() == 1
    # The elder may apply again.
    assert submitted(world).status == "submitted"


def test_only_the_applicant_withdraws_and_only_before_the_decision(world):
    application = submitted(world)
    with pytest.raises(Forbidden):
        application_withdraw(actor=world.users["street0"], application=application)
    with pytest.raises(ApplicationNotFound):
        application_withdraw(actor=world.users["family1"], application=application)
    approved(world, application)
    with pytest.raises(ValidationFailed) as caught:
        application_withdraw(actor=world.users["family0"], application=application)
    assert errors_of(caught.value) == [("status", "status")]


# ---------------------------------------------------------------------------------- ending by officer
def test_an_officer_ends_an_entitlement_with_a_reason(world):
    entitlement = Entitlement.objects.get(application=approved(world, submitted(world)))
    ended = entitlement_end(
        actor=world.users["bureau"], entitlement=entitlement, reason="家属申请停发", ends_on=date(2026, 12, 31)
    )
    assert (ended.status, ended.ends_on, ended.stop_reason) == ("ended", date(2026, 12, 31), "officer")
    event = AuditEvent.objects.filter(entity_type="benefit_entitlement").latest("id")
    assert (event.action, event.summary) == ("change", "终止补贴待遇：家属申请停发")


def test_ending_needs_a_reason_a_date_after_the_start_and_an_active_entitlement(world):
    entitlement = Entitlement.objects.get(application=approved(world, submitted(world)))
    with pytest.raises(ValidationFailed) as caught:
        entitlement_end(actor=world.users["bureau"], entitlement=entitlement, reason="", ends_on=date(2026, 10, 31))
    assert errors_of(caught.value) == [("reason", "required"), ("ends_on", "date_order")]
    entitlement_end(actor=world.users["bureau"], entitlement=entitlement, reason="停发", ends_on=date(2026, 11, 1))
    with pytest.raises(ValidationFailed) as caught:
        entitlement_end(actor=world.users["bureau"], entitlement=entitlement, reason="停发", ends_on=date(2026, 11, 1))
    assert errors_of(caught.value) == [("status", "status")]


def test_ending_is_refused_to_others(world):
    entitlement = Entitlement.objects.get(application=approved(world, submitted(world)))
    with pytest.raises(Forbidden):
        entitlement_end(actor=world.users["street0"], entitlement=entitlement, reason="x")
    with pytest.raises(EntitlementNotFound):
        entitlement_end(actor=other_district_officer(), entitlement=entitlement, reason="x")
