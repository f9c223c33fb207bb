"""ISO 2859-1 single sampling plans and the switching rules.

Pure Python, no Odoo import: the tables below follow the structure of the
standard's Table 1 (sample size code letters), Table 2-A (single sampling
plans for normal inspection), Table 2-B (tightened inspection) and Table 2-C
(reduced inspection), master tables. Arrows are resolved the way the
standard prescribes: "D" (arrow down) means "use the first plan below the
arrow", "U" (arrow up) means "use the first plan above the arrow"; the sample
size then comes from the row of that plan. When the sample size reaches the
lot size, every unit is inspected (the accept/reject numbers stay those of the
plan).
"""

LEVELS = ("S-1", "S-2", "S-3", "S-4", "I", "II", "III")

# Table 1 -- upper bound of each lot size range, then the code letter for the
# levels S-1, S-2, S-3, S-4, I, II, III (in that order). The last range is open.
CODE_LETTER_TABLE = (
    (8, "AAAAAAB"),
    (15, "AAAAABC"),
    (25, "AABBBCD"),
    (50, "ABBCCDE"),
    (90, "BBCCCEF"),
    (150, "BBCDDFG"),
    (280, "BCDEEGH"),
    (500, "BCDEFHJ"),
    (1200, "CCEFGJK"),
    (3200, "CDEGHKL"),
    (10000, "CDFGJLM"),
    (35000, "CDFHKMN"),
    (150000, "DEGJLNP"),
    (500000, "DEGJMPQ"),
    (None, "DEHKNQR"),
)

# Sample size per code letter (rows of Table 2-A).
SAMPLE_SIZES = {
    "A": 2,
    "B": 3,
    "C": 5,
    "D": 8,
    "E": 13,
    "F": 20,
    "G": 32,
    "H": 50,
    "J": 80,
    "K": 125,
    "L": 200,
    "M": 315,
    "N": 500,
    "P": 800,
    "Q": 1250,
    "R": 2000,
}
LETTERS = tuple(SAMPLE_SIZES)

# Column headings of Table 2-A (AQL, in percent nonconforming or
# nonconformities per 100 units).
AQLS = (
    "0.010",
    "0.015",
    "0.025",
    "0.040",
    "0.065",
    "0.10",
    "0.15",
    "0.25",
    "0.40",
    "0.65",
    "1.0",
    "1.5",
    "2.5",
    "4.0",
    "6.5",
    "10",
    "15",
    "25",
    "40",
    "65",
    "100",
    "150",
    "250",
    "400",
    "650",
    "1000",
)

