"""Daily-routine rules: inactivity, late wake-up, night bed exit, night door exit, bathroom, housebound."""

from yiyang.monitoring.engine.core import _refresh_baselines
from yiyang.monitoring.engine.rules import resolve_ruleset
from yiyang.monitoring.engine.state import ElderState

from .helpers import Run, bed, door, local, motion


def _day_seen(run, day=0):
    """The elder was seen the day before (so the first-day exemption is over)."""
    run.readings(motion(local(day, "09:00")))


# ------------------------------------------------------------------ daytime inactivity
def test_inactivity_population_default_fires_at_two_hours():
    run = Run()
    run.readings(motion(local(0, "10:00")))
    assert run.tick(local(0, "11:59")) == [] or run.raised("inactivity") == []
    run.tick(local(0, "12:00"))
    assert [(a.alert_type, a.severity) for a in run.raised("inactivity")] == [("inactivity", "urgent")]
    assert run.raised("inactivity")[0].detail["personal"] is False


def test_inactivity_cleared_by_activity_and_rearmed():
    run = Run()
    run.readings(motion(local(0, "10:00")))
    run.tick(local(0, "12:00"))
    run.readings(motion(local(0, "12:30")))
    assert run.cleared() == ["inactivity"]
    run.tick(local(0, "14:30"))
    assert len(run.raised("inactivity")) == 2


def test_no_inactivity_in_bed_away_or_at_night():
    in_bed = Run().readings(motion(local(0, "13:00")), bed(local(0, "13:05"), "in"))
    in_bed.tick(local(0, "17:00"))
    away = Run().readings(motion(local(0, "10:00")), door(local(0, "10:01")))
    away.tick(local(0, "15:00"))
    evening = Run().readings(motion(local(0, "21:00")))  # deadline 23:00 is past day end, no bed sensor
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


def test_inactivity_personal_p99_after_learning():
    # P99 of 150-min gaps: 1.2 x 150 = 180 min
    run = _personal(149)
    run.state.day = None
    run.readings(motion(local(0, "10:00")))
    run.state.days_obs = 20
    from yiyang.monitoring.engine.core import _recompute

    _refresh_baselines(run.state, run.rules)
    run.state.dirty = True
    _recompute(run.state, run.rules)
    run.tick(local(0, "12:59"))
    assert run.raised("inactivity") == []
    run.tick(local(0, "13:00"))
    assert len(run.raised("inactivity")) == 1


def test_inactivity_threshold_floor_and_cap():
    assert _personal(30).state.thr[10] == 7200  # floor 2 h
    assert _personal(149).state.thr[10] == 10800  # 1.2 x 150 min
    assert _personal(400).state.thr[10] == 14400  # cap 4 h
    few = _personal(400, samples=5)  # too few samples: population default
    assert few.state.thr[10] == 7200
    learning = ElderState(1)
    learning.days_obs = 13
    for _ in range(20):
        learning.hist_add(0, 10, 400 * 60)
    _refresh_baselines(learning, resolve_ruleset())
    assert learning.thr[10] == 7200  # first 14 days: population


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
