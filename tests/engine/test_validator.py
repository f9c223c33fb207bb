"""The independent validator: a hand-made valid plan passes, and a plan breaking exactly one rule
is reported with a message naming that rule."""

import copy

import pytest

from med_aps_engine.validator import RULES, validate, validate_details


def _op(oid, modes, preds=(), **kw):
    op = {
        "id": oid,
        "name": oid,
        "modes": [{"resource": r, "duration": d, "setup": s, "cleanup": c} for r, d, s, c in modes],
        "predecessors": list(preds),
        "release": 0,
        "setup_family": None,
        "batch_family": None,
        "batch_size": 1,
        "interruptible": True,
        "locked": None,
        "in_progress": None,
    }
    op.update(kw)
    return op


def _problem():
    return {
        "schema_version": 1,
        "origin": "2026-11-30T00:00:00Z",
        "horizon": 1000,
        "resources": [
            {
                "id": "R1",
                "capacity": 1,
                "efficiency": 100,
                "calendar": [[0, 100], [200, 300], [400, 1000]],
                "changeover": {"default": 10, "rules": [{"from": "a", "to": "b", "minutes": 20}]},
                "batch": None,
            },
            {"id": "R2", "capacity": 2, "efficiency": 50, "calendar": None},
            {
                "id": "B",
                "capacity": 1,
                "calendar": [[0, 1000]],
                "batch": {"max_size": 3, "cycle_minutes": 50},
            },
        ],
        "jobs": [
            {
                "id": "J1",
                "release": 0,
                "due": 100,
                "weight": 2,
                "operations": [
                    _op("O11", [("R1", 30, 5, 5)], setup_family="a"),
                    _op("O12", [("R2", 10, 0, 0)], [{"op": "O11", "min_lag": 5, "max_lag": 100}]),
                    _op(
                        "O13",
                        [("B", 50, 0, 0)],
                        [{"op": "O12", "min_lag": 0}],
                        batch_family="eo",
                        batch_size=2,
                    ),
                ],
            },
            {
                "id": "J2",
                "release": 10,
                "due": None,
                "weight": 1,
                "operations": [
                    _op("O21", [("R1", 40, 0, 0)], setup_family="b", interruptible=False),
                    _op("O22", [("B", 50, 0, 0)], [{"op": "O21"}], batch_family="eo"),
                ],
            },
            {
                "id": "J3",
                "release": 0,
                "due": 200,
                "weight": 1,
                "operations": [
                    _op(
                        "O31",
                        [("R2", 5, 0, 0)],
                        [{"job": "J1", "min_lag": 10}],
                        locked={"resource": "R2", "start": 160},
                    )
                ],
            },
            {
                "id": "J4",
                "release": 0,
                "due": None,
                "weight": 1,
                "operations": [
                    _op(
                        "O41",
                        [("R2", 30, 0, 0)],
                        in_progress={"resource": "R2", "start": -20, "remaining": 50},
                    )
                ],
            },
            {
                "id": "J5",
                "release": 100,
                "due": 500,
                "weight": 1,
                "operations": [_op("O51", [("R1", 150, 0, 0)], setup_family="b")],
            },
        ],
        "previous_plan": {"O12": {"resource": "R2", "start": 45}},
        "frozen_until": 50,
        "objective": {"weighted_tardiness": 1000, "makespan": 1},
    }


def _row(op, job, res, unit, start, end, setup=0, change=0, batch=None):
    return {
        "op": op,
        "job": job,
        "resource": res,
        "unit": unit,
        "start": start,
        "end": end,
        "setup_minutes": setup,
        "changeover_minutes": change,
        "batch": batch,
    }


