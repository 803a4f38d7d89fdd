"""Submitting an application: each rule and refusal, every problem reported at once."""

from datetime import date

import pytest

from yiyang.audit.models import AuditEvent
from yiyang.benefits.models import Application
from yiyang.benefits.services import application_submit
from yiyang.benefits.tests.support import (
    STARTUP_FACTS,
    WORKER_ID,
    application_input,
    approved,
    errors_of,
    org_input,
    resident_input,
    startup_submitted,
    submitted,
    worker_input,
)
from yiyang.core.errors import Forbidden, ValidationFailed
from yiyang.elders.choices import ElderStatus, HouseholdRegistration
from yiyang.organisations.choices import OrganisationStatus

pytestmark = pytest.mark.django_db


def refused(world, user: str, data) -> list[tuple[str, str]]:
    before = Application.objects.count()
    with pytest.raises(ValidationFailed) as caught:
        application_submit(actor=world.users[user], data=data)
    assert Application.objects.count() == before
    return errors_of(caught.value)


def reasons(world, user: str, data) -> dict[str, str]:
    with pytest.raises(ValidationFailed) as caught:
        application_submit(actor=world.users[user], data=data)
    return {e.field: e.reason for e in caught.value.errors}


def test_family_submits_their_elders_resident_subsidy(world):
    application = submitted(world)

    elder = world.elders["elder0"]
    assert (application.scheme, application.subject_kind, application.channel, application.status) == (
        "resident_care_subsidy", "elder", "family", "submitted",
    )  # fmt: skip
    assert (application.elder, application.district, application.street) == (elder, world.district, world.streets[0])
    assert (application.applicant, application.requested_from, application.facts) == (
        world.users["family0"], date(2026, 11, 1), {},
    )  # fmt: skip
    assert (application.payee_name, application.payee_account, application.payee_bank) == (
        "张三", "6222020200112233445", "工商银行厦门分行",
    )  # fmt: skip
    event = AuditEvent.objects.get(entity_type="benefit_application")
    assert (event.action, event.entity_id, event.summary, event.district_id) == (
        "create", str(application.public_id), "提交补贴申请", world.district.pk,
    )  # fmt: skip
    assert "张三" not in event.summary


def test_the_channel_follows_the_account(world):
    assert startup_submitted(world).channel == "institution"
    data = org_input(world, "startup_subsidy", org="centre0", facts=STARTUP_FACTS)
    assert application_submit(actor=world.users["street0"], data=data).channel == "street"


def test_an_account_without_the_right_is_forbidden(world):
    with pytest.raises(Forbidden):
        application_submit(actor=world.users["street0_noright"], data=resident_input(world))
    with pytest.raises(Forbidden):
        application_submit(actor=world.users["health_officer"], data=resident_input(world))


def test_family_may_apply_only_for_the_resident_subsidy_of_their_own_elder(world):
    assert refused(world, "family0", resident_input(world, "elder1")) == [("elder", "not_found")]
    assert refused(world, "family0", org_input(world, "startup_subsidy", facts=STARTUP_FACTS)) == [
        ("scheme", "not_allowed"),
        ("organisation", "not_found"),
    ]


def test_an_unknown_or_missing_scheme_is_named(world):
    assert refused(world, "street0", application_input(scheme="")) == [("scheme", "required")]
    assert refused(world, "street0", application_input(scheme="pension")) == [("scheme", "invalid_choice")]


def test_the_resident_subsidy_needs_an_elder_on_the_roll_registered_in_the_district(world):
    elder = world.elders["elder0"]
    elder.household_registration = HouseholdRegistration.RESIDENT
    elder.status = ElderStatus.DECEASED
    elder.save()
    assert refused(world, "street0", resident_input(world)) == [("elder", "not_active"), ("elder", "not_registered")]
    with pytest.raises(ValidationFailed) as caught:
        application_submit(actor=world.users["street0"], data=resident_input(world))
    assert [e.reason for e in caught.value.errors] == [
        "老年人已去世，不能申请",
        "老年人户籍不在测试区，不能申请入住机构养老服务补贴",
    ]


