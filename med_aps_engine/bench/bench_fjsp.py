"""Flexible job-shop benchmark: engine vs the greedy baseline (Brandimarte mk01-mk10 and the
Hurink ``edata`` set). Every plan is checked by the independent validator."""

import json
import os
import re
import sys

from med_aps_engine.formats import read_benchmark

from . import data_dir, expand_selection, load_bks
from .bench_jobshop import methods_for, report, run_method

TARGETS = (
    ("mk", "engine mean gap <= 3% on mk01-mk10", 3.0, 10),
    ("mk", "engine mean gap <= 1.0% on mk01-mk10 (scale and quality)", 1.0, 10),
)
DEFAULT_SELECTION = "mk01-mk10,edata"


def fjsp_instances(data):
    """``{name: path}``: ``mk01``.. from Brandimarte, ``la01_edata``.. from Hurink edata (names as
    in ``fjsp/bks.json``)."""
    found = {}
    brandimarte = os.path.join(data, "fjsp", "Brandimarte1993")
    if os.path.isdir(brandimarte):
        for file in sorted(os.listdir(brandimarte)):
            found[os.path.splitext(file)[0]] = os.path.join(brandimarte, file)
    edata = os.path.join(data, "fjsp", "HurinkJurischThole1994", "edata")
    if os.path.isdir(edata):

        def key(file):
            stem = os.path.splitext(file)[0]
            return (re.match(r"[a-z]+", stem).group(0), int(re.sub(r"\D", "", stem) or 0))

        for file in sorted(os.listdir(edata), key=key):
            found[f"{os.path.splitext(file)[0]}_edata"] = os.path.join(edata, file)
    return found


def family_of(name):
    if name.startswith("mk"):
        return "mk"
    if name.endswith("_edata"):
        return "edata " + re.match(r"[a-z]+", name).group(0)
    return re.match(r"[a-z]+", name).group(0)


def run(args):
    data = data_dir(args.data)
    available = fjsp_instances(data)
    selected = expand_selection(args.instances or DEFAULT_SELECTION, list(available))
    bks = load_bks(os.path.join(data, "fjsp", "bks.json"))
    methods = methods_for(args, textbook=False)
    print(
        f"flexible job shop: {len(selected)} instances, time limit {args.time_limit} s, "
        f"{args.workers} workers, {os.cpu_count()} CPUs",
        file=sys.stderr,
        flush=True,
    )
    results = {}
    for name in selected:
        path = available[name]
        problem = read_benchmark("fjsp", path)
        res = {"bks": bks.get(name)}
        for label, fn in methods:
            if fn is None:
                res[label] = {"makespan": None, "status": "n/a"}
                continue
            res[label] = run_method(label, "fjsp", path, problem, fn)
        results[name] = res
        print(
            f"  {name}: bks {res['bks']} "
            + " ".join(f"{lb} {res[lb].get('makespan')}" for lb, _ in methods),
            file=sys.stderr,
            flush=True,
        )
    report(results, [label for label, _ in methods], args, family_of, TARGETS, False)
    if args.json:
        with open(args.json, "w", encoding="utf-8") as handle:
            json.dump(results, handle, indent=1)
    return 0