# Table 2-A body, one row per code letter, one cell per AQL column:
# "Ac/Re", "D" (arrow down) or "U" (arrow up).
# Three cells break the diagonal pattern of the table and are settled here
# against the standard (ISO 2859-1:1999 Table 2-A, identical to
# MIL-STD-105E Table II-A and ANSI/ASQ Z1.4 Table II-A, whose resolved plans
# were used to check every cell; see tests/test_iso2859.py):
# * row A, AQL 10: arrow down (no plan above row A); the plan is row C's
#   1/2 with n = 5, not row A's 0/1;
# * row R, AQL 0.010 and 0.015: arrows up (no row below R); the plans are
#   row Q's 0/1 (n = 1250) and row P's 0/1 (n = 800).
MASTER_TABLE = {
    "A": "D D D D D D D D D D D D D D 0/1 D D 1/2 2/3 3/4 5/6 7/8 10/11 14/15 21/22 30/31",
    "B": "D D D D D D D D D D D D D 0/1 U D 1/2 2/3 3/4 5/6 7/8 10/11 14/15 21/22 30/31 44/45",
    "C": "D D D D D D D D D D D D 0/1 U D 1/2 2/3 3/4 5/6 7/8 10/11 14/15 21/22 30/31 44/45 U",
    "D": "D D D D D D D D D D D 0/1 U D 1/2 2/3 3/4 5/6 7/8 10/11 14/15 21/22 30/31 44/45 U U",
    "E": "D D D D D D D D D D 0/1 U D 1/2 2/3 3/4 5/6 7/8 10/11 14/15 21/22 30/31 44/45 U U U",
    "F": "D D D D D D D D D 0/1 U D 1/2 2/3 3/4 5/6 7/8 10/11 14/15 21/22 U U U U U U",
    "G": "D D D D D D D D 0/1 U D 1/2 2/3 3/4 5/6 7/8 10/11 14/15 21/22 U U U U U U U",
    "H": "D D D D D D D 0/1 U D 1/2 2/3 3/4 5/6 7/8 10/11 14/15 21/22 U U U U U U U U",
    "J": "D D D D D D 0/1 U D 1/2 2/3 3/4 5/6 7/8 10/11 14/15 21/22 U U U U U U U U U",
    "K": "D D D D D 0/1 U D 1/2 2/3 3/4 5/6 7/8 10/11 14/15 21/22 U U U U U U U U U U",
    "L": "D D D D 0/1 U D 1/2 2/3 3/4 5/6 7/8 10/11 14/15 21/22 U U U U U U U U U U U",
    "M": "D D D 0/1 U D 1/2 2/3 3/4 5/6 7/8 10/11 14/15 21/22 U U U U U U U U U U U U",
    "N": "D D 0/1 U D 1/2 2/3 3/4 5/6 7/8 10/11 14/15 21/22 U U U U U U U U U U U U U",
    "P": "D 0/1 U D 1/2 2/3 3/4 5/6 7/8 10/11 14/15 21/22 U U U U U U U U U U U U U U",
    "Q": "0/1 U D 1/2 2/3 3/4 5/6 7/8 10/11 14/15 21/22 U U U U U U U U U U U U U U U",
    "R": "U U 1/2 2/3 3/4 5/6 7/8 10/11 14/15 21/22 U U U U U U U U U U U U U U U U",
}


# Table 2-B (tightened inspection). Sample sizes as in Table 2-A plus row S
# (n = 3150), reached only by the arrow of rows Q and R under AQL 0.025.
TIGHTENED_SAMPLE_SIZES = dict(SAMPLE_SIZES, S=3150)
TIGHTENED_TABLE = {
    "A": "D D D D D D D D D D D D D D D D D D 1/2 2/3 3/4 5/6 8/9 12/13 18/19 27/28",
    "B": "D D D D D D D D D D D D D D 0/1 D D 1/2 2/3 3/4 5/6 8/9 12/13 18/19 27/28 41/42",
    "C": "D D D D D D D D D D D D D 0/1 D D 1/2 2/3 3/4 5/6 8/9 12/13 18/19 27/28 41/42 U",
    "D": "D D D D D D D D D D D D 0/1 D D 1/2 2/3 3/4 5/6 8/9 12/13 18/19 27/28 41/42 U U",
    "E": "D D D D D D D D D D D 0/1 D D 1/2 2/3 3/4 5/6 8/9 12/13 18/19 27/28 41/42 U U U",
    "F": "D D D D D D D D D D 0/1 D D 1/2 2/3 3/4 5/6 8/9 12/13 18/19 U U U U U U",
    "G": "D D D D D D D D D 0/1 D D 1/2 2/3 3/4 5/6 8/9 12/13 18/19 U U U U U U U",
    "H": "D D D D D D D D 0/1 D D 1/2 2/3 3/4 5/6 8/9 12/13 18/19 U U U U U U U U",
    "J": "D D D D D D D 0/1 D D 1/2 2/3 3/4 5/6 8/9 12/13 18/19 U U U U U U U U U",
    "K": "D D D D D D 0/1 D D 1/2 2/3 3/4 5/6 8/9 12/13 18/19 U U U U U U U U U U",
    "L": "D D D D D 0/1 D D 1/2 2/3 3/4 5/6 8/9 12/13 18/19 U U U U U U U U U U U",
    "M": "D D D D 0/1 D D 1/2 2/3 3/4 5/6 8/9 12/13 18/19 U U U U U U U U U U U U",
    "N": "D D D 0/1 D D 1/2 2/3 3/4 5/6 8/9 12/13 18/19 U U U U U U U U U U U U U",
    "P": "D D 0/1 D D 1/2 2/3 3/4 5/6 8/9 12/13 18/19 U U U U U U U U U U U U U U",
    "Q": "D 0/1 D D 1/2 2/3 3/4 5/6 8/9 12/13 18/19 U U U U U U U U U U U U U U U",
    "R": "0/1 U D 1/2 2/3 3/4 5/6 8/9 12/13 18/19 U U U U U U U U U U U U U U U U",
    "S": "- - 1/2 - - - - - - - - - - - - - - - - - - - - - - -",
}