def _plan():
    return {
        "schema_version": 1,
        "status": "FEASIBLE",
        "operations": [
            _row("O11", "J1", "R1", 0, 0, 40, setup=5),
            # changeover a -> b (20) before the non-interruptible O21: 60 minutes in [0, 100)
            _row("O21", "J2", "R1", 0, 40, 100, setup=20, change=20),
            # b -> b: no changeover; 150 working minutes across the break [300, 400)
            _row("O51", "J5", "R1", 0, 200, 450),
            # efficiency 50%: 10 minutes of work take 20
            _row("O12", "J1", "R2", 0, 45, 65),
            _row("O41", "J4", "R2", 1, -20, 50),
            _row("O13", "J1", "B", 0, 100, 150, batch="X1"),
            _row("O22", "J2", "B", 0, 100, 150, batch="X1"),
            _row("O31", "J3", "R2", 0, 160, 170),
        ],
        "jobs": [
            {
                "job": "J1",
                "finish": 150,
                "due": 100,
                "tardiness": 50,
                "weighted_tardiness": 100,
                "late_reason": "bottleneck EO sterilizer",
            },
            {"job": "J2", "finish": 150, "due": None, "tardiness": 0, "weighted_tardiness": 0},
            {"job": "J3", "finish": 170, "due": 200, "tardiness": 0, "weighted_tardiness": 0},
            {"job": "J4", "finish": 50, "due": None, "tardiness": 0, "weighted_tardiness": 0},
            {"job": "J5", "finish": 450, "due": 500, "tardiness": 0, "weighted_tardiness": 0},
        ],
        "kpis": {
            "makespan": 450,
            "total_weighted_tardiness": 100,
            "total_tardiness": 50,
            "late_jobs": 1,
            "changeovers": 1,
            "changeover_minutes": 20,
            "moved_operations": 0,
        },
    }


def _entry(plan, oid):
    return next(e for e in plan["operations"] if e["op"] == oid)


def _pop(problem, oid):
    for job in problem["jobs"]:
        for op in job["operations"]:
            if op["id"] == oid:
                return op
    raise KeyError(oid)


def test_valid_plan_passes():
    assert validate(_problem(), _plan()) == []


def test_no_solution_plan_claims_nothing():
    assert validate(_problem(), {"status": "INFEASIBLE", "operations": []}) == []


def test_empty_feasible_plan_reports_every_operation():
    violations = validate(_problem(), {"status": "FEASIBLE", "operations": []})
    assert len(violations) == 8
    assert "operation 'O11' of job 'J1' is not planned" in violations


def _breaks(mutate, *needles):
    problem, plan = _problem(), _plan()
    mutate(problem, plan)
    violations = validate(problem, plan)
    text = "\n".join(violations)
    for needle in needles:
        assert needle in text, f"{needle!r} not reported in:\n{text}"
    return violations


def test_missing_operation():
    def m(problem, plan):
        plan["operations"] = [e for e in plan["operations"] if e["op"] != "O51"]

    assert _breaks(m, "operation 'O51' of job 'J5' is not planned") == [
        "operation 'O51' of job 'J5' is not planned"
    ]


def test_duplicate_operation():
    def m(problem, plan):
        plan["operations"].append(copy.deepcopy(_entry(plan, "O12")))

    assert _breaks(m, "'O12' is planned more than once") == [
        "operation 'O12' is planned more than once"
    ]


def test_unknown_operation():
    def m(problem, plan):
        plan["operations"].append(_row("ZZ", "J1", "R1", 0, 900, 910))

    _breaks(m, "operation 'ZZ' that is not in the problem")


def test_ineligible_resource():
    def m(problem, plan):
        _entry(plan, "O12")["resource"] = "R1"

    _breaks(m, "operation 'O12' of job 'J1': resource 'R1' is not eligible")


def test_unit_out_of_range():
    def m(problem, plan):
        _entry(plan, "O12")["unit"] = 2

    _breaks(m, "unit 2 does not exist on resource 'R2' (capacity 2")


def test_duration_with_efficiency():
    def m(problem, plan):
        e = _entry(plan, "O12")
        e["end"] = 55  # 10 minutes: efficiency 50% ignored

    v = _breaks(m, "'O12'", "duration mismatch", "processing 20", "holds 10")
    assert len(v) == 1


def test_setup_below_mode_setup():
    def m(problem, plan):
        e = _entry(plan, "O11")
        e["setup_minutes"] = 0
        e["end"] = 35

    _breaks(m, "'O11'", "setup_minutes 0 is less than the mode setup 5")


def test_interruptible_start_not_available():
    def m(problem, plan):
        e = _entry(plan, "O51")
        e["start"] = 150  # R1 is closed in [100, 200)

    _breaks(m, "'O51'", "start 150 is not an available minute of 'R1'")


