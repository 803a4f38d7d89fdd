"""Daily-routine rules: inactivity, late wake-up, night bed exit, night door exit, bathroom, housebound."""

from yiyang.monitoring.engine.core import _refresh_baselines
from yiyang.monitoring.engine.rules import resolve_ruleset
from yiyang.monitoring.engine.state import ElderState

from .helpers import Run, bed, door, local, motion


def _day_seen(run, day=0):
    """The elder was seen the day before (so the first-day exemption is over)."""
    run.readings(motion(local(day, "09:00")))


# ------------------------------------------------------------------ daytime inactivity
# Issue 4: every daytime inactivity is detected within 2 h, so the threshold is
# min(max(1.2 x P99, 90 min), 2 h); the population P99 (90 min; 100 min for 12:00-14:59) gives 108 / 120 min.
def test_inactivity_population_default_fires_at_108_minutes():
    run = Run()
    run.readings(motion(local(0, "10:00")))
    run.tick(local(0, "11:47"))
    assert run.raised("inactivity") == []
    run.tick(local(0, "11:48"))  # 1.2 x population P99 90 min
    assert [(a.alert_type, a.severity, a.at) for a in run.raised("inactivity")] == [
        ("inactivity", "urgent", local(0, "11:48"))
    ]
    assert run.raised("inactivity")[0].detail["personal"] is False
    assert run.raised("inactivity")[0].detail["inactive_min"] == 108


def test_inactivity_population_default_after_noon_fires_at_two_hours():
    run = Run()
    run.readings(motion(local(0, "13:00")))
    run.tick(local(0, "14:59"))
    assert run.raised("inactivity") == []
    run.tick(local(0, "15:00"))  # 1.2 x population P99 100 min
    assert [a.at for a in run.raised("inactivity")] == [local(0, "15:00")]


def test_inactivity_cleared_by_activity_and_rearmed():
    run = Run()
    run.readings(motion(local(0, "10:00")))
    run.tick(local(0, "11:48"))
    run.readings(motion(local(0, "12:30")))
    assert run.cleared() == ["inactivity"]
    run.tick(local(0, "14:29"))
    assert len(run.raised("inactivity")) == 1
    run.tick(local(0, "14:30"))
    assert len(run.raised("inactivity")) == 2


def test_no_inactivity_in_bed_away_or_at_night():
    in_bed = Run().readings(motion(local(0, "13:00")), bed(local(0, "13:05"), "in"))
    in_bed.tick(local(0, "17:00"))
    away = Run().readings(motion(local(0, "10:00")), door(local(0, "10:01")))
    away.tick(local(0, "15:00"))
    evening = Run().readings(motion(local(0, "20:30")))  # deadline 22:18 is past day end, no bed sensor
    evening.tick(local(0, "23:30"))
    assert in_bed.raised("inactivity") == away.raised("inactivity") == evening.raised("inactivity") == []


def _personal(gap_minutes, samples=20):
    """An elder with 20 days observed and `samples` inactivity gaps of `gap_minutes` at 10:00."""
    rules = resolve_ruleset()
    state = ElderState(1)
    state.days_obs = 20
    for _ in range(samples):
        state.hist_add(0, 10, gap_minutes * 60)
    _refresh_baselines(state, rules)
    return Run(rules, state)


def _personal_run(gap_minutes):
    run = _personal(gap_minutes)
    run.state.day = None
    run.readings(motion(local(0, "10:00")))
    run.state.days_obs = 20
    from yiyang.monitoring.engine.core import _recompute

    _refresh_baselines(run.state, run.rules)
    run.state.dirty = True
    _recompute(run.state, run.rules)
    return run


def test_inactivity_personal_p99_after_learning():
    # P99 of 99-min gaps is the 100-min bin edge: 1.2 x 100 = 120 min (population: 108 min)
    run = _personal_run(99)
    run.tick(local(0, "11:59"))
    assert run.raised("inactivity") == []
    run.tick(local(0, "12:00"))
    assert [(a.at, a.detail["personal"]) for a in run.raised("inactivity")] == [(local(0, "12:00"), True)]


def test_inactivity_personal_short_gaps_fire_at_the_90_minute_floor():
    run = _personal_run(30)  # 1.2 x 45 min = 54 min -> floor 90 min
    run.tick(local(0, "11:29"))
    assert run.raised("inactivity") == []
    run.tick(local(0, "11:30"))
    assert [a.at for a in run.raised("inactivity")] == [local(0, "11:30")]


