"""One small problem per constraint kind, with a known optimum; every plan validates."""

import pytest

from med_aps_engine import SolveOptions, solve, validate

from . import helpers as eng


def test_release_delays_start():
    prob = eng.problem(
        [eng.resource("R")], [eng.job("J", [eng.op("A", [("R", 10)], release=5)], release=2)]
    )
    plan = eng.solve(prob)
    a = eng.placed(plan)["A"]
    assert (a["start"], a["end"]) == (5, 15)
    assert plan["status"] == "OPTIMAL"
    assert plan["kpis"]["makespan"] == 15


def test_min_lag_between_operations():
    prob = eng.problem(
        [eng.resource("R1"), eng.resource("R2")],
        [
            eng.job(
                "J",
                [
                    eng.op("A", [("R1", 10)]),
                    eng.op("B", [("R2", 5)], preds=[{"op": "A", "min_lag": 3}]),
                ],
            )
        ],
    )
    plan = eng.solve(prob)
    assert eng.placed(plan)["B"]["start"] == 13
    assert plan["objective"] == 18


def test_max_lag_pulls_predecessor_later():
    # R2 is taken by a locked operation during [10, 30): B can only start at 30, and
    # B must start at most 5 minutes after A ends, so A has to end at 25 or later.
    prob = eng.problem(
        [eng.resource("R1"), eng.resource("R2")],
        [
            eng.job(
                "J",
                [
                    eng.op("A", [("R1", 10)]),
                    eng.op("B", [("R2", 5)], preds=[{"op": "A", "min_lag": 0, "max_lag": 5}]),
                ],
            ),
            eng.job("K", [eng.op("C", [("R2", 20)], locked={"resource": "R2", "start": 10})]),
        ],
    )
    plan = eng.solve(prob)
    ops = eng.placed(plan)
    assert ops["C"]["start"] == 10
    assert ops["B"]["start"] == 30
    assert ops["B"]["start"] - ops["A"]["end"] <= 5
    assert plan["kpis"]["makespan"] == 35


def test_parallel_units_of_one_resource():
    prob = eng.problem(
        [eng.resource("R", capacity=2)],
        [eng.job(f"J{k}", [eng.op(f"O{k}", [("R", 10)])]) for k in range(4)],
    )
    plan = eng.solve(prob)
    assert plan["kpis"]["makespan"] == 20
    assert {e["unit"] for e in plan["operations"]} == {0, 1}


def test_efficiency_scales_processing_not_setup():
    prob = eng.problem(
        [eng.resource("R", efficiency=80)], [eng.job("J", [eng.op("A", [("R", 10, 5, 2)])])]
    )
    plan = eng.solve(prob)
    # ceil(10 * 100 / 80) = 13 processing + 5 setup + 2 cleanup
    assert eng.placed(plan)["A"]["end"] == 20


def test_interruptible_operation_spans_a_break():
    prob = eng.problem(
        [eng.resource("R", calendar=[[0, 10], [20, 40]])],
        [eng.job("J", [eng.op("A", [("R", 15)])])],
    )
    a = eng.placed(eng.solve(prob))["A"]
    assert (a["start"], a["end"]) == (0, 25)


def test_non_interruptible_operation_waits_for_a_long_enough_window():
    prob = eng.problem(
        [eng.resource("R", calendar=[[0, 10], [20, 40]])],
        [eng.job("J", [eng.op("A", [("R", 15)], interruptible=False)])],
    )
    a = eng.placed(eng.solve(prob))["A"]
    assert (a["start"], a["end"]) == (20, 35)


def test_changeovers_group_families():
    changeover = {"default": 10, "rules": [{"from": "a", "to": "b", "minutes": 30}]}
    prob = eng.problem(
        [eng.resource("R", changeover=changeover)],
        [
            eng.job("J1", [eng.op("A1", [("R", 10)], setup_family="a")]),
            eng.job("J2", [eng.op("B1", [("R", 10)], setup_family="b")]),
            eng.job("J3", [eng.op("A2", [("R", 10)], setup_family="a")]),
        ],
        objective={"weighted_tardiness": 0, "makespan": 1, "changeover": 1},
    )
    plan = eng.solve(prob)
    # best: b first, then a, a (changeover b->a = default 10): makespan 40, changeover 10
    assert plan["kpis"]["changeover_minutes"] == 10
    assert plan["kpis"]["changeovers"] == 1
    assert plan["kpis"]["makespan"] == 40
    assert plan["objective"] == 50
    ops = eng.placed(plan)
    assert ops["B1"]["start"] == 0
    late_a = max(ops["A1"], ops["A2"], key=lambda e: e["start"])
    assert late_a["changeover_minutes"] == 0


