from . import plan_writer, problem_builder
