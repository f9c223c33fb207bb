"""ISO 2859-1 single sampling plans for normal inspection.

Pure Python, no Odoo import: the tables below follow the structure of the
standard's Table 1 (sample size code letters) and Table 2-A (single sampling
plans for normal inspection, master table). Arrows are resolved the way the
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
# "Ac/Re", "D" (arrow down) or "U" (arrow up). Row A under AQL 10 is read as
# the row's 0/1 plan (there is no plan above row A).
MASTER_TABLE = {
    "A": "D D D D D D D D D D D D D D 0/1 0/1 D 1/2 2/3 3/4 5/6 7/8 10/11 14/15 21/22 30/31",
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


def _cell(letter, aql):
    return MASTER_TABLE[letter].split()[AQLS.index(aql)]


def plan_for_letter(letter, aql):
    """Return ``(letter, sample_size, ac, re)`` after following the arrows."""
    if aql not in AQLS:
        raise SamplingError(f"unknown AQL {aql!r}")
    if letter not in SAMPLE_SIZES:
        raise SamplingError(f"unknown code letter {letter!r}")
    index = LETTERS.index(letter)
    cell = _cell(letter, aql)
    while cell in ("D", "U"):
        index += 1 if cell == "D" else -1
        if not 0 <= index < len(LETTERS):
            raise SamplingError(f"no plan for code letter {letter} at AQL {aql}")
        cell = _cell(LETTERS[index], aql)
    plan_letter = LETTERS[index]
    accept, reject = (int(x) for x in cell.split("/"))
    return plan_letter, SAMPLE_SIZES[plan_letter], accept, reject


def sampling_plan(lot_size, aql, level="II"):
    """Normal single sampling plan for a lot.

    Returns a dict with ``code_letter`` (from Table 1), ``plan_letter`` (the
    row used after the arrows), ``sample_size`` (never above the lot size),
    ``accept`` and ``reject``.
    """
    letter = code_letter(lot_size, level)
    plan_letter, size, accept, reject = plan_for_letter(letter, aql)
    return {
        "code_letter": letter,
        "plan_letter": plan_letter,
        "sample_size": min(size, lot_size),
        "accept": accept,
        "reject": reject,
    }
