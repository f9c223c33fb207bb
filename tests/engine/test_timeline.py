"""Placing work into the gaps of a unit's timeline on a calendar (``Timeline.find``)."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from med_aps_engine.calendar import INF, Calendar, open_minutes
from med_aps_engine.problem import Resource
from med_aps_engine.schedule import Timeline

FAMILIES = (None, "A", "B", "C")


@st.composite
def calendars(
    draw,
    count=(1, 5),
    lengths=(1, 60),
    breaks=(1, 40),
    may_be_open=True,
):
    """Working windows with breaks between them (how many, and their minutes, within these
    bounds), or (``may_be_open``) always open."""
    if may_be_open and draw(st.integers(0, 4)) == 0:
        return Calendar(None)
    windows, t = [], draw(st.integers(0, 30))
    for _ in range(draw(st.integers(*count))):
        length = draw(st.integers(*lengths))
        windows.append((t, t + length))
        t += length + draw(st.integers(*breaks))
    return Calendar(windows)


ANY_GAP = st.integers(0, 25)


@st.composite
def timelines(draw, most=12, gaps=ANY_GAP):
    """Up to ``most`` occupied entries with ``gaps`` between them, families and changeover
    room."""
    timeline, t = Timeline(), draw(st.integers(0, 20))
    for k in range(draw(st.integers(0, most))):
        t += draw(gaps)
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
    st.booleans(),
)
def test_skipping_short_gaps_places_work_where_trying_every_gap_does(
    calendar, timeline, t, work, family, max_gaps, far
):
    """With no latest start, gaps too short for the work are skipped without placing it on the
    calendar; ``latest=INF`` turns that off and bounds nothing, so it tries every gap."""
    found = timeline.find(t, work, family, True, calendar, RESOURCE, max_gaps=max_gaps, far=far)
    every_gap = timeline.find(
        t, work, family, True, calendar, RESOURCE, latest=INF, max_gaps=max_gaps, far=far
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
    the changeover); such a gap is placed, not skipped, and the search goes on to a gap with
    a smaller changeover."""
    calendar = Calendar([(0, 100)])
    timeline = Timeline()
    timeline.insert(0, 60, "x", "C")  # C -> A takes 20 minutes: 30 + 20 > the 40 left at 60
    timeline.insert(62, 64, "y", "B")  # B -> A takes none: 30 fits after it
    found = timeline.find(0, 30, "A", True, calendar, RESOURCE)
    assert found == timeline.find(0, 30, "A", True, calendar, RESOURCE, latest=INF)
    assert found == (64, 94, 0)
    # with the same changeover after y as after x, nothing fits before the calendar ends
    timeline = Timeline()
    timeline.insert(0, 60, "x", "C")
    timeline.insert(62, 64, "y", "C")
    assert timeline.find(0, 30, "A", True, calendar, RESOURCE) is None
    assert timeline.find(0, 30, "A", True, calendar, RESOURCE, latest=INF) is None


def test_a_latest_start_looks_past_a_gap_whose_changeover_misses_the_shift():
    """Work that may start no later than ``latest`` (work making way in a later gap, an exact
    start): after C the changeover makes it miss the shift's end, after B it fits, both
    gaps before ``latest``."""
    calendar = Calendar([(0, 100), (200, 300)])
    timeline = Timeline()
    timeline.insert(0, 40, "x", "C")  # C -> A: 20 + 50 from 40 ends after 100
    timeline.insert(42, 45, "y", "B")  # B -> A: none, 45 + 50 = 95
    unbounded = timeline.find(0, 50, "A", False, calendar, RESOURCE)
    assert unbounded == (45, 95, 0)
    assert timeline.find(0, 50, "A", False, calendar, RESOURCE, latest=60) == unbounded
    assert timeline.find(0, 50, "A", False, calendar, RESOURCE, latest=45) == unbounded
    assert timeline.find(0, 50, "A", False, calendar, RESOURCE, latest=44) is None


def _first_fitting_gap(timeline, t, work, family, interruptible, calendar, latest, resource):
    """The oracle: every gap from ``t`` on, in order, placed on the calendar with the
    changeover from the entry before it; the first that holds the work (and its start by
    ``latest``)."""
    n = len(timeline.starts)
    for j in range(n + 1):
        if j < n and timeline.ends[j] <= t:
            continue
        lo, co = t, 0
        if j > 0:
            lo = max(t, timeline.ends[j - 1])
            co = resource.changeover(timeline.fams[j - 1], family)
        placed = calendar.place(lo, work + co, interruptible)
        if placed is None or (latest is not None and placed[0] > latest):
            continue
        s, e = placed
        if j == n or (
            e <= timeline.starts[j]
            and resource.changeover(family, timeline.fams[j]) <= timeline.coalloc[j]
        ):
            return s, e, co
    return None


# changeovers of many sizes, short shifts: a gap after one family misses the shift where a
# gap after another still holds the work
SPREAD = Resource(
    "S",
    "S",
    1,
    100.0,
    Calendar(None),
    changeover_rules={
        ("A", "B"): 30,
        ("C", "B"): 10,
        ("B", "A"): 25,
        ("C", "A"): 8,
        ("A", "C"): 15,
        ("B", "C"): 3,
    },
)


SHIFTS = calendars(count=(2, 8), lengths=(15, 50), breaks=(5, 60), may_be_open=False)


