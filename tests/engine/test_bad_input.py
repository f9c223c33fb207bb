"""Every kind of bad input raises ProblemError naming the element and the problem."""

import copy

import pytest

from med_aps_engine import MAX_HORIZON, ProblemError, SolveOptions, load_problem, solve


def _base():
    return {
        "schema_version": 1,
        "horizon": 10000,
        "resources": [
            {"id": "R1", "capacity": 1, "calendar": [[0, 100], [200, 300]]},
            {"id": "R2", "capacity": 1},
            {"id": "EO", "batch": {"max_size": 4, "cycle_minutes": 90}, "calendar": [[0, 120]]},
        ],
        "jobs": [
            {
                "id": "MO/1",
                "due": 500,
                "operations": [
                    {"id": "WO/1", "modes": [{"resource": "R1", "duration": 30}]},
                    {
                        "id": "WO/2",
                        "modes": [{"resource": "R2", "duration": 20}],
                        "predecessors": [{"op": "WO/1", "min_lag": 0, "max_lag": 50}],
                    },
                    {
                        "id": "WO/3",
                        "modes": [{"resource": "EO", "duration": 1}],
                        "predecessors": [{"op": "WO/2"}],
                        "batch_family": "eo",
                    },
                ],
            },
            {
                "id": "MO/2",
                "operations": [
                    {
                        "id": "WO/4",
                        "modes": [{"resource": "R2", "duration": 10}],
                        "predecessors": [{"job": "MO/1", "min_lag": 5}],
                    }
                ],
            },
        ],
    }


def _op(prob, oid):
    for j in prob["jobs"]:
        for o in j["operations"]:
            if o["id"] == oid:
                return o
    raise KeyError(oid)


def _set(path, value):
    def mutate(prob):
        target = prob
        for key in path[:-1]:
            target = (
                _op(target, key) if isinstance(key, str) and key.startswith("WO/") else target[key]
            )
        target[path[-1]] = value

    return mutate