def test_batches_share_a_cycle():
    ster = eng.resource("EO", batch={"max_size": 2, "cycle_minutes": 100})
    prob = eng.problem(
        [ster],
        [eng.job(f"J{k}", [eng.op(f"S{k}", [("EO", 1)], batch_family="eo")]) for k in range(3)],
    )
    plan = eng.solve(prob)
    assert plan["kpis"]["makespan"] == 200
    batches = {}
    for e in plan["operations"]:
        batches.setdefault(e["batch"], []).append(e["op"])
    assert sorted(len(v) for v in batches.values()) == [1, 2]


def test_batch_families_do_not_mix():
    ster = eng.resource("EO", batch={"max_size": 4, "cycle_minutes": 100})
    prob = eng.problem(
        [ster],
        [
            eng.job("J1", [eng.op("S1", [("EO", 1)], batch_family="x")]),
            eng.job("J2", [eng.op("S2", [("EO", 1)], batch_family="y")]),
            eng.job("J3", [eng.op("S3", [("EO", 1)], batch_family="x", batch_size=3)]),
        ],
    )
    plan = eng.solve(prob)
    assert plan["kpis"]["makespan"] == 200
    ops = eng.placed(plan)
    assert ops["S1"]["batch"] == ops["S3"]["batch"] != ops["S2"]["batch"]


def test_cross_job_precedence():
    prob = eng.problem(
        [eng.resource("R1"), eng.resource("R2")],
        [
            eng.job("COMP", [eng.op("C1", [("R1", 10)]), eng.op("C2", [("R1", 10)], preds=["C1"])]),
            eng.job("FG", [eng.op("F1", [("R2", 5)], preds=[{"job": "COMP", "min_lag": 2}])]),
        ],
    )
    plan = eng.solve(prob)
    assert eng.placed(plan)["F1"]["start"] == 22
    assert plan["kpis"]["makespan"] == 27


def test_cross_job_precedence_waits_for_work_that_ends_after_the_last_step():
    # C2 was started before C1 ran (an operator may): C1, planned from now, ends after C2,
    # and FG waits for the whole job COMP, C1 included
    prob = eng.problem(
        [eng.resource("R1"), eng.resource("R2")],
        [
            eng.job(
                "COMP",
                [
                    eng.op("C1", [("R1", 30)]),
                    eng.op(
                        "C2",
                        [("R2", 10)],
                        preds=["C1"],
                        in_progress={"resource": "R2", "start": -5, "remaining": 5},
                    ),
                ],
            ),
            eng.job("FG", [eng.op("F1", [("R2", 5)], preds=[{"job": "COMP", "min_lag": 2}])]),
        ],
    )
    plan = eng.solve(prob)
    ops = eng.placed(plan)
    assert (ops["C1"]["end"], ops["C2"]["end"]) == (30, 5)
    assert ops["F1"]["start"] == 32
    assert validate(prob, plan) == []


def test_lock_in_progress_and_alternatives():
    prob = eng.problem(
        [eng.resource("R1"), eng.resource("R2")],
        [
            eng.job(
                "J",
                [
                    eng.op(
                        "P",
                        [("R1", 30)],
                        in_progress={"resource": "R1", "start": -10, "remaining": 20},
                    ),
                    eng.op("Q", [("R1", 10), ("R2", 25)], preds=["P"]),
                ],
            ),
            eng.job("K", [eng.op("L", [("R1", 10)], locked={"resource": "R1", "start": 20})]),
        ],
    )
    plan = eng.solve(prob)
    ops = eng.placed(plan)
    assert (ops["P"]["start"], ops["P"]["end"]) == (-10, 20)
    assert ops["L"]["start"] == 20
    # Q: on R1 after L (ends 40) or on R2 from 20 (ends 45): R1 wins
    assert (ops["Q"]["resource"], ops["Q"]["end"]) == ("R1", 40)


