"""Saving a district's override and an elder's monitoring profile: validated with every problem named
by its path, versioned, audited (names, never values), and nothing written when refused."""

import pytest

from yiyang.audit.models import AuditEvent
from yiyang.core.errors import Conflict, Forbidden, ValidationFailed
from yiyang.core.testing import grant_permissions
from yiyang.monitoring.models import DistrictRuleOverride, DistrictRuleVersion, ElderMonitoringProfile
from yiyang.monitoring.services import (
    district_rules_set,
    elder_monitoring_profile_set,
    elder_monitoring_profile_view,
)
from yiyang.monitoring.tests.support import HR_140, counts, district_b


def fields_of(exc):
    return [(e.field, e.code) for e in exc.value.errors]


def test_a_district_override_is_saved_as_version_1_and_audited(world):
    bureau = world.users["bureau"]
    current = district_rules_set(actor=bureau, district=world.district, document=HR_140, note="区卫健委会议纪要")
    assert (current.version, current.document, current.note, current.updated_by) == (
        1,
        HR_140,
        "区卫健委会议纪要",
        bureau,
    )
    assert list(DistrictRuleVersion.objects.values_list("version", "document", "note", "changed_by")) == [
        (1, HR_140, "区卫健委会议纪要", bureau.pk)
    ]
    event = AuditEvent.objects.get(entity_type="district_rules")
    assert (event.action, event.actor, event.entity_id, event.district_id) == (
        "change",
        bureau,
        str(current.public_id),
        world.district.pk,
    )
    assert event.fields == ["document.rules.hr_high"]
    assert event.summary == "修改辖区监测规则（测试区，第1版）"


def test_each_save_is_a_new_version_and_the_old_ones_are_kept(world):
    bureau = world.users["bureau"]
    district_rules_set(actor=bureau, district=world.district, document=HR_140)
    second = {"rules": {"hr_high": {"params": {"threshold": 145}}, "night_bathroom": {"enabled": False}}}
    district_rules_set(actor=bureau, district=world.district, document=second, note="第二版")
    current = district_rules_set(actor=bureau, district=world.district, document={}, note="恢复默认")
    assert (current.version, current.document) == (3, {})
    assert DistrictRuleOverride.objects.count() == 1
    assert list(DistrictRuleVersion.objects.order_by("version").values_list("version", "document", "note")) == [
        (1, HR_140, ""),
        (2, second, "第二版"),
        (3, {}, "恢复默认"),
    ]
    fields = list(
        AuditEvent.objects.filter(entity_type="district_rules").order_by("id").values_list("fields", flat=True)
    )
    assert fields == [
        ["document.rules.hr_high"],
        ["document.rules.hr_high", "document.rules.night_bathroom"],
        ["document.rules.hr_high", "document.rules.night_bathroom"],
    ]


def test_a_bad_document_names_every_path_and_writes_nothing(world):
    before = counts()
    document = {"rules": {"hr_high": {"params": {"threshold": "abc"}}, "hr_hgh": {}}, "config": {"day_start": "7"}}
    with pytest.raises(ValidationFailed) as exc:
        district_rules_set(actor=world.users["bureau"], district=world.district, document=document, note="x" * 501)
    assert fields_of(exc) == [
        ("note", "max_length"),
        ("rules.hr_high.params.threshold", "invalid_type"),
        ("rules.hr_hgh", "unknown_rule"),
        ("config.day_start", "invalid_time"),
    ]
    assert exc.value.message == "监测规则有误"
    assert counts() == before


@pytest.mark.parametrize("username", ["health_officer", "street0"])
def test_only_district_officers_with_the_right_change_district_rules(world, username):
    before = counts()
    with pytest.raises(Forbidden):
        district_rules_set(actor=world.users[username], district=world.district, document=HR_140)
    # A street account granted the right is still not a district officer.
    grant_permissions(world.users["street0"], "monitoring.rules.change")
    with pytest.raises(Forbidden, match="只有区级主管人员"):
        district_rules_set(actor=world.users["street0"], district=world.district, document=HR_140)
    assert counts() == before


def test_an_officer_cannot_change_another_districts_rules(world):
    other = district_b(world)
    with pytest.raises(Forbidden):
        district_rules_set(actor=world.users["bureau"], district=other, document=HR_140)
    assert not DistrictRuleVersion.objects.exists()


