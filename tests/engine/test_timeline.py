"""Placing work into the gaps of a unit's timeline on a calendar (``Timeline.find``)."""

from hypothesis import given, settings
from hypothesis import strategies as st

from med_aps_engine.calendar import INF, Calendar
from med_aps_engine.problem import Resource
from med_aps_engine.schedule import Timeline

FAMILIES = (None, "A", "B", "C")


@st.composite
def calendars(draw):
    """Working windows with breaks between them, or always open."""
    if draw(st.integers(0, 4)) == 0:
        return Calendar(None)
    windows, t = [], draw(st.integers(0, 30))
    for _ in range(draw(st.integers(1, 5))):
        length = draw(st.integers(1, 60))
        windows.append((t, t + length))
        t += length + draw(st.integers(1, 40))
    return Calendar(windows)


@st.composite
def timelines(draw):
    """Occupied entries with gaps of every size, families and changeover room."""
    timeline, t = Timeline(), draw(st.integers(0, 20))
    for k in range(draw(st.integers(0, 12))):
        t += draw(st.integers(0, 25))
        length = draw(st.integers(1, 30))
        timeline.insert(
            t,
            t + length,
            f"op{k}",
            draw(st.sampled_from(FAMILIES)),
            draw(st.integers(0, 10)),
        )
        t += length
    return timeline


RESOURCE = Resource(
    "R",
    "R",
    1,
    100.0,
    Calendar(None),
    changeover_default=5,
    changeover_rules={("A", "B"): 12, ("B", "A"): 0, ("C", "A"): 20},
)


@settings(max_examples=1500, deadline=None)
@given(
    calendars(),
    timelines(),
    st.integers(0, 300),
    st.integers(1, 40),
    st.sampled_from(FAMILIES),
    st.integers(1, 60),
)
def test_skipping_short_gaps_places_work_where_trying_every_gap_does(
    calendar, timeline, t, work, family, max_gaps
):
    """With no latest start, gaps too short for the work are skipped without placing it on the
    calendar; ``latest=INF`` turns that off and bounds nothing, so it tries every gap."""
    found = timeline.find(t, work, family, True, calendar, RESOURCE, max_gaps=max_gaps)
    every_gap = timeline.find(
        t, work, family, True, calendar, RESOURCE, latest=INF, max_gaps=max_gaps
    )
    assert found == every_gap


@settings(max_examples=300, deadline=None)
@given(calendars(), st.integers(1, 500))
def test_latest_start_with_so_many_minutes_left(calendar, minutes):
    latest = calendar.latest_with_minutes(minutes)
    if calendar.always:
        assert latest == INF
        return
    total = calendar.total_minutes()
    if minutes > total:
        assert latest is None
        return
    end = calendar.ends[-1]
    assert calendar.working_minutes(latest, end) == minutes
    assert calendar.working_minutes(latest + 1, end) == minutes - 1


def test_no_gap_is_skipped_where_the_calendar_may_run_out():
    """Near the calendar's end a placement may fail (fewer minutes left than the work and
    the changeover), which ends the search; such a gap is placed, not skipped."""
    calendar = Calendar([(0, 100)])
    timeline = Timeline()
    timeline.insert(0, 60, "x", "C")  # C -> A takes 20 minutes: 30 + 20 > the 40 left at 60
    timeline.insert(62, 64, "y", "B")  # B -> A takes none: 30 would fit after it
    found = timeline.find(0, 30, "A", True, calendar, RESOURCE)
    assert found == timeline.find(0, 30, "A", True, calendar, RESOURCE, latest=INF)
    assert found is None