def test_frozen_window_and_stability():
    prob = eng.problem(
        [eng.resource("R")],
        [eng.job(f"J{k}", [eng.op(f"O{k}", [("R", 10)])]) for k in range(3)],
        previous_plan={
            "O0": {"resource": "R", "start": 50},
            "O1": {"resource": "R", "start": 5},
            "O2": {"resource": "R", "start": 30},
        },
        frozen_until=10,
        objective={"weighted_tardiness": 0, "makespan": 1, "changeover": 0, "stability": 100},
    )
    plan = eng.solve(prob)
    ops = eng.placed(plan)
    assert ops["O1"]["start"] == 5  # frozen
    # keeping O0 at 50 and O2 at 30 costs makespan 60 < moving one (100 each)
    assert (ops["O0"]["start"], ops["O2"]["start"]) == (50, 30)
    assert plan["kpis"]["moved_operations"] == 0


def test_weighted_tardiness_orders_by_weight():
    prob = eng.problem(
        [eng.resource("R")],
        [
            eng.job("LIGHT", [eng.op("A", [("R", 10)])], due=10, weight=1),
            eng.job("HEAVY", [eng.op("B", [("R", 10)])], due=10, weight=5),
        ],
        objective={"weighted_tardiness": 1, "makespan": 0, "changeover": 0},
    )
    plan = eng.solve(prob)
    assert eng.placed(plan)["B"]["start"] == 0
    assert plan["objective"] == 10
    jobs = {j["job"]: j for j in plan["jobs"]}
    assert jobs["LIGHT"]["tardiness"] == 10
    assert jobs["LIGHT"]["late_reason"]
    assert "bottleneck R" in jobs["LIGHT"]["late_reason"]
    assert jobs["HEAVY"]["late_reason"] is None


def test_late_reason_names_material_wait():
    prob = eng.problem(
        [eng.resource("R")],
        [eng.job("J", [eng.op("A", [("R", 60)], release=1500)], due=1000)],
    )
    plan = eng.solve(prob)
    reason = plan["jobs"][0]["late_reason"]
    assert reason.startswith("Waiting for material until day 2 07:00 (op A)")


def test_plan_fields():
    prob = eng.problem(
        [eng.resource("R", calendar=[[0, 480], [1440, 1920]])],
        [eng.job("J", [eng.op("A", [("R", 100)])])],
    )
    plan = eng.solve(prob)
    assert plan["schema_version"] == 1
    assert plan["status"] == "OPTIMAL" and plan["gap"] == 0.0
    assert plan["bound"] == plan["objective"] == 100
    assert plan["resources"][0] == {
        "resource": "R",
        "busy_minutes": 100,
        "available_minutes": 100,
        "utilization": 1.0,
    }
    assert plan["progress"] and plan["progress"][-1][1] == 100


def test_decomposition_gives_valid_plan(monkeypatch):
    """Above ``max_model_operations`` the plan comes from the decomposition (time windows),
    never from the full model."""
    from med_aps_engine import decompose, solver
    from med_aps_engine.plantgen import generate_plant

    calls = []
    real_improve = decompose.improve

    def improve(run):
        calls.append(len(run.p.operations))
        return real_improve(run)

    def no_full_model(run):
        raise AssertionError("the full CP-SAT model was built for a decomposed problem")

    monkeypatch.setattr(decompose, "improve", improve)
    monkeypatch.setattr(solver, "_cp_sat_full", no_full_model)
    prob = generate_plant(30, seed=3)
    plan = eng.solve(prob, time_limit=6, max_model_operations=40)
    assert calls == [sum(len(j["operations"]) for j in prob["jobs"])]
    assert plan["method"] in ("heuristic", "cp-sat-lns")
    assert len(plan["operations"]) == sum(len(j["operations"]) for j in prob["jobs"])
    assert plan["progress"]


@pytest.mark.parametrize("rule", ["due", "head", "tail", "atc_2"])
def test_work_a_lock_waits_for_is_dispatched_before_other_work(rule):
    # a2 is locked at 60 on N: a1 must be done on M by then; the rules alone would put b1
    # (due at once, or first in order) there and a1 after it
    from med_aps_engine.heuristic import dispatch, fixed_deadlines
    from med_aps_engine.plan import build_plan
    from med_aps_engine.problem import load_problem

    prob = eng.problem(
        [eng.resource("M"), eng.resource("N")],
        [
            eng.job(
                "A",
                [
                    eng.op("a1", [("M", 60)]),
                    eng.op("a2", [("N", 30)], preds=["a1"], locked={"resource": "N", "start": 60}),
                ],
                due=10000,
            ),
            eng.job(
                "B", [eng.op("b0", [("N", 10)]), eng.op("b1", [("M", 60)], preds=["b0"])], due=70
            ),
        ],
    )
    loaded = load_problem(prob)
    assert fixed_deadlines(loaded) == {"a1": 60}
    assigns, ok = dispatch(loaded, rule)
    assert ok
    assert (assigns["a1"].start, assigns["b1"].start) == (0, 60)
    assert (
        validate(prob, build_plan(loaded, assigns, "FEASIBLE", "heuristic", 0, progress=[])) == []
    )


