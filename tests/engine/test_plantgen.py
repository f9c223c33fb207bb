"""The med-device plant generator: deterministic, realistic, feasible by construction."""

import copy
import hashlib
import json

import pytest

from med_aps_engine import SolveOptions, load_problem, solve
from med_aps_engine.plantgen import generate_plant, witness_plan
from med_aps_engine.validator import validate


@pytest.fixture(scope="module")
def plant():
    return generate_plant(150, seed=7)


def _ops(problem):
    return [op for job in problem["jobs"] for op in job["operations"]]


def test_deterministic_per_seed():
    assert generate_plant(40, seed=3) == generate_plant(40, seed=3)
    assert generate_plant(40, seed=3) != generate_plant(40, seed=4)


def test_sizes_and_ids(plant):
    assert len(plant["jobs"]) == 150
    ops = _ops(plant)
    assert 4.5 <= len(ops) / 150 <= 6.5
    assert len({op["id"] for op in ops}) == len(ops)
    assert len({job["id"] for job in plant["jobs"]}) == 150
    assert len(plant["resources"]) == 30
    assert plant["schema_version"] == 1


def test_realistic_features(plant):
    res = {r["id"]: r for r in plant["resources"]}
    ops = _ops(plant)
    # batch EO sterilizer and curing oven, non-interruptible cycles
    assert res["EO"]["batch"] == {"max_size": 24, "cycle_minutes": 600}
    assert res["OVEN"]["batch"]["cycle_minutes"] == 240
    # shift calendars: sorted, non-overlapping, within the horizon; some resources 24/7
    for r in res.values():
        cal = r["calendar"]
        if cal is None:
            continue
        assert all(s < e for s, e in cal)
        assert all(a[1] <= b[0] for a, b in zip(cal, cal[1:], strict=False))
        assert cal[-1][1] <= plant["horizon"]
    assert res["IMM1"]["calendar"] is None
    assert len(res["ASM2"]["calendar"]) < plant["horizon"] // 1440  # weekends are closed
    # changeover matrices and setup families
    assert res["EXT1"]["changeover"]["rules"]
    assert {op["setup_family"] for op in ops} >= {"catheter", "syringe"}
    # alternatives, non-interruptible operations, cross-job precedences, lags
    assert any(len(op["modes"]) == 3 for op in ops)
    assert any(op["interruptible"] is False for op in ops)
    preds = [p for op in ops for p in op["predecessors"]]
    assert any("job" in p for p in preds)
    assert any(p.get("min_lag") == 2880 for p in preds)
    assert any(p.get("max_lag") is not None for p in preds)
    # releases, due dates and weights
    assert len({job["release"] for job in plant["jobs"]}) > 50
    assert any(op["release"] > 0 for op in ops)
    assert all(job["due"] is not None for job in plant["jobs"])
    assert {job["weight"] for job in plant["jobs"]} == {1, 2, 5}


def test_days_spreads_releases():
    problem = generate_plant(60, seed=1, days=10)
    assert max(job["release"] for job in problem["jobs"]) < 10 * 1440


def test_feasible_by_construction(plant):
    plan = witness_plan(plant)
    assert len(plan["operations"]) == len(_ops(plant))
    assert validate(plant, plan) == []
    assert any(row["batch"] for row in plan["operations"])


def test_witness_is_checked_for_real(plant):
    """Tightening a maximum lag below what the constructive plan needs is reported."""
    plant = copy.deepcopy(plant)
    plan = witness_plan(plant)
    ends = {row["op"]: row["end"] for row in plan["operations"]}
    starts = {row["op"]: row["start"] for row in plan["operations"]}
    for op in _ops(plant):
        for pred in op["predecessors"]:
            if pred.get("max_lag") is not None:
                pred["max_lag"] = starts[op["id"]] - ends[pred["op"]] - 1
                violations = validate(plant, plan)
                assert len(violations) == 1
                assert f"operation {op['id']!r}" in violations[0]
                assert "max_lag violated" in violations[0]
                return
    pytest.fail("no maximum lag generated")


def test_bad_size():
    with pytest.raises(ValueError, match="n_jobs must be >= 1, got 0"):
        generate_plant(0)


# ---------------------------------------------------------------- options: secondary resources


def _digest(problem):
    return hashlib.sha256(json.dumps(problem, sort_keys=True).encode()).hexdigest()


def test_default_plant_is_unchanged_by_the_options():
    """The plant without options is byte for byte the one generated before they existed."""
    plain = generate_plant(150, seed=7)
    assert _digest(plain) == "9a867910a59947c2b52b03ba7a9cc57a26ceeb8cdd0e90bdb771d91164ba0991"
    off = generate_plant(150, seed=7, molds=False, operators=False, maintenance=False)
    assert off == plain


@pytest.fixture(scope="module")
def tooled():
    return generate_plant(150, seed=7, molds=True, operators=True, maintenance=True)


