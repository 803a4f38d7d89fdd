"""The rules resolver the engine runner uses: defaults + the elder's district override + the elder's
flags and override, answered from memory; a fingerprint that moves on every change; and an Engine fed
by it applying a district threshold and the COPD flag (NEWS2 SpO2 scale 2) to readings."""

import pytest

from yiyang.core.testing import national_id
from yiyang.elders.models import Elder
from yiyang.monitoring.engine.contract import BODY_TEMPERATURE, HEART_RATE, SPO2, RaiseAlert
from yiyang.monitoring.engine.engine import Engine
from yiyang.monitoring.engine.rules import default_ruleset
from yiyang.monitoring.models import DistrictRuleOverride, ElderMonitoringProfile
from yiyang.monitoring.selectors import rules_fingerprint, rules_resolver
from yiyang.monitoring.services import district_rules_set, elder_monitoring_profile_set
from yiyang.monitoring.tests.support import HR_140, T0, district_b, vital


def threshold(rules, rule_id):
    return next(t.threshold for items in rules.thresholds.values() for t in items if t.rule == rule_id)


def set_district(world, document, district=None, actor="bureau"):
    return district_rules_set(actor=world.users[actor], district=district or world.district, document=document)


def set_profile(world, key, flags=(), override=None):
    return elder_monitoring_profile_set(
        actor=world.users["street0"], elder=world.elders[key], flags=list(flags), override=override
    )


def raised(commands, alert_type):
    return [c for c in commands if isinstance(c, RaiseAlert) and c.alert_type == alert_type]


def test_without_overrides_every_elder_shares_the_compiled_defaults(world, django_assert_num_queries):
    resolver = rules_resolver()
    with django_assert_num_queries(4):  # fingerprint (2), overrides (1), profiles (1); no district map needed
        resolver.load()
    with django_assert_num_queries(0):
        answers = [resolver(elder.pk) for elder in world.elders.values()]
    assert len(answers) == 4
    assert all(rules is default_ruleset() for rules in answers)


def test_a_district_override_applies_to_the_elders_of_that_district_only(world):
    district_b(world)
    set_district(world, HR_140)
    resolver = rules_resolver()
    elder0, elder1, elder_b = (resolver(world.elders[k].pk) for k in ("elder0", "elder1", "elder_b"))
    assert threshold(elder0, "hr_high") == 140
    assert elder0 is elder1  # same district, no profile: one compiled RuleSet
    assert elder_b is default_ruleset()
    assert threshold(elder_b, "hr_high") == 131


def test_elder_flags_and_override_layer_on_the_district_override(world):
    set_district(world, {"rules": {"hr_high": {"params": {"threshold": 140, "min_count": 3}}}})
    set_profile(
        world, "elder0", flags=["copd", "dementia"], override={"rules": {"hr_high": {"params": {"threshold": 150}}}}
    )
    set_profile(world, "resident0", flags=["copd"])
    set_profile(world, "elder1", flags=["copd"])
    resolver = rules_resolver()
    elder0 = resolver(world.elders["elder0"].pk)
    assert elder0.flags == {"copd", "dementia"}
    assert elder0.news2_scale2 is True
    assert threshold(elder0, "spo2_low") == 83  # NEWS2 SpO2 scale 2
    assert threshold(elder0, "hr_high") == 150  # elder over district
    assert elder0.p("hr_high")["min_count"] == 3  # district value the elder left alone
    resident0, elder1 = resolver(world.elders["resident0"].pk), resolver(world.elders["elder1"].pk)
    assert resident0 is elder1  # same district and flags, no own override: shared
    assert (threshold(resident0, "spo2_low"), threshold(resident0, "hr_high")) == (83, 140)
    assert threshold(resolver(world.elders["resident1"].pk), "spo2_low") == 91


def test_the_fingerprint_moves_on_every_change_and_refresh_reloads(world, django_assert_num_queries):
    resolver = rules_resolver()
    assert resolver.refresh() is True  # first use loads
    with django_assert_num_queries(2):
        first = resolver.fingerprint()
    assert resolver.refresh() is False
    assert rules_fingerprint() == first

    set_district(world, HR_140)
    second = rules_fingerprint()
    assert second != first
    assert resolver.refresh() is True
    assert threshold(resolver(world.elders["elder0"].pk), "hr_high") == 140

    set_profile(world, "elder0", flags=["copd"])
    third = rules_fingerprint()
    set_profile(world, "elder0", flags=["copd"], override=HR_140)  # same row, a new revision
    fourth = rules_fingerprint()
    set_district(world, {})  # back to the defaults is a change too
    fifth = rules_fingerprint()
    assert len({first, second, third, fourth, fifth}) == 5
    assert resolver.refresh() is True
    assert threshold(resolver(world.elders["elder1"].pk), "hr_high") == 131
    assert resolver(world.elders["elder1"].pk) is default_ruleset()


