"""What a plan run read from Odoo, beside the engine's problem: the contract between the
problem builder and everything that works with the problem afterwards (the plan writer, the
plan reader, the run's messages, tests and benchmarks).

The engine speaks in keys (``MO/<id>``, ``WO/<id>``, ``WC/<id>``, ``SF/<id>``, ``BF/<id>``, and
the secondary resources' keys other addons choose, e.g. ``EQ/<id>`` or ``EMP/<id>``) and
integer minutes from ``origin`` (naive UTC, like every Odoo datetime); the scope turns them
back into records, datetimes and names, and holds what the writer expects to find when it
writes (each free work order's ``write_date`` as read).
"""

import math
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta

# an engine key: a short upper-case prefix and a record id (names are looked up, so text that
# merely looks like a key stays as it is)
ID_PATTERN = re.compile(r"\b([A-Z]{2,4})/(\d+)\b")


@dataclass(frozen=True)
class StoredWorkorder:
    """The stored columns of a work order the problem builder reads for each one."""

    production_id: int
    workcenter_id: int
    operation_id: int
    name: str
    duration_expected: float
    hold_minutes: int  # the hold after its operation: its successors' minimum lag
    hold_max_minutes: int  # their maximum lag, or None
    write_date: datetime
    fixed_kind: str  # "progress" (running), "locked" (with its dates), or None
    run_id: int  # the med_aps run that planned it last, or None


@dataclass(frozen=True)
class FreeWorkorder:
    """A work order the engine may move, as the builder read it."""

    # expected duration (minutes, as Odoo stores it) on each candidate work center id
    duration_by_workcenter: dict
    # the stored write_date when the problem was read: the writer skips the work order if
    # it changed since (an operator started it, a user moved it)
    write_date: datetime


@dataclass(frozen=True)
class SecondarySource:
    """A secondary resource of the problem (a tool, a mould, an operator) and the Odoo records
    behind its units, as an addon's ``med.aps.run._aps_secondary_sources`` returns it."""

    # the engine's secondary resource (docs/engine-schema.md, schema version 2)
    vals: dict
    # the model of the records behind the units, e.g. "maintenance.equipment", "hr.employee"
    model: str
    # one record id per unit, in unit order (len == vals["count"], 1 by default)
    unit_ids: tuple
    # what the plan calls it: "tool", "operator" or "equipment"
    kind: str

    @property
    def key(self):
        return self.vals["id"]


@dataclass
class PlanScope:
    """The records, names and expectations behind one problem."""

    origin: datetime
    productions: object  # mrp.production recordset, ordered by id
    workorders: object  # mrp.workorder recordset of the pending work orders
    workcenters: object  # mrp.workcenter recordset: own work centers and alternatives
    names: dict = field(default_factory=dict)  # engine key -> display name
    free_workorders: dict = field(default_factory=dict)  # wo id -> FreeWorkorder
    # mo id -> minutes from the order's last operation to the product's release
    finish_offset: dict = field(default_factory=dict)
    operation_count: int = 0
    horizon: int = 0
    # engine key -> SecondarySource of the tools and operators the problem plans
    secondary: dict = field(default_factory=dict)
    # what the planner should know about the resources read (an expired calibration...)
    warnings: list = field(default_factory=list)

    def to_minutes(self, value, rounding="floor"):
        """Minutes from the origin of a naive UTC datetime (floored unless ``"ceil"``)."""
        seconds = (value - self.origin).total_seconds()
        if rounding == "ceil":
            return math.ceil(seconds / 60.0)
        return math.floor(seconds / 60.0)

    def to_datetime(self, minutes):
        """The naive UTC datetime of a minute of the plan."""
        return self.origin + timedelta(minutes=minutes)

    def workorder_name(self, workorder_id):
        return self.names.get("WO/%d" % workorder_id, str(workorder_id))

    def translate_ids(self, text):
        """Replace engine identifiers in a message by the records' names."""
        return ID_PATTERN.sub(lambda m: self.names.get(m.group(0), m.group(0)), text or "")
