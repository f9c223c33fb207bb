"""med_aps_engine: finite-capacity scheduling (OR-Tools CP-SAT) for medical-device plants.

Problem in, plan out, both plain dicts following ``docs/engine-schema.md``::

    from med_aps_engine import solve, validate, SolveOptions
    plan = solve(problem, options=SolveOptions(time_limit=30, workers=2))
    assert validate(problem, plan) == []
"""

from .problem import MAX_HORIZON, SCHEMA_VERSION, ProblemError, load_problem
from .solver import EngineError, OptionError, SolveOptions, solve
from .validator import RULES as VALIDATION_RULES
from .validator import validate, validate_details

__all__ = [
    "MAX_HORIZON",
    "SCHEMA_VERSION",
    "EngineError",
    "OptionError",
    "ProblemError",
    "VALIDATION_RULES",
    "SolveOptions",
    "load_problem",
    "solve",
    "validate",
    "validate_details",
]