def test_infeasible_lock_returns_empty_plan():
    prob = eng.problem(
        [eng.resource("R")],
        [
            eng.job("J", [eng.op("A", [("R", 10)], locked={"resource": "R", "start": 0})]),
            eng.job("K", [eng.op("B", [("R", 10)], locked={"resource": "R", "start": 5})]),
        ],
    )
    plan = solve(prob, options=SolveOptions(time_limit=2))
    assert plan["status"] in ("INFEASIBLE", "UNKNOWN")
    assert plan["operations"] == []


def test_progress_callback_is_called():
    calls = []
    prob = eng.problem([eng.resource("R")], [eng.job("J", [eng.op("A", [("R", 10)])])])
    solve(prob, options=SolveOptions(time_limit=2, progress=lambda f, m: calls.append((f, m))))
    assert calls and all(0 <= f <= 1 for f, _m in calls)
    assert calls[-1][1] == "done"


@pytest.mark.parametrize("fmt", ["jsplib"])
def test_ft06_is_solved_to_optimality(bench_data, fmt):
    from med_aps_engine.formats import read_jsplib
    from med_aps_engine.validator import validate

    prob = read_jsplib(bench_data / "jsplib" / "instances" / "ft06")
    plan = solve(prob, options=SolveOptions(time_limit=10, workers=2))
    assert validate(prob, plan) == []
    assert plan["kpis"]["makespan"] == 55
    assert plan["status"] == "OPTIMAL"


def test_invalid_solver_plan_falls_back_to_the_heuristic(monkeypatch):
    from med_aps_engine import model

    original = model.PlantModel.read

    def broken_read(self, solver):
        out = original(self, solver)
        for a in out.values():
            a.unit = 5  # a unit the resource does not have
        return out

    monkeypatch.setattr(model.PlantModel, "read", broken_read)
    prob = eng.problem(
        [eng.resource("R", calendar=[[0, 100]])],
        [eng.job("J", [eng.op("A", [("R", 10)]), eng.op("B", [("R", 10)], preds=["A"])])],
    )
    plan = eng.solve(prob)  # asserts the returned plan validates
    assert plan["method"] == "heuristic"
    assert plan["warning"].startswith("solver plan failed validation, heuristic plan returned: ")
    assert "unit 5 does not exist on resource 'R'" in plan["warning"]


def test_invalid_plans_everywhere_raise_an_internal_error(monkeypatch):
    from med_aps_engine import EngineError, model, solver

    original = model.PlantModel.read

    def broken_read(self, solver_):
        out = original(self, solver_)
        for a in out.values():
            a.start -= 1
        return out

    monkeypatch.setattr(model.PlantModel, "read", broken_read)
    monkeypatch.setattr(solver, "_heuristic", lambda run: ([], ["due"], "due"))
    prob = eng.problem(
        [eng.resource("R", calendar=[[0, 100]])], [eng.job("J", [eng.op("A", [("R", 10)])])]
    )
    with pytest.raises(EngineError, match="fails validation"):
        solve(prob, options=SolveOptions(time_limit=2))


def test_zero_length_operation_needs_no_changeover():
    prob = eng.problem(
        [eng.resource("R", changeover={"default": 10, "rules": []})],
        [
            eng.job(
                "J",
                [
                    eng.op("A", [("R", 10)], setup_family="a"),
                    eng.op("Z", [("R", 0)], preds=["A"], setup_family="b"),
                    eng.op("B", [("R", 10)], preds=["Z"], setup_family="a"),
                ],
            )
        ],
        objective={"weighted_tardiness": 0, "makespan": 1, "changeover": 1},
    )
    plan = eng.solve(prob)
    ops = eng.placed(plan)
    assert ops["Z"]["start"] == ops["Z"]["end"] == 10
    assert ops["B"]["changeover_minutes"] == 0
    assert plan["objective"] == 20