def test_inactivity_long_personal_gaps_still_fire_within_two_hours():
    # a learned P99 of 4 h+ would have given 4 h before issue 4; the cap is now 2 h
    run = _personal_run(400)
    run.tick(local(0, "11:59"))
    assert run.raised("inactivity") == []
    run.tick(local(0, "12:00"))
    assert [(a.at, a.detail["inactive_min"]) for a in run.raised("inactivity")] == [(local(0, "12:00"), 120)]


def test_inactivity_threshold_floor_and_cap():
    assert _personal(30).state.thr[10] == 5400  # floor 90 min
    assert _personal(60).state.thr[10] == 5400  # 1.2 x 75 min = 90 min
    assert _personal(80).state.thr[10] == 6480  # 1.2 x 90 min
    assert _personal(99).state.thr[10] == 7200  # 1.2 x 100 min
    assert _personal(149).state.thr[10] == 7200  # 1.2 x 150 min = 180 min -> cap 2 h
    assert _personal(400).state.thr[10] == 7200  # cap 2 h
    few = _personal(400, samples=5)  # too few samples: population default
    assert few.state.thr[10] == 6480
    assert few.state.thr[13] == 7200
    learning = ElderState(1)
    learning.days_obs = 13
    for _ in range(20):
        learning.hist_add(0, 10, 400 * 60)
    _refresh_baselines(learning, resolve_ruleset())
    assert learning.thr[10] == 6480  # first 14 days: population
    assert max(learning.thr) == 7200  # no hour of the day waits longer than 2 h


# ------------------------------------------------------------------ late wake-up
def test_late_wakeup_population_default():
    run = Run()
    _day_seen(run)
    run.readings(bed(local(0, "21:30"), "in"))
    run.tick(local(1, "08:59"))
    assert run.raised("late_wakeup") == []
    run.tick(local(1, "09:00"))  # population P95 08:00 + 60 min
    assert [(a.alert_type, a.severity) for a in run.raised("late_wakeup")] == [("late_wakeup", "urgent")]
    # getting up clears it
    run.readings(
        bed(local(1, "09:20"), "out"), motion(local(1, "09:21"), "bathroom"), motion(local(1, "09:35"), "kitchen")
    )
    assert "late_wakeup" in run.cleared()


def test_bathroom_trip_back_to_bed_is_not_waking():
    run = Run()
    _day_seen(run)
    run.readings(bed(local(0, "21:30"), "in"), bed(local(1, "05:00"), "out"), motion(local(1, "05:01"), "bathroom"))
    run.readings(bed(local(1, "05:10"), "in"))
    run.tick(local(1, "09:00"))
    assert len(run.raised("late_wakeup")) == 1


def test_normal_morning_no_late_wakeup():
    run = Run()
    _day_seen(run)
    run.readings(bed(local(0, "21:30"), "in"), bed(local(1, "06:30"), "out"), motion(local(1, "06:31"), "bathroom"))
    run.readings(motion(local(1, "06:45"), "kitchen"))
    run.tick(local(1, "09:30"))
    assert run.raised("late_wakeup") == []


def test_late_wakeup_personal_p95():
    run = Run()
    _day_seen(run)
    state = run.state
    state.days_obs = 20
    for i in range(20):
        state.wake_ring[i] = 6 * 60  # always up at 06:00
    state.wake_n = 20
    run.readings(bed(local(0, "21:30"), "in"))
    run.readings(bed(local(1, "00:10"), "out"), bed(local(1, "00:15"), "in"))  # rollover to day 1 at night
    run.tick(local(1, "06:59"))
    assert run.raised("late_wakeup") == []
    run.tick(local(1, "07:00"))
    assert len(run.raised("late_wakeup")) == 1
    assert run.raised("late_wakeup")[0].detail["personal"] is True


# ------------------------------------------------------------------ night bed exit
def test_night_bed_exit_after_30_minutes_without_motion():
    run = Run()
    run.readings(bed(local(0, "22:00"), "in"), bed(local(1, "02:00"), "out"))
    run.tick(local(1, "02:29"))
    assert run.raised("night_bed_exit") == []
    run.tick(local(1, "02:30"))
    assert [(a.alert_type, a.severity) for a in run.raised("night_bed_exit")] == [("night_bed_exit", "urgent")]
    run.readings(bed(local(1, "02:50"), "in"))
    assert run.cleared() == ["night_bed_exit"]