def test_interruptible_end_in_break():
    def m(problem, plan):
        _pop(problem, "O51")["modes"][0]["duration"] = 100
        _entry(plan, "O51")["end"] = 350  # 100 working minutes but ends inside the break
        plan["kpis"]["makespan"] = 350
        plan["jobs"][4]["finish"] = 350

    v = _breaks(m, "'O51'", "last minute 349 is not an available minute")
    assert len(v) == 1


def test_non_interruptible_across_break():
    def m(problem, plan):
        problem["resources"][0]["calendar"] = [[0, 70], [80, 100], [200, 300], [400, 1000]]

    v = _breaks(m, "'O21'", "non-interruptible [40, 100) is not inside one available interval")
    assert len(v) == 1


def test_unit_overlap():
    def m(problem, plan):
        _entry(plan, "O41")["unit"] = 0  # in progress until 50 while O12 starts at 45

    v = _breaks(m, "resource 'R2' unit 0: overlap", "'O12'", "'O41'")
    assert len(v) == 1


def test_changeover_missing():
    def m(problem, plan):
        e = _entry(plan, "O21")
        e["setup_minutes"] = 0
        e["end"] = 80

    v = _breaks(m, "changeover violated", "'O21'", "'a' -> 'b'", "changeover 20")
    assert len(v) == 1


def test_changeover_minutes_declared_wrong():
    def m(problem, plan):
        _entry(plan, "O51")["changeover_minutes"] = 10

    _breaks(m, "'O51'", "changeover_minutes 10", "is 0")


def test_changeover_kpis():
    def m(problem, plan):
        plan["kpis"]["changeovers"] = 2
        plan["kpis"]["changeover_minutes"] = 25

    v = _breaks(m, "KPI changeovers: plan says 2, recomputed 1", "KPI changeover_minutes")
    assert len(v) == 2


def test_batch_mixed_families():
    def m(problem, plan):
        _pop(problem, "O22")["batch_family"] = "other"

    _breaks(m, "batch 'X1'", "different batch families")


def test_batch_members_not_aligned():
    def m(problem, plan):
        e = _entry(plan, "O22")
        e["start"], e["end"] = 110, 160
        plan["jobs"][1]["finish"] = 160

    _breaks(m, "batch 'X1'", "operation 'O22' runs [110, 160)")


def test_batch_cycle_length():
    def m(problem, plan):
        for oid in ("O13", "O22"):
            _entry(plan, oid)["end"] = 160
        plan["jobs"][0].update(finish=160, tardiness=60, weighted_tardiness=120)
        plan["jobs"][1]["finish"] = 160
        plan["kpis"].update(total_weighted_tardiness=120, total_tardiness=60)

    _breaks(m, "must last 50 minutes", "'O13'", "'O22'")


def test_batch_size():
    def m(problem, plan):
        _pop(problem, "O13")["batch_size"] = 3

    v = _breaks(m, "total batch_size 4 exceeds max_size 3")
    assert len(v) == 1


def test_batch_missing():
    def m(problem, plan):
        _entry(plan, "O22")["batch"] = None

    _breaks(m, "'O22': planned on batch resource 'B' without a batch")


def test_batches_overlap():
    def m(problem, plan):
        e = _entry(plan, "O22")
        e["batch"], e["start"], e["end"] = "X2", 120, 170
        plan["jobs"][1]["finish"] = 170

    v = _breaks(m, "resource 'B' unit 0: overlap", "batch 'X2'")
    assert len(v) == 1


def test_operation_release():
    def m(problem, plan):
        _pop(problem, "O51")["release"] = 250

    v = _breaks(m, "'O51'", "release violated: start 200 < release 250")
    assert len(v) == 1


def test_job_release():
    def m(problem, plan):
        problem["jobs"][1]["release"] = 50

    v = _breaks(m, "'O21'", "release violated: start 40 < release 50")
    assert len(v) == 1


def test_precedence_min_lag():
    def m(problem, plan):
        _pop(problem, "O12")["predecessors"][0]["min_lag"] = 10

    v = _breaks(m, "'O12'", "precedence violated: start 45 < end 40", "min_lag 10")
    assert len(v) == 1


def test_precedence_max_lag():
    def m(problem, plan):
        _pop(problem, "O12")["predecessors"][0]["max_lag"] = 2

    v = _breaks(m, "'O12'", "max_lag violated: start 45 > end 40", "max_lag 2")
    assert len(v) == 1


