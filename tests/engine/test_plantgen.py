"""The med-device plant generator: deterministic, realistic, feasible by construction."""

import copy

import pytest

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