def test_an_elder_profile_is_created_then_revised_and_audited(world):
    elder, street0 = world.elders["elder0"], world.users["street0"]
    profile = elder_monitoring_profile_set(
        actor=street0, elder=elder, flags=["dementia", "copd", "copd"], override=HR_140, note="家属告知有慢阻肺"
    )
    assert (profile.flags, profile.override, profile.revision, profile.updated_by) == (
        ["copd", "dementia"],
        HR_140,
        1,
        street0,
    )
    profile = elder_monitoring_profile_set(
        actor=street0, elder=elder, flags=["copd"], override=None, note="家属告知有慢阻肺"
    )
    assert (profile.flags, profile.override, profile.revision) == (["copd"], {}, 2)
    assert ElderMonitoringProfile.objects.count() == 1
    events = AuditEvent.objects.filter(entity_type="monitoring_profile").order_by("id")
    assert [(e.action, e.entity_id, e.district_id, e.fields) for e in events] == [
        ("change", str(elder.public_id), world.district.pk, ["flags", "note", "override.rules.hr_high"]),
        ("change", str(elder.public_id), world.district.pk, ["flags", "override.rules.hr_high"]),
    ]
    assert all("慢阻肺" not in e.summary for e in events)


def test_a_bad_profile_names_each_field_and_writes_nothing(world):
    before = counts()
    with pytest.raises(ValidationFailed) as exc:
        elder_monitoring_profile_set(
            actor=world.users["street0"],
            elder=world.elders["elder0"],
            flags=["copd", "diabetes"],
            override={"rules": {"spo2_low": {"params": {"threshold_scale2": "low"}}}, "flags": ["copd"]},
        )
    assert fields_of(exc) == [
        ("flags[1]", "invalid_choice"),
        ("rules.spo2_low.params.threshold_scale2", "invalid_type"),
        ("flags", "not_overridable"),
    ]
    with pytest.raises(ValidationFailed) as exc:
        elder_monitoring_profile_set(
            actor=world.users["street0"], elder=world.elders["elder0"], flags="copd", override=[]
        )
    assert fields_of(exc) == [("flags", "invalid_type"), ("override", "invalid_type")]
    assert counts() == before


def test_conditions_and_medication_are_stripped_saved_and_audited_by_name(world):
    elder, street0 = world.elders["elder0"], world.users["street0"]
    profile = elder_monitoring_profile_set(
        actor=street0, elder=elder, flags=[], override={}, conditions=" 高血压；房颤 ", medication="阿司匹林 100mg qd"
    )
    assert (profile.conditions, profile.medication, profile.is_empty) == ("高血压；房颤", "阿司匹林 100mg qd", False)
    profile = elder_monitoring_profile_set(
        actor=street0, elder=elder, flags=[], override={}, conditions="高血压；房颤", medication=""
    )
    assert (profile.conditions, profile.medication, profile.revision) == ("高血压；房颤", "", 2)
    events = AuditEvent.objects.filter(entity_type="monitoring_profile").order_by("id")
    assert [e.fields for e in events] == [["conditions", "medication"], ["medication"]]
    assert all("高血压" not in e.summary and "阿司匹林" not in e.summary for e in events)


def test_too_long_conditions_or_medication_name_the_field_and_write_nothing(world):
    before = counts()
    with pytest.raises(ValidationFailed) as exc:
        elder_monitoring_profile_set(
            actor=world.users["street0"],
            elder=world.elders["elder0"],
            flags=[],
            override={},
            conditions="高" * 501,
            medication=["阿司匹林"],
        )
    assert fields_of(exc) == [("conditions", "max_length"), ("medication", "invalid_type")]
    assert [e.reason for e in exc.value.errors] == ["既往病史不能超过500个字符", "长期用药应为文本"]
    assert counts() == before
    profile = elder_monitoring_profile_set(
        actor=world.users["street0"], elder=world.elders["elder0"], flags=[], override={}, conditions="高" * 500
    )
    assert len(profile.conditions) == 500


def test_changing_a_profile_needs_the_right(world):
    before = counts()
    with pytest.raises(Forbidden):
        elder_monitoring_profile_set(
            actor=world.users["health_officer"], elder=world.elders["elder0"], flags=["copd"], override={}
        )
    assert counts() == before


def test_reading_a_profile_is_audited(world):
    elder_monitoring_profile_view(actor=world.users["street0"], elder=world.elders["elder0"])
    event = AuditEvent.objects.get(entity_type="monitoring_profile")
    assert (event.action, event.entity_id, event.fields) == (
        "view",
        str(world.elders["elder0"].public_id),
        ["conditions", "flags", "medication", "override"],
    )


def test_a_concurrent_first_save_is_a_conflict_and_writes_nothing(world):
    # Another officer's first save committed between our read (no override yet) and our write.
    DistrictRuleVersion.objects.create(
        district=world.district, version=1, document={}, changed_by=world.users["bureau"]
    )
    with pytest.raises(Conflict) as caught:
        district_rules_set(actor=world.users["bureau"], district=world.district, document=HR_140)
    assert caught.value.status == 409
    assert [(e.field, e.code) for e in caught.value.errors] == [("document", "conflict")]
    assert DistrictRuleVersion.objects.count() == 1 and not DistrictRuleOverride.objects.exists()
    assert not AuditEvent.objects.filter(entity_type="district_rules").exists()