# Table 2-C (reduced inspection): sample sizes about 40 % of normal.
# Sample sizes and acceptance numbers follow MIL-STD-105E Table II-C (public
# domain; ANSI/ASQ Z1.4 has the same plans). Its reduced plans leave a gap
# between Ac and Re (a lot in the gap is accepted but normal inspection comes
# back); here the gap is closed on the safe side, Re = Ac + 1: a lot with more
# than Ac nonconforming items is not accepted and normal inspection comes back
# (9.3.4 a). These cells were not compared with a licensed copy of
# ISO 2859-1:1999 Table 2-C (see readme/ROADMAP.md). Rows A, B and C share
# n = 2; their cells give the plan the arrows of the table lead to.
REDUCED_SAMPLE_SIZES = {
    "A": 2,
    "B": 2,
    "C": 2,
    "D": 3,
    "E": 5,
    "F": 8,
    "G": 13,
    "H": 20,
    "J": 32,
    "K": 50,
    "L": 80,
    "M": 125,
    "N": 200,
    "P": 315,
    "Q": 500,
    "R": 800,
}
REDUCED_TABLE = {
    "A": "D D D D D D D D D D D D 0/1 0/1 0/1 0/1 0/1 1/2 2/3 3/4 5/6 7/8 10/11 14/15 21/22 30/31",
    "B": "D D D D D D D D D D D D 0/1 0/1 0/1 0/1 0/1 1/2 2/3 3/4 5/6 7/8 10/11 14/15 21/22 30/31",
    "C": "D D D D D D D D D D D D 0/1 0/1 D 0/1 1/2 1/2 2/3 3/4 5/6 7/8 10/11 14/15 21/22 30/31",
    "D": "D D D D D D D D D D D 0/1 U D 0/1 1/2 1/2 2/3 3/4 5/6 7/8 10/11 14/15 21/22 U U",
    "E": "D D D D D D D D D D 0/1 U D 0/1 1/2 1/2 2/3 3/4 5/6 7/8 10/11 14/15 21/22 U U U",
    "F": "D D D D D D D D D 0/1 U D 0/1 1/2 1/2 2/3 3/4 5/6 7/8 10/11 U U U U U U",
    "G": "D D D D D D D D 0/1 U D 0/1 1/2 1/2 2/3 3/4 5/6 7/8 10/11 U U U U U U U",
    "H": "D D D D D D D 0/1 U D 0/1 1/2 1/2 2/3 3/4 5/6 7/8 10/11 U U U U U U U U",
    "J": "D D D D D D 0/1 U D 0/1 1/2 1/2 2/3 3/4 5/6 7/8 10/11 U U U U U U U U U",
    "K": "D D D D D 0/1 U D 0/1 1/2 1/2 2/3 3/4 5/6 7/8 10/11 U U U U U U U U U U",
    "L": "D D D D 0/1 U D 0/1 1/2 1/2 2/3 3/4 5/6 7/8 10/11 U U U U U U U U U U U",
    "M": "D D D 0/1 U D 0/1 1/2 1/2 2/3 3/4 5/6 7/8 10/11 U U U U U U U U U U U U",
    "N": "D D 0/1 U D 0/1 1/2 1/2 2/3 3/4 5/6 7/8 10/11 U U U U U U U U U U U U U",
    "P": "D 0/1 U D 0/1 1/2 1/2 2/3 3/4 5/6 7/8 10/11 U U U U U U U U U U U U U U",
    "Q": "0/1 U D 0/1 1/2 1/2 2/3 3/4 5/6 7/8 10/11 U U U U U U U U U U U U U U U",
    "R": "U U 0/1 1/2 1/2 2/3 3/4 5/6 7/8 10/11 U U U U U U U U U U U U U U U U",
}

