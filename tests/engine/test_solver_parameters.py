"""CP-SAT parameters per model kind (``model.solver_parameters``)."""

from med_aps_engine.model import JOBSHOP_NO_LP_MAX_WORKERS, solver_parameters


def test_job_shop_with_two_workers_runs_the_lp_free_full_search():
    params = solver_parameters(10, 2, jobshop=True).parameters
    assert list(params.subsolvers) == ["no_lp"]
    assert params.num_workers == 2
    assert params.max_time_in_seconds == 10


def test_job_shop_with_one_worker_has_no_linear_relaxation():
    params = solver_parameters(10, 1, jobshop=True).parameters
    assert params.linearization_level == 0
    assert list(params.subsolvers) == []


def test_job_shop_with_many_workers_keeps_the_default_portfolio():
    params = solver_parameters(10, JOBSHOP_NO_LP_MAX_WORKERS + 1, jobshop=True).parameters
    assert list(params.subsolvers) == []
    assert params.linearization_level == 1


def test_plant_model_keeps_the_default_portfolio_without_probing():
    params = solver_parameters(10, 2).parameters
    assert list(params.subsolvers) == []
    assert params.cp_model_probing_level == 0


def test_job_shop_no_overlaps_propagate_fully_with_any_number_of_workers():
    for workers in (1, 2, JOBSHOP_NO_LP_MAX_WORKERS + 1):
        params = solver_parameters(10, workers, jobshop=True).parameters
        assert params.use_strong_propagation_in_disjunctive


def test_plant_model_keeps_the_default_disjunctive_propagation():
    # tried on generated plants (calendars, changeovers, batches) without a clear gain
    # (bench/README.md, "Strong no-overlap propagation")
    assert not solver_parameters(10, 2).parameters.use_strong_propagation_in_disjunctive
