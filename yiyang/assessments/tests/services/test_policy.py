"""Loading policy data: checked by the scale layer's own loader, dated, sourced, and used for
assessments from its effective date on."""

from datetime import date

import pytest

from yiyang.assessments.models import PolicyVersion
from yiyang.assessments.selectors import policy_version_current
from yiyang.assessments.services import PolicyDocument, assessment_submit, policy_document_parse, policy_version_load
from yiyang.assessments.services.seeding import answers_for_totals
from yiyang.assessments.tests.support import LTC, draft, field_codes, gbt_answers, grant, ltc_answers, snapshot
from yiyang.audit.models import AuditEvent
from yiyang.core.errors import Forbidden, ValidationFailed

pytestmark = pytest.mark.django_db

OFFICIAL_TABLE = [[0, 0, 1, 1], [1, 1, 2, 2], [2, 2, 3, 3], [3, 4, 4, 5]]


def ltc_document(**overrides):
    values = {
        "scale": LTC,
        "effective_from": date(2025, 1, 1),
        "source": "医保办发〔2021〕37号 附件（已核对）",
        "verified": True,
        "data": {"combination": OFFICIAL_TABLE},
    }
    values.update(overrides)
    return PolicyDocument(**values)


def test_an_officer_loads_a_version_for_their_district_and_it_is_audited(world):
    version = policy_version_load(actor=world.users["bureau"], document=ltc_document())
    assert version.district == world.district
    assert version.data == {
        "combination": OFFICIAL_TABLE,
        "source": "医保办发〔2021〕37号 附件（已核对）",
        "verified": True,
    }
    assert version.verified is True
    assert len(version.fingerprint) == 64
    event = AuditEvent.objects.get(entity_type="policy_version")
    assert (event.action, event.entity_id) == ("import", str(version.public_id))
    assert event.fields == ["combination", "source", "verified"]


def test_a_submitted_assessment_uses_the_version_in_force_and_keeps_it(world):
    # given: ADL 重度受损 with cognition 轻度受损 is grade 3 in the shipped table, 4 in the loaded one
    version = policy_version_load(actor=world.users["bureau"], document=ltc_document())
    answers = answers_for_totals(LTC, {"C1": 20, "C2": 14, "C3": 12}, {})
    record = draft(world, scale=LTC, answers=answers, assessed_on=date(2025, 6, 1))
    shipped = draft(world, scale=LTC, answers=answers, assessed_on=date(2024, 6, 1), elder="resident0")
    # when
    result = assessment_submit(actor=world.users["street0"], assessment=record)
    before_version = assessment_submit(actor=world.users["street0"], assessment=shipped)
    # then
    assert (result.policy, result.level, result.level_name) == (version, 4, "重度失能Ⅱ级")
    assert (before_version.policy, before_version.level) == (None, 3)
    assert result.result["policy"]["source"] == "医保办发〔2021〕37号 附件（已核对）"
    # the group bands are still the shipped, unverified ones
    assert result.verified is False


def test_an_assessment_dated_before_the_version_uses_the_shipped_data(world):
    policy_version_load(actor=world.users["bureau"], document=ltc_document(effective_from=date(2026, 1, 1)))
    record = draft(world, scale=LTC, answers=ltc_answers(3), assessed_on=date(2025, 6, 1))
    assert assessment_submit(actor=world.users["street0"], assessment=record).policy is None


def test_the_latest_version_on_or_before_the_date_applies(world):
    first = policy_version_load(actor=world.users["bureau"], document=ltc_document(effective_from=date(2025, 1, 1)))
    second = policy_version_load(actor=world.users["bureau"], document=ltc_document(effective_from=date(2025, 7, 1)))
    district = world.district.pk
    assert policy_version_current(scale=LTC, district_id=district, on=date(2025, 6, 30)) == first
    assert policy_version_current(scale=LTC, district_id=district, on=date(2025, 7, 1)) == second
    assert policy_version_current(scale=LTC, district_id=district, on=date(2024, 12, 31)) is None
    assert policy_version_current(scale=LTC, district_id=district + 999, on=date(2025, 7, 1)) is None


def test_settings_only_version_switches_rule_stacking_for_gbt(world):
    document = PolicyDocument(
        scale="gbt42195-2022",
        effective_from=date(2025, 1, 1),
        source="区民政局 2025 年第 3 号通知",
        verified=True,
        settings={"stack_level_rules": False},
    )
    version = policy_version_load(actor=world.users["bureau"], document=document)
    assert (version.data, version.scoring_settings) == ({}, {"stack_level_rules": False})
    record = draft(world, answers=gbt_answers(1, diagnoses=["F03"], risk_events_30d=2), assessed_on=date(2025, 2, 1))
    result = assessment_submit(actor=world.users["street0"], assessment=record)
    assert result.scoring_settings == {"stack_level_rules": False}
    assert result.level == 2  # 1 raised once, not twice


def test_every_problem_is_listed_with_the_scale_layers_paths_and_nothing_is_written(world):
    before = snapshot()
    document = ltc_document(
        source="",
        verified="yes",
        effective_from="2025-13-01",
        data={"combination": [[0, 0, 1]], "bands": []},
        settings={"nonsense": True},
    )
    with pytest.raises(ValidationFailed) as caught:
        policy_version_load(actor=world.users["bureau"], document=document)
    fields = {field for field, _ in field_codes(caught.value)}
    assert {"source", "verified", "effective_from", "policy.bands", "settings.nonsense"} <= fields
    assert any(field.startswith("policy.combination") for field in fields)
    assert snapshot() == before


def test_unknown_scale_or_nothing_to_load_is_refused(world):
    with pytest.raises(ValidationFailed) as caught:
        policy_version_load(actor=world.users["bureau"], document=ltc_document(scale="nope", data={}))
    assert field_codes(caught.value) == {("scale", "unknown_scale"), ("data", "required")}


@pytest.mark.parametrize("username", ["health_officer", "street0", "medical0"])
def test_only_an_officer_with_the_policy_right_loads(world, username):
    before = snapshot()
    with pytest.raises(Forbidden):
        policy_version_load(actor=world.users[username], document=ltc_document())
    assert snapshot() == before


def test_a_street_account_granted_the_right_still_may_not_load_for_the_district(world):
    grant(world.users["street0"], "assessments.policy")
    with pytest.raises(Forbidden):
        policy_version_load(actor=world.users["street0"], document=ltc_document())
    assert PolicyVersion.objects.count() == 0


def test_a_yaml_or_json_document_is_read(world):
    yaml_text = """
scale: ltc-2021
effective_from: 2025-01-01
source: 附件
verified: false
combination:
  - [0, 0, 1, 1]
  - [1, 1, 1, 2]
  - [2, 2, 2, 3]
  - [3, 3, 4, 5]
settings: null
""".encode()
    document = policy_document_parse(yaml_text)
    assert (document.scale, document.effective_from, document.verified) == (LTC, date(2025, 1, 1), False)
    assert list(document.data) == ["combination"]
    json_doc = policy_document_parse(
        b'{"scale": "ltc-2021", "effective_from": "2025-01-01", "source": "x", "verified": true}'
    )
    assert json_doc.effective_from == "2025-01-01"
    with pytest.raises(ValidationFailed) as caught:
        policy_document_parse(b"- just\n- a list\n")
    assert field_codes(caught.value) == {("file", "invalid")}