def test_cross_job_precedence():
    def m(problem, plan):
        _pop(problem, "O31")["predecessors"][0]["min_lag"] = 30

    v = _breaks(m, "'O31'", "predecessor job 'J1' (cross-job precedence)", "min_lag 30")
    assert len(v) == 1


def test_lock():
    def m(problem, plan):
        _pop(problem, "O31")["locked"]["start"] = 165

    v = _breaks(m, "'O31'", "locked on resource 'R2' at 165, planned on 'R2' at 160")
    assert len(v) == 1


def test_in_progress_remaining():
    def m(problem, plan):
        _pop(problem, "O41")["in_progress"]["remaining"] = 45

    v = _breaks(m, "'O41'", "in progress with 45 remaining minutes", "holds 50")
    assert len(v) == 1


def test_frozen_window():
    def m(problem, plan):
        problem["previous_plan"]["O12"]["start"] = 44

    v = _breaks(m, "'O12'", "frozen window violated", "frozen_until 50")
    assert "KPI moved_operations: plan says 0, recomputed 1" in v


def test_moved_operation_outside_frozen_window_is_allowed():
    def m(problem, plan):
        problem["previous_plan"]["O12"]["start"] = 44
        problem["frozen_until"] = 10
        plan["kpis"]["moved_operations"] = 1

    problem, plan = _problem(), _plan()
    m(problem, plan)
    assert validate(problem, plan) == []


def test_horizon():
    def m(problem, plan):
        problem["horizon"] = 400

    v = _breaks(m, "'O51'", "horizon violated: end 450 > horizon 400")
    assert len(v) == 1


@pytest.mark.parametrize(
    "key, value, needle",
    [
        ("makespan", 449, "KPI makespan: plan says 449, recomputed 450"),
        ("total_weighted_tardiness", 50, "KPI total_weighted_tardiness"),
        ("total_tardiness", 0, "KPI total_tardiness"),
        ("late_jobs", 0, "KPI late_jobs: plan says 0, recomputed 1"),
    ],
)
def test_kpis(key, value, needle):
    def m(problem, plan):
        plan["kpis"][key] = value

    v = _breaks(m, needle)
    assert len(v) == 1


def test_job_tardiness():
    def m(problem, plan):
        plan["jobs"][0]["tardiness"] = 0

    v = _breaks(m, "job 'J1': tardiness is 0 in the plan, recomputed 50")
    assert len(v) == 1


def test_late_job_needs_a_reason():
    def m(problem, plan):
        plan["jobs"][0]["late_reason"] = None

    v = _breaks(m, "job 'J1': late by 50 minutes but the plan gives no late_reason")
    assert len(v) == 1


def test_job_results_complete():
    def m(problem, plan):
        del plan["jobs"][2]

    v = _breaks(m, "job 'J3': missing from the plan's job results")
    assert len(v) == 1


def test_restated_changeovers_make_a_thinned_plan_valid():
    """A plan with an operation taken out (a simulation's hypothetical order): the next
    operation on its unit follows another one, and its changeover is restated from it."""
    from med_aps_engine.plan import restate_changeovers

    from . import helpers as eng

    resource = eng.resource("M", changeover={"default": 15, "rules": []})
    jobs = [
        eng.job("A", [eng.op("a", [("M", 30)], setup_family="x")]),
        eng.job("H", [eng.op("h", [("M", 30)], setup_family="y")], release=45),
        eng.job("B", [eng.op("b", [("M", 30)], setup_family="x")], release=90),
    ]
    full = eng.problem([resource], jobs)
    plan = eng.solve(full, time_limit=2.0)
    order = sorted(plan["operations"], key=lambda e: e["start"])
    assert [e["op"] for e in order] == ["a", "h", "b"]
    middle = order[1]["op"]
    thinned_jobs = [job for job in jobs if job["operations"][0]["id"] != middle]
    thinned = eng.problem([resource], thinned_jobs)
    plan["operations"] = [e for e in plan["operations"] if e["op"] != middle]
    plan["jobs"] = [j for j in plan.get("jobs") or [] if j["job"] != middle.upper()]
    for measured in ("kpis", "objective", "bound", "gap"):  # of the plan with the operation
        plan.pop(measured, None)
    before = validate(thinned, plan)
    restated = restate_changeovers(thinned, plan)
    assert validate(thinned, restated) == []
    changeovers = {e["op"]: e["changeover_minutes"] for e in restated["operations"]}
    assert changeovers == {"a": 0, "b": 0}
    assert any("changeover_minutes 15" in violation for violation in before)