SEVERITIES = ("normal", "tightened", "reduced")
_TABLES = {
    "normal": (MASTER_TABLE, SAMPLE_SIZES),
    "tightened": (TIGHTENED_TABLE, TIGHTENED_SAMPLE_SIZES),
    "reduced": (REDUCED_TABLE, REDUCED_SAMPLE_SIZES),
}


class SamplingError(ValueError):
    """Raised for an input the tables cannot answer (the caller words the message)."""


def code_letter(lot_size, level="II"):
    """Return the sample size code letter for ``lot_size`` units at ``level``."""
    if level not in LEVELS:
        raise SamplingError(f"unknown inspection level {level!r}")
    if lot_size < 2:
        raise SamplingError(f"lot size {lot_size} is below the table minimum of 2")
    column = LEVELS.index(level)
    for upper, letters in CODE_LETTER_TABLE:
        if upper is None or lot_size <= upper:
            return letters[column]
    raise SamplingError(f"lot size {lot_size} not covered")  # pragma: no cover


def plan_for_letter(letter, aql, severity="normal"):
    """Return ``(letter, sample_size, ac, re)`` after following the arrows."""
    if aql not in AQLS:
        raise SamplingError(f"unknown AQL {aql!r}")
    if letter not in SAMPLE_SIZES:
        raise SamplingError(f"unknown code letter {letter!r}")
    if severity not in _TABLES:
        raise SamplingError(f"unknown inspection severity {severity!r}")
    table, sizes = _TABLES[severity]
    rows = tuple(table)
    column = AQLS.index(aql)
    index = rows.index(letter)
    cell = table[letter].split()[column]
    while cell in ("D", "U"):
        index += 1 if cell == "D" else -1
        if not 0 <= index < len(rows):
            raise SamplingError(f"no plan for code letter {letter} at AQL {aql}")
        cell = table[rows[index]].split()[column]
    if cell == "-":  # pragma: no cover - the arrows never lead to an empty cell
        raise SamplingError(f"no plan for code letter {letter} at AQL {aql}")
    plan_letter = rows[index]
    accept, reject = (int(x) for x in cell.split("/"))
    return plan_letter, sizes[plan_letter], accept, reject


def sampling_plan(lot_size, aql, level="II", severity="normal"):
    """Single sampling plan for a lot under normal, tightened or reduced inspection.

    Returns a dict with ``code_letter`` (from Table 1), ``plan_letter`` (the
    row used after the arrows), ``sample_size`` (never above the lot size),
    ``accept`` and ``reject``.
    """
    letter = code_letter(lot_size, level)
    plan_letter, size, accept, reject = plan_for_letter(letter, aql, severity)
    return {
        "code_letter": letter,
        "plan_letter": plan_letter,
        "sample_size": min(size, lot_size),
        "accept": accept,
        "reject": reject,
        "severity": severity,
    }


def tighter_accept_number(letter, aql):
    """Acceptance number of the normal plan one AQL step tighter (switching score).

    ``None`` when ``aql`` is already the tightest column of the table.
    """
    index = AQLS.index(aql)
    if index == 0:
        return None
    return plan_for_letter(letter, AQLS[index - 1])[2]