def test_the_resident_subsidy_needs_an_elder_and_no_organisation(world):
    data = application_input(scheme="resident_care_subsidy", organisation=world.orgs["institution0"].public_id)
    assert refused(world, "street0", data) == [("elder", "required"), ("organisation", "not_allowed")]


def test_an_elder_of_another_street_is_not_found(world):
    assert refused(world, "street0", resident_input(world, "elder1")) == [("elder", "not_found")]
    data = application_input(scheme="resident_care_subsidy", elder="not-a-uuid")
    assert refused(world, "street0", data) == [("elder", "not_found")]


def test_the_bed_operation_subsidy_needs_a_licensed_open_institution(world):
    assert refused(world, "street0", org_input(world, "bed_operation_subsidy", org="centre0")) == [
        ("organisation", "not_licensed")
    ]
    institution = world.orgs["institution0"]
    institution.licence_number = ""
    institution.save()
    assert refused(world, "institution0", org_input(world, "bed_operation_subsidy")) == [
        ("organisation", "not_licensed")
    ]
    institution.filing_number = "备案-1"
    institution.status = OrganisationStatus.SUSPENDED
    institution.save()
    assert refused(world, "institution0", org_input(world, "bed_operation_subsidy")) == [
        ("organisation", "not_licensed")
    ]
    institution.status = OrganisationStatus.OPEN
    institution.save()
    application = application_submit(actor=world.users["institution0"], data=org_input(world, "bed_operation_subsidy"))
    assert (application.organisation, application.subject_kind, application.elder) == (
        institution,
        "organisation",
        None,
    )


def test_an_organisation_scheme_refuses_an_elder(world):
    data = org_input(world, "startup_subsidy", facts=STARTUP_FACTS, elder=world.elders["resident0"].public_id)
    assert refused(world, "institution0", data) == [("elder", "not_allowed")]


def test_an_institution_applies_only_for_itself(world):
    assert refused(
        world, "institution0", org_input(world, "startup_subsidy", org="institution1", facts=STARTUP_FACTS)
    ) == [("organisation", "not_found")]


def test_payee_and_date_problems_are_all_named_at_once(world):
    data = resident_input(world, payee_name=" ", payee_account="6222-ABC", payee_bank="", requested_from=None)
    assert refused(world, "family0", data) == [
        ("requested_from", "required"),
        ("payee_name", "required"),
        ("payee_account", "invalid"),
        ("payee_bank", "required"),
    ]
    assert reasons(world, "family0", resident_input(world, payee_account="1234567"))["payee_account"] == (
        "收款账号应为8至32位数字"
    )
    assert refused(world, "family0", resident_input(world, payee_account="1" * 33)) == [("payee_account", "invalid")]
    spaced = submitted(world, data=resident_input(world, payee_account="6222 0202 0011"))
    assert spaced.payee_account == "622202020011"


def test_a_monthly_scheme_declares_no_facts(world):
    assert refused(world, "family0", resident_input(world, facts={"approved_beds": 1})) == [("facts", "not_allowed")]


def test_the_startup_facts_are_judged_by_the_rule_naming_the_fact(world):
    assert reasons(
        world,
        "institution0",
        org_input(world, "startup_subsidy", facts={"approved_beds": 10, "premises": "own_building"}),
    ) == {"facts.approved_beds": "核定床位 10 张，少于 50 张的下限"}
    rented = {"approved_beds": 60, "premises": "rented", "lease_years": 3}
    assert reasons(world, "institution0", org_input(world, "startup_subsidy", facts=rented)) == {
        "facts.lease_years": "租期 3 年，短于 5 年"
    }