@st.composite
def placements(draw):
    """A timeline, its calendar and resource, and work to place from ``t``: either any of
    them, or short shifts, short gaps, changeovers of many sizes and a latest start soon
    after ``t`` (where one gap's changeover misses the shift or the latest start, a later
    gap's smaller one may not)."""
    if draw(st.booleans()):
        calendar, timeline, resource = draw(calendars()), draw(timelines()), RESOURCE
        t, work = draw(st.integers(0, 300)), draw(st.integers(1, 40))
        family, slack = draw(st.sampled_from(FAMILIES)), st.integers(0, 400)
    else:
        calendar, timeline, resource = (
            draw(SHIFTS),
            draw(timelines(most=8, gaps=st.integers(0, 6))),
            SPREAD,
        )
        t, work = draw(st.integers(0, 100)), draw(st.integers(5, 45))
        family, slack = draw(st.sampled_from(("A", "B", "C"))), st.integers(0, 90)
    slack = draw(st.one_of(st.none(), slack))
    latest = None if slack is None else t + slack
    return calendar, timeline, resource, t, work, family, draw(st.booleans()), latest


@settings(max_examples=4000, deadline=None)
@given(placements())
def test_the_placement_is_the_first_gap_that_holds_the_work(placement):
    """However the search skips or stops early, it places the work in the first gap that
    holds it (starting by ``latest`` when given), or reports that none does."""
    calendar, timeline, resource, t, work, family, interruptible, latest = placement
    found = timeline.find(
        t, work, family, interruptible, calendar, resource, latest=latest, max_gaps=1000
    )
    oracle = _first_fitting_gap(
        timeline, t, work, family, interruptible, calendar, latest, resource
    )
    assert found == oracle


@pytest.mark.parametrize(
    ("first", "second", "family", "work", "last", "expected"),
    [
        # the 8 minutes from C miss the shift; after A (none) 85 minutes fit before z (B),
        # which has room for the changeover A -> B
        ("C", "A", "A", 85, (98, 99, "z", "B", 30), (12, 97, 0)),
        # the 3 minutes from B miss it; after C (none) 88 fit before z (A), room for C -> A
        ("B", "C", "C", 88, (100, 101, "z", "A", 10), (12, 100, 0)),
    ],
)
def test_after_a_gap_that_misses_its_latest_start_a_smaller_changeover_still_fits(
    first, second, family, work, last, expected
):
    """Each failed gap says only that gaps with at least its changeover fail too."""
    calendar = Calendar([(0, 100), (200, 300)])
    timeline = Timeline()
    timeline.insert(0, 10, "x", first)
    timeline.insert(10, 12, "y", second)
    timeline.insert(*last)
    found = timeline.find(0, work, family, False, calendar, SPREAD, latest=20)
    assert found == expected
    assert found == _first_fitting_gap(timeline, 0, work, family, False, calendar, 20, SPREAD)


def _queue_then_gap():
    """A queue of 100 ten-minute entries back to back (more than the gaps a search tries
    before it gives up), an hour free, then one more entry."""
    timeline = Timeline()
    for k in range(100):
        timeline.insert(10 * k, 10 * k + 10, f"q{k}", None)
    timeline.insert(1060, 1070, "after", None)
    return timeline


def test_work_free_before_a_long_queue_gets_the_first_gap_after_it():
    """Rebuilding a previous plan (``far``): a QC test that comes free on a Saturday, before
    Monday's queue of tests, goes into the first free hour after the queue, not after the
    last entry of the plan."""
    timeline = _queue_then_gap()
    calendar = Calendar(None)
    assert timeline.find(0, 30, None, True, calendar, RESOURCE, far=True) == (1000, 1030, 0)
    # the same without skipping short gaps (each one placed on the calendar)
    every_gap = timeline.find(0, 30, None, True, calendar, RESOURCE, latest=INF, far=True)
    assert every_gap == (1000, 1030, 0)
    # non-interruptible work is placed the same way
    assert timeline.find(0, 30, None, False, calendar, RESOURCE, far=True) == (1000, 1030, 0)
    # work as long as the gap fills it
    assert timeline.find(0, 60, None, True, calendar, RESOURCE, far=True) == (1000, 1060, 0)
    # a plan built forward appends after the last entry (its frontier) once the queue is long
    assert timeline.find(0, 30, None, True, calendar, RESOURCE) == (1070, 1100, 0)


def test_work_longer_than_every_gap_after_the_queue_goes_after_the_last_entry():
    timeline = _queue_then_gap()
    assert timeline.find(0, 90, None, True, Calendar(None), RESOURCE, far=True) == (1070, 1160, 0)


@settings(max_examples=600, deadline=None)
@given(
    calendars(),
    # most entries back to back: queues longer than ``max_gaps``
    timelines(150, st.sampled_from((0, 0, 0, 0, 0, 0, 0, 5, 20, 60))),
    st.integers(0, 300),
    st.integers(1, 60),
    st.sampled_from(FAMILIES),
    st.booleans(),
    st.integers(1, 60),
)
def test_searching_on_past_a_long_queue_is_never_later_and_never_overlaps(
    calendar, timeline, t, work, family, interruptible, max_gaps
):
    near = timeline.find(t, work, family, interruptible, calendar, RESOURCE, max_gaps=max_gaps)
    far = timeline.find(
        t, work, family, interruptible, calendar, RESOURCE, max_gaps=max_gaps, far=True
    )
    if far is None:
        assert near is None
        return
    start, end, _changeover = far
    assert start >= t and timeline.is_free(start, end)
    assert near is None or start <= near[0]


@settings(max_examples=200, deadline=None)
@given(st.lists(calendars(), min_size=1, max_size=3), st.integers(0, 400), st.integers(0, 400))
def test_open_minutes_are_the_minutes_one_of_the_calendars_is_open(several, a, b):
    """A slide's length: each minute counted once if any calendar is open then."""
    expected = sum(
        1 for t in range(a, b) if any(c.always or c.window_index(t) is not None for c in several)
    )
    assert open_minutes(several, a, b) == expected