# ----------------------------------------------------------------------
# Switching rules (ISO 2859-1:1999, clause 9)
# ----------------------------------------------------------------------
# 9.3.1 normal -> tightened: 2 lots not accepted among 5 or fewer consecutive
#       lots on original inspection (re-submitted lots are not counted);
# 9.3.2 tightened -> normal: 5 consecutive lots accepted on original inspection;
# 9.3.3 normal -> reduced: switching score >= 30, production at a steady rate
#       and the responsible authority approves;
# 9.3.3.2 switching score, single sampling: started at 0 at the start of normal
#       inspection; after each lot on normal inspection, if Ac >= 2 add 3 when
#       the lot would have been accepted at the AQL one step tighter, else set
#       to 0; if Ac is 0 or 1 add 2 when the lot is accepted, else set to 0;
# 9.3.4 reduced -> normal: a lot not accepted, production irregular or
#       delayed, or other conditions warrant it;
# 9.4   discontinuation: the cumulative number of lots not accepted in a
#       sequence of consecutive lots on original tightened inspection reaches
#       5; resumed (on tightened inspection) after the supplier has acted.

SWITCHING_SCORE_LIMIT = 30


def initial_state():
    """Switching state at the start of inspection (normal)."""
    return {
        "severity": "normal",
        "score": 0,
        "normal_results": [],
        "tightened_accepted_run": 0,
        "tightened_not_accepted": 0,
    }


def _enter(state, severity):
    return dict(initial_state(), severity=severity)


def switching_score(score, accepted, accept_number, accepted_tighter):
    """New switching score after a lot on normal inspection (9.3.3.2)."""
    if accept_number >= 2:
        return score + 3 if accepted_tighter else 0
    return score + 2 if accepted else 0


def record_lot(state, accepted, accept_number=0, accepted_tighter=False):
    """Apply the result of a lot on original inspection.

    :param accepted: the lot was accepted (nonconforming items <= Ac)
    :param accept_number: Ac of the plan used (normal inspection only)
    :param accepted_tighter: the lot would have been accepted at the AQL one
        step tighter (normal inspection with Ac >= 2 only)
    :return: ``(new_state, reason)``; ``reason`` names the rule that switched
        the severity (``None`` when it did not change)
    """
    severity = state["severity"]
    if severity == "discontinued":
        raise SamplingError("inspection is discontinued: no lot can be inspected")
    if severity == "normal":
        results = [*state["normal_results"], accepted][-5:]
        if results.count(False) >= 2:
            return _enter(state, "tightened"), "normal_to_tightened"
        score = switching_score(state["score"], accepted, accept_number, accepted_tighter)
        return dict(state, normal_results=results, score=score), None
    if severity == "tightened":
        if accepted:
            run = state["tightened_accepted_run"] + 1
            if run >= 5:
                return _enter(state, "normal"), "tightened_to_normal"
            return dict(state, tightened_accepted_run=run), None
        not_accepted = state["tightened_not_accepted"] + 1
        if not_accepted >= 5:
            return dict(_enter(state, "discontinued")), "discontinued"
        return dict(state, tightened_accepted_run=0, tightened_not_accepted=not_accepted), None
    # reduced
    if not accepted:
        return _enter(state, "normal"), "reduced_to_normal"
    return state, None


def can_reduce(state):
    """Normal inspection with a switching score of at least 30 (9.3.3 a)."""
    return state["severity"] == "normal" and state["score"] >= SWITCHING_SCORE_LIMIT


def reduce(state):
    """Switch to reduced inspection (production steady and authority approval given)."""
    if not can_reduce(state):
        raise SamplingError(
            f"reduced inspection needs normal inspection and a switching score of at least "
            f"{SWITCHING_SCORE_LIMIT} (score {state['score']}, {state['severity']})"
        )
    return _enter(state, "reduced"), "normal_to_reduced"


def back_to_normal(state):
    """Reduced -> normal because production is irregular or other conditions (9.3.4)."""
    if state["severity"] != "reduced":
        raise SamplingError(f"inspection is {state['severity']}, not reduced")
    return _enter(state, "normal"), "reduced_to_normal_manual"


def resume(state):
    """Resume a discontinued inspection on tightened inspection (9.4)."""
    if state["severity"] != "discontinued":
        raise SamplingError(f"inspection is {state['severity']}, not discontinued")
    return _enter(state, "tightened"), "resumed"