def _set_entry(oid, **values):
    def mutate(problem, plan):
        _entry(plan, oid).update(values)

    return mutate


def _set_operation(oid, **values):
    def mutate(problem, plan):
        _pop(problem, oid).update(values)

    return mutate


def _set_predecessor(oid, **values):
    def mutate(problem, plan):
        _pop(problem, oid)["predecessors"][0].update(values)

    return mutate


def _drop_from_plan(oid):
    def mutate(problem, plan):
        plan["operations"] = [e for e in plan["operations"] if e["op"] != oid]

    return mutate


@pytest.mark.parametrize(
    ("mutate", "rule", "operation", "other"),
    [
        (_drop_from_plan("O51"), "plan", "O51", None),
        (_set_entry("O12", resource="R1"), "plan", "O12", None),
        (_set_entry("O51", start=150), "calendar", "O51", None),
        (_set_entry("O12", end=55), "duration", "O12", None),
        (_set_operation("O51", release=250), "release", "O51", None),
        (_set_entry("O12", start=-5, end=15), "origin", "O12", None),
        (_set_predecessor("O12", min_lag=10), "precedence", "O12", "O11"),
        (_set_predecessor("O31", min_lag=30), "precedence", "O31", None),
        (_set_entry("O41", unit=0), "overlap", "O12", "O41"),
        (_set_entry("O51", changeover_minutes=10), "results", "O51", "O21"),
        (_set_entry("O21", setup_minutes=0, end=80), "changeover", "O21", "O11"),
        (_set_predecessor("O12", max_lag=2), "max_lag", "O12", "O11"),
        (_set_operation("O22", batch_family="other"), "batch", "O22", "O13"),
        (
            _set_operation("O41", in_progress={"resource": "R2", "start": -20, "remaining": 45}),
            "fixed",
            "O41",
            None,
        ),
        (_set_operation("O31", locked={"resource": "R2", "start": 165}), "fixed", "O31", None),
    ],
)
def test_details_name_the_rule_and_operations(mutate, rule, operation, other):
    """``validate_details`` files each violation under its rule family, with the operation it
    concerns and the other one involved; its sentences are ``validate``'s."""
    problem, plan = _problem(), _plan()
    mutate(problem, plan)
    details = validate_details(problem, plan)
    assert [d["message"] for d in details] == validate(problem, plan)
    assert all(d["rule"] in RULES for d in details)
    assert {"rule": rule, "operation": operation, "other": other} in [
        {key: d[key] for key in ("rule", "operation", "other")} for d in details
    ], details


def test_details_of_a_valid_plan_and_of_no_solution():
    assert validate_details(_problem(), _plan()) == []
    assert validate_details(_problem(), {"status": "INFEASIBLE", "operations": []}) == []


def test_details_are_not_cut_where_the_sentences_are():
    problem, plan = _problem(), _plan()
    problem["horizon"] = 1
    plan["operations"] *= 60  # every operation planned 60 times
    details = validate_details(problem, plan)
    assert len(details) > 200
    assert len(validate(problem, plan)) == 201


@pytest.mark.parametrize(
    ("mutate", "rule", "values"),
    [
        # 10 minutes of work at 50% efficiency need 20; [45, 55) holds 10
        (_set_entry("O12", end=55), "duration", {"needed": 20, "planned": 10}),
        # O11 ends at 40, O12 waits 10 after it
        (_set_predecessor("O12", min_lag=10), "precedence", {"ready": 50}),
        (_set_predecessor("O12", max_lag=2), "max_lag", {"latest": 42}),
        # a -> b needs 20 minutes of changeover
        (_set_entry("O21", setup_minutes=0, end=80), "changeover", {"required": 20}),
    ],
)
def test_details_give_the_minutes_of_the_rule(mutate, rule, values):
    problem, plan = _problem(), _plan()
    mutate(problem, plan)
    assert values in [d["values"] for d in validate_details(problem, plan) if d["rule"] == rule]
