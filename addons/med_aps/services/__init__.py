from . import plan_reader, plan_scope, plan_writer, problem_builder
