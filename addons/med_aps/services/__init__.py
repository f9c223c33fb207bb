from . import (
    input_fingerprint,
    plan_check_builder,
    plan_reader,
    plan_scope,
    plan_writer,
    problem_builder,
    scenario_builder,
)
