"""Benchmark runner: ``med-aps bench jobshop|fjsp|rcpsp|plant|stability [options]``.

``med-aps bench ...`` delegates to :func:`main` with the same arguments.
"""

import argparse
import sys

from . import BenchDataMissing


def build_parser():
    parser = argparse.ArgumentParser(
        prog="med-aps bench",
        description="Benchmarks of the med_aps scheduling engine; prints one table per run.",
    )
    parser.add_argument(
        "suite", choices=("jobshop", "fjsp", "rcpsp", "plant", "stability"), help="benchmark suite"
    )
    parser.add_argument(
        "--instances",
        help="instances: 'ta01,ta02', ranges 'ta01-ta10', families 'ta', 'la', 'mk', 'edata' "
        "(default: every copied instance of the suite); rcpsp: 'j30_1_1', sets 'j30', "
        "'j30:1' = instance 1 of every group (default 'j30:1,j120:1')",
    )
    parser.add_argument(
        "--time-limit",
        type=float,
        default=None,
        help="seconds per solve (default 30; plant: 120 for the first size, 300 for the second)",
    )
    parser.add_argument("--workers", type=int, default=2, help="CP-SAT workers (default 2)")
    parser.add_argument(
        "--data",
        help="benchmark data folder (default: env MED_APS_BENCH_DATA, else "
        "../shared/benchmarks next to the repository)",
    )
    parser.add_argument("--json", help="also write the raw results to this JSON file")
    shops = parser.add_argument_group("jobshop suite: generated shops")
    shops.add_argument(
        "--generated",
        help="instead of jsplib, generated shops of these sizes, JOBSxMACHINES comma-separated "
        "(e.g. 30x15,50x15,50x20,100x20); gaps to the engine's lower bound",
    )
    shops.add_argument("--seeds", default="1,2,3", help="generator seeds (default 1,2,3)")
    plant = parser.add_argument_group("plant and stability suites")
    plant.add_argument(
        "--jobs",
        default="2000,10000",
        help="comma-separated plant sizes in jobs (about 5 operations per job; default 2000,10000)",
    )
    plant.add_argument("--seed", type=int, default=0, help="plant generator seed")
    plant.add_argument("--first-plan-target", type=float, default=15.0, help="seconds (default 15)")
    plant.add_argument(
        "--no-first-plan-check",
        action="store_true",
        help="skip the extra solve limited to --first-plan-target seconds on the first size",
    )
    plant.add_argument("--memory-target-gb", type=float, default=3.0, help="GB (default 3)")
    plant.add_argument(
        "--plant-options",
        default="",
        help="plant suite: also plan the plant generated with these options beside the plain "
        "one, comma-separated among molds, operators, maintenance (secondary resources)",
    )
    return parser


def main(argv=None):
    args = build_parser().parse_args(argv)
    try:
        if args.suite == "jobshop" and args.generated:
            from .bench_generated import run
        elif args.suite == "jobshop":
            from .bench_jobshop import run
        elif args.suite == "fjsp":
            from .bench_fjsp import run
        elif args.suite == "rcpsp":
            from .bench_rcpsp import run
        elif args.suite == "stability":
            from .bench_stability import run
        else:
            from .bench_plant import run
        if args.suite not in ("plant", "stability") and args.time_limit is None:
            args.time_limit = 30.0
        return run(args)
    except BenchDataMissing as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