CASES = [
    (
        "unknown resource",
        _set(("WO/1", "modes"), [{"resource": "R9", "duration": 5}]),
        "operation 'WO/1' of job 'MO/1': unknown resource 'R9'",
    ),
    (
        "unknown predecessor op",
        _set(("WO/2", "predecessors"), [{"op": "WO/99"}]),
        "operation 'WO/2' of job 'MO/1': unknown predecessor operation 'WO/99'",
    ),
    (
        "unknown predecessor job",
        _set(("WO/4", "predecessors"), [{"job": "MO/77"}]),
        "operation 'WO/4' of job 'MO/2': unknown predecessor job 'MO/77'",
    ),
    (
        "duplicate operation",
        _set(("WO/4", "id"), "WO/1"),
        "operation 'WO/1' of job 'MO/2': duplicate operation id",
    ),
    (
        "duplicate resource",
        lambda p: p["resources"].append({"id": "R2"}),
        "resource 'R2': duplicate resource id",
    ),
    (
        "duplicate job",
        lambda p: p["jobs"].append({"id": "MO/1", "operations": []}),
        "job 'MO/1': duplicate job id",
    ),
    (
        "changeover given twice",
        _set(
            ("resources", 1, "changeover"),
            {
                "default": 10,
                "rules": [
                    {"from": "A", "to": "B", "minutes": 90},
                    {"from": "A", "to": "B", "minutes": 240},
                ],
            },
        ),
        "resource 'R2': changeover 'A' -> 'B' is given twice (90 and 240 minutes)",
    ),
    (
        "negative duration",
        _set(("WO/1", "modes"), [{"resource": "R1", "duration": -5}]),
        "operation 'WO/1' of job 'MO/1': duration -5 is negative",
    ),
    (
        "negative setup",
        _set(("WO/1", "modes"), [{"resource": "R1", "duration": 5, "setup": -1}]),
        "operation 'WO/1' of job 'MO/1': setup -1 is negative",
    ),
    (
        "negative lag",
        _set(("WO/2", "predecessors"), [{"op": "WO/1", "min_lag": -3}]),
        "operation 'WO/2' of job 'MO/1': min_lag -3 is negative",
    ),
    (
        "max lag below min lag",
        _set(("WO/2", "predecessors"), [{"op": "WO/1", "min_lag": 10, "max_lag": 5}]),
        "operation 'WO/2' of job 'MO/1': max_lag 5 is less than min_lag 10",
    ),
    (
        "negative release",
        _set(("WO/1", "release"), -10),
        "operation 'WO/1' of job 'MO/1': release -10 is negative",
    ),
    (
        "capacity below one",
        _set(("resources", 1, "capacity"), 0),
        "resource 'R2': capacity 0 must be at least 1",
    ),
    (
        "efficiency zero",
        _set(("resources", 1, "efficiency"), 0),
        "resource 'R2': efficiency 0 must be greater than 0",
    ),
    (
        "cycle",
        _set(("WO/1", "predecessors"), [{"op": "WO/3"}]),
        "precedence cycle: WO/1 -> WO/2 -> WO/3 -> WO/1",
    ),
    (
        "cross-job cycle",
        _set(("WO/1", "predecessors"), [{"job": "MO/2"}]),
        "precedence cycle:",
    ),
    (
        "no mode",
        _set(("WO/2", "modes"), []),
        "operation 'WO/2' of job 'MO/1': modes: needs at least 1 item, has 0",
    ),
    (
        "batch cycle longer than every window",
        _set(("resources", 2, "calendar"), [[0, 60], [100, 180]]),
        "operation 'WO/3' of job 'MO/1': batch cycle of operation is longer than every "
        "available calendar interval",
    ),
    (
        "lock on a foreign resource",
        _set(("WO/1", "locked"), {"resource": "R2", "start": 0}),
        "operation 'WO/1' of job 'MO/1': locked on resource 'R2' which is not among its modes",
    ),
    (
        "lock outside the calendar",
        _set(("WO/1", "locked"), {"resource": "R1", "start": 150}),
        "operation 'WO/1' of job 'MO/1': locked at 150 on 'R1' but the calendar of 'R1' is not "
        "available then",
    ),
    (
        "lock before the release",
        lambda p: _op(p, "WO/4").update(release=30, locked={"resource": "R2", "start": 20}),
        "operation 'WO/4' of job 'MO/2': locked at 20 on 'R2' before its release 30",
    ),
    (
        "frozen before the release",
        lambda p: (
            p.update(previous_plan={"WO/4": {"resource": "R2", "start": 20}}, frozen_until=60),
            _op(p, "WO/4").update(release=30),
        ),
        "operation 'WO/4' of job 'MO/2': frozen (previous plan, before frozen_until) at 20 on "
        "'R2' before its release 30",
    ),
    (
        "unsorted calendar",
        _set(("resources", 0, "calendar"), [[200, 300], [0, 100]]),
        "resource 'R1': calendar is unsorted or overlapping at interval #1 [0, 100)",
    ),
    (
        "overlapping calendar",
        _set(("resources", 0, "calendar"), [[0, 100], [50, 300]]),
        "resource 'R1': calendar is unsorted or overlapping at interval #1 [50, 300)",
    ),
    (
        "horizon too large",
        _set(("horizon",), MAX_HORIZON + 1),
        f"horizon: {MAX_HORIZON + 1} is beyond the limit {MAX_HORIZON}",
    ),
    (
        "unknown schema version",
        _set(("schema_version",), 3),
        "unknown schema_version 3 (supported: 1, 2)",
    ),
    (
        "batch size over max size",
        _set(("WO/3", "batch_size"), 5),
        "operation 'WO/3' of job 'MO/1': batch_size 5 exceeds max_size 4 of batch resource 'EO'",
    ),
    (
        "unknown objective weight",
        _set(("objective",), {"speed": 1}),
        "objective: unknown key 'speed' (known keys: changeover, earliness, flow_time, "
        "makespan, stability, weighted_tardiness)",
    ),
    (
        "previous plan of an unknown operation",
        _set(("previous_plan",), {"WO/42": {"resource": "R1", "start": 0}}),
        "previous_plan: unknown operation 'WO/42'",
    ),
]


def test_base_problem_is_valid():
    assert len(load_problem(_base()).operations) == 4


@pytest.mark.parametrize(("label", "mutate", "message"), CASES, ids=[c[0] for c in CASES])
def test_bad_input_is_named(label, mutate, message):
    prob = _base()
    mutate(prob)
    before = copy.deepcopy(prob)
    with pytest.raises(ProblemError) as info:
        solve(prob, options=SolveOptions(time_limit=1))
    assert message in str(info.value), f"{label}: {info.value}"
    assert prob == before  # the refused problem is left untouched


def test_non_interruptible_longer_than_every_window():
    prob = _base()
    wo1 = _op(prob, "WO/1")
    wo1["interruptible"] = False
    wo1["modes"] = [{"resource": "R1", "duration": 150}]
    with pytest.raises(ProblemError) as info:
        load_problem(prob)
    assert str(info.value).startswith(
        "operation 'WO/1' of job 'MO/1': non-interruptible operation is longer than every "
        "available calendar interval of all its resources (R1: 150 min)"
    )
    # the same operation fits when interruptible (150 <= 200 available minutes)
    wo1["interruptible"] = True
    assert load_problem(prob).operations["WO/1"].interruptible


def test_problem_error_is_a_value_error():
    assert issubclass(ProblemError, ValueError)


def test_json_schema_accepts_the_examples_and_rejects_bad_types():
    import json
    from importlib import resources

    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads(
        resources.files("med_aps_engine").joinpath("schema/problem.schema.json").read_text()
    )
    demo = json.loads(
        resources.files("med_aps_engine").joinpath("data/demo_plant.json").read_text()
    )
    jsonschema.validate(demo, schema)
    jsonschema.validate(_base(), schema)
    bad = _base()
    _op(bad, "WO/1")["modes"][0]["duration"] = -1
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, schema)