def test_night_bed_exit_motion_restarts_the_window():
    run = Run()
    run.readings(bed(local(0, "22:00"), "in"), bed(local(1, "02:00"), "out"), motion(local(1, "02:20"), "bathroom"))
    run.tick(local(1, "02:30"))
    assert run.raised("night_bed_exit") == []
    run.tick(local(1, "02:50"))
    assert len(run.raised("night_bed_exit")) == 1


def test_bed_exit_in_the_day_is_not_night_rule():
    run = Run()
    run.readings(bed(local(0, "13:00"), "in"), bed(local(0, "14:00"), "out"))
    run.tick(local(0, "14:45"))
    assert run.raised("night_bed_exit") == []


# ------------------------------------------------------------------ night door exit
def test_night_door_exit_dementia_only():
    dementia = resolve_ruleset(flags=["dementia"])
    run = Run(dementia).readings(motion(local(0, "23:25")), door(local(0, "23:30")))
    run.tick(local(0, "23:44"))
    assert run.raised("night_door_exit") == []
    run.tick(local(0, "23:45"))
    assert [(a.alert_type, a.severity) for a in run.raised("night_door_exit")] == [("night_door_exit", "urgent")]
    back = Run(dementia).readings(door(local(0, "23:30")), motion(local(0, "23:40")))
    back.tick(local(0, "23:50"))
    plain = Run().readings(door(local(0, "23:30")))
    plain.tick(local(0, "23:50"))
    evening = Run(dementia).readings(door(local(0, "22:30")))
    evening.tick(local(0, "22:50"))
    assert back.raised("night_door_exit") == plain.raised("night_door_exit") == evening.raised("night_door_exit") == []


# ------------------------------------------------------------------ night bathroom visits, housebound
def _nights(run, visits_per_night, first_day=0):
    for offset, visits in enumerate(visits_per_night):
        day = first_day + offset
        run.readings(motion(local(day, "20:00")))
        for v in range(visits):
            run.readings(motion(local(day + 1, f"0{v}:10"), "bathroom"), motion(local(day + 1, f"0{v}:15"), "bedroom"))
        run.readings(motion(local(day + 1, "12:30")))


def test_night_bathroom_population_default_two_nights():
    # population mean 1.2, SD 1.0 -> limit 3.2: four visits on two nights
    run = Run()
    _nights(run, [4, 4])
    assert [(a.alert_type, a.severity) for a in run.raised("night_bathroom")] == [("night_bathroom", "watch")]
    one = Run()
    _nights(one, [4, 1, 4])
    three = Run()
    _nights(three, [3, 3, 3])
    assert one.raised("night_bathroom") == three.raised("night_bathroom") == []


def test_night_bathroom_personal_baseline():
    # an elder who always goes 4 times a night is flagged while learning (population limit 3.2),
    # then no longer once the personal baseline (mean 4, SD floor 0.7 -> limit 5.4) applies
    run = Run()
    _nights(run, [4] * 18)
    assert run.state.nights_obs >= 14
    episodes = [a for a in run.raised("night_bathroom") if a.detail["repeat"] == 0]
    assert len(episodes) == 1
    assert "night_bathroom" in run.cleared()
    before = len(run.commands)
    _nights(run, [5, 5], first_day=18)
    assert [c for c in run.commands[before:] if getattr(c, "alert_type", "") == "night_bathroom"] == []
    _nights(run, [7, 7], first_day=20)
    assert [a.detail["repeat"] for a in run.raised("night_bathroom")][-1] == 0


def _days(run, counts, first_day=0):
    for offset, count in enumerate(counts):
        for i in range(count):
            run.readings(
                motion(
                    local(first_day + offset, "08:00").replace(second=0)
                    + (i * 1) * __import__("datetime").timedelta(minutes=1)
                )
            )


def test_housebound_population_three_low_days():
    run = Run()
    _days(run, [10, 10, 10, 40])
    assert [(a.alert_type, a.severity) for a in run.raised("housebound")] == [("housebound", "watch")]
    two = Run()
    _days(two, [10, 10, 40, 10, 40])
    assert two.raised("housebound") == []


def test_housebound_personal_p5():
    run = Run()
    _days(run, [20] * 16)  # a quiet elder: 20 events a day is their normal
    first = len(run.raised("housebound"))
    _days(run, [20, 20, 20, 20], first_day=16)
    assert len(run.raised("housebound")) == first  # personal P5 = 20, not lower
    _days(run, [5, 5, 5, 20], first_day=20)
    assert len(run.raised("housebound")) == first + 1