def test_missing_unknown_and_mistyped_facts_are_all_named(world):
    facts = {"approved_beds": "many", "colour": "red"}
    assert refused(world, "institution0", org_input(world, "startup_subsidy", facts=facts)) == [
        ("facts.colour", "unknown"),
        ("facts.approved_beds", "invalid"),
        ("facts.premises", "required"),
    ]
    assert refused(
        world, "institution0", org_input(world, "startup_subsidy", facts={"approved_beds": 60, "premises": "rented"})
    ) == [("facts.lease_years", "required")]


def test_facts_given_as_text_are_stored_as_values(world):
    application = startup_submitted(world, facts={"approved_beds": "60", "premises": "rented", "lease_years": "8"})
    assert application.facts == {"approved_beds": 60, "premises": "rented", "lease_years": 8}
    worker = application_submit(
        actor=world.users["institution0"],
        data=worker_input(world, "care_worker_service_award", {"years_of_service": "4", "lower_award_paid": "false"}),
    )
    assert worker.facts == {"years_of_service": 4, "lower_award_paid": False}


def test_a_date_before_any_policy_value_is_refused_naming_the_date(world):
    problems = reasons(
        world, "institution0", org_input(world, "startup_subsidy", facts=STARTUP_FACTS, requested_from=date(2020, 1, 1))
    )
    assert list(problems) == ["requested_from"]
    assert "benefits.startup_subsidy.minimum_beds" in problems["requested_from"]


def test_a_worker_award_names_the_worker_and_their_employer(world):
    application = application_submit(
        actor=world.users["institution0"],
        data=worker_input(world, "care_worker_entry_award", {"education": "higher_education", "years_of_service": 3}),
    )
    assert (application.subject_kind, application.worker_name, application.worker_national_id) == (
        "worker", "李护理", WORKER_ID,
    )  # fmt: skip
    assert application.organisation == world.orgs["institution0"]


def test_a_worker_award_refuses_a_bad_id_a_missing_name_and_a_short_service(world):
    data = worker_input(
        world, "care_worker_entry_award", {"education": "higher_education", "years_of_service": 1},
        worker_name="", worker_national_id="123",
    )  # fmt: skip
    assert refused(world, "institution0", data) == [("worker_name", "required"), ("worker_national_id", "invalid")]
    data = worker_input(world, "care_worker_entry_award", {"education": "higher_education", "years_of_service": 1})
    assert reasons(world, "institution0", data) == {"facts.years_of_service": "工作 1 年，不满 3 年"}


def test_the_same_idempotency_key_returns_the_same_application(world):
    first = submitted(world, data=resident_input(world, idempotency_key="import-row-7"))
    again = submitted(world, data=resident_input(world, idempotency_key="import-row-7"))
    assert again.pk == first.pk
    assert Application.objects.count() == 1
    assert AuditEvent.objects.filter(entity_type="benefit_application").count() == 1


def test_a_key_another_applicant_used_in_the_district_is_refused(world):
    startup_submitted(world, idempotency_key="k-1")
    data = org_input(world, "startup_subsidy", org="centre0", facts=STARTUP_FACTS, idempotency_key="k-1")
    assert refused(world, "street0", data) == [("idempotency_key", "duplicate")]


def test_a_second_resident_subsidy_for_the_same_elder_is_refused(world):
    first = submitted(world)
    assert reasons(world, "street0", resident_input(world)) == {
        "elder": "该老年人已有一份入住机构养老服务补贴申请在审核中"
    }
    approved(world, first)
    assert reasons(world, "street0", resident_input(world)) == {"elder": "该老年人已在享受入住机构养老服务补贴"}


def test_a_second_bed_operation_subsidy_for_the_same_institution_is_refused(world):
    application_submit(actor=world.users["institution0"], data=org_input(world, "bed_operation_subsidy"))
    assert reasons(world, "street0", org_input(world, "bed_operation_subsidy")) == {
        "organisation": "该机构已有一份床位运营补贴申请在审核中"
    }


def test_one_off_schemes_may_be_claimed_again(world):
    startup_submitted(world)
    assert startup_submitted(world).scheme == "startup_subsidy"
    assert Application.objects.count() == 2