def test_options_give_a_valid_version_2_problem(tooled):
    assert tooled["schema_version"] == 2
    problem = load_problem(tooled)  # raises ProblemError on anything the engine refuses
    assert problem.has_requirements
    assert tooled == generate_plant(150, seed=7, molds=True, operators=True, maintenance=True)
    # same order book as the plain plant: the options only add to it
    plain = generate_plant(150, seed=7)
    assert [op["id"] for op in _ops(tooled)] == [op["id"] for op in _ops(plain)]


def test_molds_are_fewer_than_presses_and_move(tooled):
    presses = [r for r in tooled["resources"] if r["id"].startswith("IMM")]
    molds = [s for s in tooled["secondary_resources"] if s["id"].startswith("MOLD-")]
    assert len(molds) == 4
    for mold in molds:
        assert 1 <= mold["count"] < len(presses)
        assert mold["move_minutes"] > 0
        assert mold["max_cycles"] and mold["maintenance_minutes"] > 0
        assert len(mold["cycles_used"]) == mold["count"]
    for op in _ops(tooled):
        for mode in op["modes"]:
            if mode["resource"].startswith("IMM"):
                (mold_req, setter) = mode["requires"]
                assert mold_req["any_of"] == [op["setup_family"].upper()]
                assert mold_req["cycles"] == 2 * mode["duration"]
                assert setter == {"any_of": ["SETTER"], "count": 1, "during": "setup"}


def test_operator_pools_by_skill_with_shifts(tooled):
    pools = {s["id"]: s for s in tooled["secondary_resources"] if not s["id"].startswith("MOLD")}
    assert set(pools) == {"SETTER", "EXTRUDER", "ASSEMBLER", "LEAD"}
    assert all(pool["calendar"] for pool in pools.values())  # shift calendars
    windows = {
        (req["any_of"][0], req["during"])
        for op in _ops(tooled)
        for mode in op["modes"]
        for req in mode.get("requires", [])
        if "during" in req
    }
    assert {("SETTER", "setup"), ("EXTRUDER", "setup"), ("ASSEMBLER", "occupation")} <= windows
    balloon = next(op for op in _ops(tooled) if op["setup_family"] == "balloon")
    assert [req["any_of"] for req in balloon["modes"][0]["requires"]] == [["LEAD"], ["ASSEMBLER"]]
    # operations on other work centres need no one from the pools
    assert not any(
        "requires" in m for op in _ops(tooled) for m in op["modes"] if op["name"] == "Leak test"
    )


def _available(calendar, until):
    return sum(min(e, until) - s for s, e in calendar if s < until)


def test_maintenance_windows_are_calendar_gaps(tooled):
    plain_plant = generate_plant(150, seed=7)
    plain = {r["id"]: r for r in plain_plant["resources"]}
    res = {r["id"]: r for r in tooled["resources"]}
    assert plain["IMM1"]["calendar"] is None
    assert len(res["IMM1"]["calendar"]) >= 2  # a 24/7 press stopped for maintenance
    until = min(plain_plant["horizon"], tooled["horizon"])
    for rid in ("EXT1", "ASM1", "BLS1"):
        assert _available(res[rid]["calendar"], until) < _available(plain[rid]["calendar"], until)
    mold = next(s for s in tooled["secondary_resources"] if s["id"] == "MOLD-HUB")
    assert len(mold["calendar"]) >= 2


def test_witness_of_the_options_validates(tooled):
    plan = witness_plan(tooled)
    assert plan["schema_version"] == 2
    assert validate(tooled, plan) == []
    rows = [s for row in plan["operations"] for s in row["secondary"]]
    assert {s["resource"] for s in rows} >= {"MOLD-HUB", "SETTER", "ASSEMBLER", "LEAD"}


@pytest.mark.parametrize(
    "options", [{"molds": True}, {"operators": True}, {"maintenance": True}], ids=str
)
def test_each_option_alone(options):
    problem = generate_plant(40, seed=2, **options)
    load_problem(problem)
    assert problem["schema_version"] == (1 if options == {"maintenance": True} else 2)
    assert validate(problem, witness_plan(problem)) == []


def test_engine_plans_the_tooled_plant():
    problem = generate_plant(25, seed=4, molds=True, operators=True, maintenance=True)
    plan = solve(problem, options=SolveOptions(time_limit=5, workers=2))
    assert plan["operations"]
    assert validate(problem, plan) == []


def test_benchmark_plants_the_options_beside_the_plain_plant():
    from med_aps_engine.bench.bench_plant import plant_variants

    assert plant_variants("") == [("plain", {})]
    assert plant_variants("molds, operators") == [
        ("plain", {}),
        ("molds+operators", {"molds": True, "operators": True}),
    ]
    with pytest.raises(ValueError, match="unknown plant option"):
        plant_variants("robots")