def test_an_elder_registered_after_the_load_costs_one_query_once(world, django_assert_num_queries):
    set_district(world, HR_140)
    resolver = rules_resolver()
    resolver.load()
    known = world.elders["elder0"]
    newcomer = Elder.objects.create(
        name="新来的",
        national_id=national_id(77),
        birth_date=known.birth_date,
        sex="F",
        community=known.community,
        street=known.street,
        district=known.district,
    )
    with django_assert_num_queries(1):
        assert threshold(resolver(newcomer.pk), "hr_high") == 140
    with django_assert_num_queries(0):
        resolver(newcomer.pk)
        resolver(known.pk)


def test_a_stored_override_that_no_longer_compiles_is_skipped_not_fatal(world, caplog):
    set_district(world, HR_140)
    set_profile(world, "elder0", flags=["copd"], override={"rules": {"hr_high": {"params": {"threshold": 150}}}})
    # The defaults changed under the stored documents (simulated by writing around the service).
    DistrictRuleOverride.objects.update(document={"rules": {"retired_rule": {"enabled": False}}})
    ElderMonitoringProfile.objects.update(override={"rules": {"hr_high": {"params": {"gone": 1}}}})
    resolver = rules_resolver()
    elder0 = resolver(world.elders["elder0"].pk)
    assert threshold(elder0, "hr_high") == 131 and threshold(elder0, "spo2_low") == 83
    assert threshold(resolver(world.elders["elder1"].pk), "hr_high") == 131
    assert resolver.problems == [
        f"elder {world.elders['elder0'].pk}: district {world.district.pk} and elder {world.elders['elder0'].pk} "
        "overrides skipped, it no longer compiles against the defaults",
        f"elder {world.elders['elder1'].pk}: district {world.district.pk} override skipped, it no longer compiles "
        "against the defaults",
    ]
    assert "no longer compiles" in caplog.text


def test_an_engine_fed_by_the_resolver_applies_the_district_threshold_and_the_copd_flag(world):
    other = district_b(world)
    set_district(world, {"rules": {"temp_extreme_high": {"params": {"threshold": 38.5}}}})
    set_district(world, {"rules": {"spo2_low": {"params": {"min_count": 2}}}}, district=other, actor="bureau_b")
    set_profile(world, "elder0", flags=["copd"])
    engine = Engine(rules_for=rules_resolver())
    elder0, elder1, elder_b = world.elders["elder0"], world.elders["elder1"], world.elders["elder_b"]

    # District threshold: 38.7 C is an extreme temperature in this district (38.5), not at the default 39.1.
    for elder in (elder1, elder_b):
        commands = engine.feed(vital(elder, BODY_TEMPERATURE, 38.7), T0)
        assert bool(raised(commands, "temp_extreme")) is (elder is elder1)
    assert raised(engine.feed(vital(elder1, BODY_TEMPERATURE, 38.7, 1), T0), "temp_extreme") == []  # already open

    # COPD flag: SpO2 86 % three times raises spo2_low on scale 1 (<= 91) but not on scale 2 (<= 83).
    alerts = {}
    for elder in (elder0, elder1):
        commands = []
        for minute in range(3):
            reading = vital(elder, SPO2, 86, 10 + minute)
            commands += engine.feed(reading, reading.device_ts)
        alerts[elder.pk] = raised(commands, "spo2_low")
    assert alerts[elder0.pk] == []
    assert [(a.severity, a.rule) for a in alerts[elder1.pk]] == [("urgent", "spo2_low")]
    assert (alerts[elder1.pk][0].detail["value"], alerts[elder1.pk][0].detail["count"]) == (86, 3)
    # ... and 82 % is low on scale 2 too.
    commands = []
    for minute in range(3):
        reading = vital(elder0, SPO2, 82, 20 + minute)
        commands += engine.feed(reading, reading.device_ts)
    assert [a.detail["value"] for a in raised(commands, "spo2_low")] == [82]


def test_invalidate_rules_makes_the_engine_ask_the_resolver_again(world):
    resolver = rules_resolver()
    engine = Engine(rules_for=resolver)
    elder0, elder1 = world.elders["elder0"], world.elders["elder1"]
    engine.feed(vital(elder0, HEART_RATE, 70), T0)
    engine.feed(vital(elder1, HEART_RATE, 70), T0)
    assert engine.rules_for(elder0.pk) is default_ruleset()

    set_district(world, HR_140)
    assert resolver.refresh() is True
    assert engine.rules_for(elder0.pk) is default_ruleset()  # cached until invalidated
    engine.invalidate_rules([elder0.pk])
    assert threshold(engine.rules_for(elder0.pk), "hr_high") == 140
    assert engine.rules_for(elder1.pk) is default_ruleset()
    engine.invalidate_rules()
    assert threshold(engine.rules_for(elder1.pk), "hr_high") == 140
    assert engine.states[elder1.pk].elder_id == elder1.pk  # states are kept


@pytest.mark.parametrize("flags", [["copd"], ["dementia"], []])
def test_a_profile_with_only_flags_still_resolves(world, flags):
    set_profile(world, "elder0", flags=flags)
    rules = rules_resolver()(world.elders["elder0"].pk)
    assert rules.flags == frozenset(flags)
    assert (rules is default_ruleset()) is (not flags)
