"""What a plan run read from Odoo, as it was: the records behind its problem and the values
that matter to the plan, so that a simulated plan is written only onto the data it was
computed from.

A fingerprint is plain JSON: ``{"horizon": minutes, model: {record id: {"write_date": ...,
<field>: value}}}``. Two fingerprints of the same scope differ when a record was changed
(its ``write_date`` moved, the differing fields are named when they are tracked here), added
to the scope or deleted.
"""

from datetime import timedelta

# model -> (table, tracked columns): the values the builder plans with
TRACKED = {
    "mrp.production": (
        "mrp_production",
        ["state", "product_qty", "date_deadline", "priority", "aps_locked", "bom_id"],
    ),
    "mrp.workorder": (
        "mrp_workorder",
        [
            "state",
            "workcenter_id",
            "date_start",
            "date_finished",
            "duration_expected",
            "aps_locked",
        ],
    ),
    "mrp.workcenter": (
        "mrp_workcenter",
        ["active", "resource_calendar_id", "time_efficiency", "aps_parallel_capacity"],
    ),
    "resource.calendar": ("resource_calendar", ["tz"]),
    "resource.calendar.leaves": ("resource_calendar_leaves", ["date_from", "date_to"]),
    "stock.move": ("stock_move", ["state", "product_uom_qty", "quantity"]),
}
# the order in which changes are reported
MODEL_ORDER = list(TRACKED)


def _value(value):
    if value is None or value is False:
        return False
    if isinstance(value, (int, str, bool)):
        return value
    return str(value)


def read_fingerprint(env, production_ids, workorder_ids, workcenter_ids, origin, horizon):
    """The fingerprint of a scope: its orders, their pending work orders and component
    moves, the work centers they may use with their calendars and time off, and the work
    orders of other orders booked on those work centers in the horizon."""
    cr = env.cr
    env.flush_all()
    end = origin + timedelta(minutes=horizon)
    workcenter_ids = sorted(workcenter_ids)
    cr.execute(
        """
        SELECT id FROM mrp_workorder
         WHERE workcenter_id = ANY(%s) AND state NOT IN ('done', 'cancel')
           AND date_start IS NOT NULL AND date_finished IS NOT NULL
           AND date_finished > %s AND date_start < %s
        """,
        [workcenter_ids, origin, end],
    )
    booked = {row[0] for row in cr.fetchall()}
    cr.execute(
        "SELECT id FROM stock_move WHERE raw_material_production_id = ANY(%s)",
        [sorted(production_ids)],
    )
    move_ids = [row[0] for row in cr.fetchall()]
    cr.execute(
        "SELECT resource_id, resource_calendar_id FROM mrp_workcenter WHERE id = ANY(%s)",
        [workcenter_ids],
    )
    rows = cr.fetchall()
    resource_ids = sorted({row[0] for row in rows if row[0]})
    calendar_ids = sorted({row[1] for row in rows if row[1]})
    cr.execute(
        """
        SELECT id FROM resource_calendar_leaves
         WHERE time_type = 'leave' AND date_to > %s AND date_from < %s
           AND (resource_id = ANY(%s) OR (resource_id IS NULL AND calendar_id = ANY(%s)))
        """,
        [origin, end, resource_ids, calendar_ids],
    )
    leave_ids = [row[0] for row in cr.fetchall()]
    ids = {
        "mrp.production": sorted(production_ids),
        "mrp.workorder": sorted(set(workorder_ids) | booked),
        "mrp.workcenter": workcenter_ids,
        "resource.calendar": calendar_ids,
        "resource.calendar.leaves": sorted(leave_ids),
        "stock.move": sorted(move_ids),
    }
    result = {"horizon": horizon}
    for model, record_ids in ids.items():
        table, columns = TRACKED[model]
        cr.execute(
            'SELECT id, write_date, %s FROM "%s" WHERE id = ANY(%%s)'
            % (", ".join('"%s"' % column for column in columns), table),
            [record_ids],
        )
        records = {}
        for row in cr.fetchall():
            entry = {"write_date": _value(row[1])}
            entry.update(
                {column: _value(value) for column, value in zip(columns, row[2:], strict=True)}
            )
            records[str(row[0])] = entry
        result[model] = records
    return result


def fingerprint_changes(env, before, after, limit=5):
    """What changed between two fingerprints of a scope, in a planner's words (the first
    ``limit`` changes, then how many more)."""
    changes = []
    for model in MODEL_ORDER:
        old = before.get(model) or {}
        new = after.get(model) or {}
        records = env[model].with_context(active_test=False).sudo()
        for record_id in sorted(set(old) | set(new), key=int):
            name = _label(records.browse(int(record_id)))
            if record_id not in new:
                changes.append(env._("%(record)s was removed or closed", record=name))
            elif record_id not in old:
                changes.append(env._("%(record)s is new", record=name))
            elif old[record_id] != new[record_id]:
                fields = [
                    records._fields[column]._description_string(env)
                    for column in TRACKED[model][1]
                    if old[record_id].get(column) != new[record_id].get(column)
                ]
                if fields:
                    changes.append(
                        env._(
                            "%(record)s changed (%(fields)s)", record=name, fields=", ".join(fields)
                        )
                    )
                else:
                    changes.append(env._("%(record)s changed", record=name))
    if len(changes) > limit:
        more = len(changes) - limit
        changes = changes[:limit] + [env._("%(count)s more changes", count=more)]
    return changes


def _label(record):
    """A record's name for a change message (a removed record by its model and id)."""
    if not record.exists():
        return "%s #%s" % (record._description, record.id)
    if record._name == "mrp.workorder":
        return "%s - %s" % (record.production_id.name, record.name)
    if record._name == "stock.move":
        return "%s (%s)" % (record.raw_material_production_id.name, record.product_id.display_name)
    if record._name == "resource.calendar.leaves":
        return "%s %s" % (record._description, record.name or record.id)
    return record.display_name
