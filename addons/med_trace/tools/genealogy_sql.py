"""The lot genealogy in SQL: the recursive walk over Odoo's own links between the move lines
an order consumed and produced, and the PL/pgSQL functions that return one direction's whole
graph in one call. No ORM here: ``stock.lot`` (``models/stock_lot_genealogy.py``) calls the
functions and turns their rows into records the user may read."""

from odoo.tools import SQL

# Genealogy edges come from Odoo's own link table between the component
# move lines consumed by an MO and the move lines it produced: a row
# (consume_line_id=X, produce_line_id=Y) means "move line Y was an input of
# move line X" (by-products included). Odoo 19 does not write that table for
# the unbuilt lot of an unbuild order, so unbuild orders are linked through
# their moves (``unbuild_id``): lines into the production location are the
# inputs, lines out of it the outputs. The walk is a recursive
# CTE over (parent lot, lot, link move line) triples (with the product of the
# line, which is its lot's): UNION (not UNION ALL)
# discards triples already produced, so rework loops terminate and nothing
# is duplicated. Levels are computed afterwards, breadth first.
#
# Speed: every step is an index lookup. The anchor lines of a lot are found
# in the partial index on done move lines (lot_id, location_id,
# location_dest_id, ...) with the production locations given as an array
# (computed once per query), so the lines of a lot that did not enter or
# leave production (transfers, deliveries, hundreds of consumptions of a
# shared component) are skipped inside the index. The whole graph of one
# direction (walk, links with quantities, whereabouts, units) is ONE
# function (below): planning, not execution, dominates the cost of these
# small queries.
_WALK_CTE = {
    "upstream": """
        walk(parent_lot_id, lot_id, ml_id, product_id) AS (
            SELECT NULL::integer, root.id, NULL::integer, NULL::integer
              FROM unnest(%(lot_ids)s::integer[]) AS root(id)
            UNION
            SELECT w.lot_id, link.lot_id, link.id, link.product_id
              FROM walk w
              -- only outputs of a production location (MO or unbuild) have inputs
              JOIN stock_move_line anchor
                ON anchor.lot_id = w.lot_id AND anchor.state = 'done'
               AND anchor.location_id = ANY(ARRAY(
                       SELECT id FROM stock_location WHERE usage = 'production'))
              JOIN LATERAL (
                    -- manufacturing: the components consumed for this output
                    SELECT src.id, src.lot_id, src.product_id
                      FROM stock_move_line_consume_rel rel
                      JOIN stock_move_line src ON src.id = rel.produce_line_id
                     WHERE rel.consume_line_id = anchor.id
                       AND src.state = 'done' AND src.lot_id IS NOT NULL
                    UNION ALL
                    -- unbuild: the unbuilt lot a recovered lot comes from
                    SELECT src.id, src.lot_id, src.product_id
                      FROM stock_move anchor_move
                      JOIN stock_move sibling ON sibling.unbuild_id = anchor_move.unbuild_id
                      JOIN stock_move_line src
                        ON src.move_id = sibling.id AND src.state = 'done'
                       AND src.lot_id IS NOT NULL
                      JOIN stock_location src_dest
                        ON src_dest.id = src.location_dest_id AND src_dest.usage = 'production'
                     WHERE anchor_move.id = anchor.move_id AND anchor_move.unbuild_id IS NOT NULL
                   ) link ON TRUE
        )""",
    "downstream": """
        walk(parent_lot_id, lot_id, ml_id, product_id) AS (
            SELECT NULL::integer, root.id, NULL::integer, NULL::integer
              FROM unnest(%(lot_ids)s::integer[]) AS root(id)
            UNION
            SELECT w.lot_id, link.lot_id, link.id, link.product_id
              FROM walk w
              -- only inputs of a production location (MO or unbuild) have outputs
              JOIN stock_move_line anchor
                ON anchor.lot_id = w.lot_id AND anchor.state = 'done'
               AND anchor.location_dest_id = ANY(ARRAY(
                       SELECT id FROM stock_location WHERE usage = 'production'))
              JOIN LATERAL (
                    -- manufacturing: the outputs made with this component
                    SELECT dst.id, dst.lot_id, dst.product_id
                      FROM stock_move_line_consume_rel rel
                      JOIN stock_move_line dst ON dst.id = rel.consume_line_id
                     WHERE rel.produce_line_id = anchor.id
                       AND dst.state = 'done' AND dst.lot_id IS NOT NULL
                    UNION ALL
                    -- unbuild: the lots recovered from this unbuilt lot
                    SELECT dst.id, dst.lot_id, dst.product_id
                      FROM stock_move anchor_move
                      JOIN stock_move sibling ON sibling.unbuild_id = anchor_move.unbuild_id
                      JOIN stock_move_line dst
                        ON dst.move_id = sibling.id AND dst.state = 'done'
                       AND dst.lot_id IS NOT NULL
                      JOIN stock_location dst_src
                        ON dst_src.id = dst.location_id AND dst_src.usage = 'production'
                     WHERE anchor_move.id = anchor.move_id AND anchor_move.unbuild_id IS NOT NULL
                   ) link ON TRUE
        )""",
}

_TRACE_WALK_SQL = {
    direction: "WITH RECURSIVE %s\n"
    "SELECT parent_lot_id, lot_id, ml_id FROM walk WHERE ml_id IS NOT NULL" % cte
    for direction, cte in _WALK_CTE.items()
}


def _locations(usages):
    """Ids of the locations of ``usages`` as an array expression (computed once)."""
    return "ARRAY(SELECT id FROM stock_location WHERE usage IN (%s))" % ", ".join(
        "'%s'" % usage for usage in usages
    )


# One row per (parent lot, lot, MO/unbuild) with the exact quantity of the
# link move lines (in the product's unit), from the edges of the walk.
_LINK_SELECT = """
    SELECT 'link'::text AS kind, e.parent_lot_id, e.lot_id, ml.product_id,
           SUM(ml.quantity_product_uom) AS quantity,
           COALESCE(m.production_id, m.raw_material_production_id) AS production_id,
           COALESCE(m.unbuild_id, m.consume_unbuild_id) AS unbuild_id,
           NULL::integer AS picking_id, NULL::integer AS partner_id,
           NULL::integer AS location_src_id, MIN(ml.%(location)s) AS location_id,
           MAX(ml.date) AS date
      FROM unnest(v_parents, v_lots, v_mls) AS e(parent_lot_id, lot_id, ml_id)
      JOIN stock_move_line ml ON ml.id = e.ml_id
      JOIN stock_move m ON m.id = ml.move_id
     GROUP BY e.parent_lot_id, e.lot_id, ml.product_id,
              COALESCE(m.production_id, m.raw_material_production_id),
              COALESCE(m.unbuild_id, m.consume_unbuild_id)
"""

# Where the lots are now and where they went (downstream) or came from
# (upstream): deliveries to customers, on-hand quants, receipts from vendors,
# transfers between internal locations, for every lot of the walk (``v_all``,
# roots included). The locations are matched inside the lot index.
_MOVE_SELECT = """
    SELECT '%(kind)s'::text AS kind, NULL::integer AS parent_lot_id, ml.lot_id, ml.product_id,
           SUM(ml.quantity_product_uom) AS quantity,
           NULL::integer AS production_id, NULL::integer AS unbuild_id,
           ml.picking_id, COALESCE(p.partner_id, m.partner_id) AS partner_id,
           %(location_src)s AS location_src_id, ml.location_dest_id AS location_id,
           MAX(ml.date) AS date
      FROM stock_move_line ml
      JOIN stock_move m ON m.id = ml.move_id
      LEFT JOIN stock_picking p ON p.id = ml.picking_id
     WHERE ml.lot_id = ANY(v_all) AND ml.state = 'done'
       AND %(where)s
     GROUP BY ml.lot_id, ml.product_id, ml.picking_id, COALESCE(p.partner_id, m.partner_id),
              ml.location_id, ml.location_dest_id
"""
_STOCK_SELECT = """
    SELECT 'stock'::text AS kind, NULL::integer AS parent_lot_id, q.lot_id, q.product_id,
           SUM(q.quantity) AS quantity, NULL::integer AS production_id,
           NULL::integer AS unbuild_id, NULL::integer AS picking_id,
           NULL::integer AS partner_id, NULL::integer AS location_src_id, q.location_id,
           NULL::timestamp AS date
      FROM stock_quant q
     WHERE q.lot_id = ANY(v_all) AND q.location_id = ANY(%(internal)s)
     GROUP BY q.lot_id, q.product_id, q.location_id
    HAVING SUM(q.quantity) > 0
""" % {"internal": _locations(["internal", "transit"])}
_WHEREABOUTS = {
    "upstream": [
        _MOVE_SELECT
        % {
            "kind": "receipt",
            "location_src": "NULL::integer",
            "where": "ml.location_id = ANY(%s)" % _locations(["supplier"]),
        },
    ],
    "downstream": [
        _MOVE_SELECT
        % {
            "kind": "transfer",
            "location_src": "ml.location_id",
            "where": "ml.location_id = ANY(%s) AND ml.location_dest_id = ANY(%s)"
            % (_locations(["internal", "transit"]), _locations(["internal", "transit"])),
        },
        _MOVE_SELECT
        % {
            "kind": "delivery",
            "location_src": "NULL::integer",
            "where": "ml.location_dest_id = ANY(%s)" % _locations(["customer"]),
        },
        _STOCK_SELECT,
    ],
}


# The graph of one direction: the walk's edges into arrays, then the links
# with their quantities and the whereabouts of every lot, with the units.
def _graph_body(direction, selects):
    """Body of a function walking ``direction`` and returning the rows of ``selects``."""
    return """
    DECLARE
        v_parents integer[];
        v_lots integer[];
        v_mls integer[];
        v_products integer[];
        v_all integer[];
    BEGIN
        WITH RECURSIVE %(walk)s
        SELECT array_agg(e.parent_lot_id), array_agg(e.lot_id), array_agg(e.ml_id),
               array_agg(e.product_id)
          INTO v_parents, v_lots, v_mls, v_products
          FROM (SELECT DISTINCT parent_lot_id, lot_id, ml_id, product_id FROM walk
                 WHERE ml_id IS NOT NULL) e;
        v_all := ARRAY(SELECT DISTINCT x FROM unnest(p_lot_ids || v_lots) AS x);
        RETURN QUERY
        SELECT g.*, pt.uom_id AS uom
          FROM (%(selects)s) g
          JOIN product_product pp ON pp.id = g.product_id
          JOIN product_template pt ON pt.id = pp.product_tmpl_id;
    END
    """ % {
        "walk": _WALK_CTE[direction].replace("%(lot_ids)s::integer[]", "p_lot_ids"),
        "selects": "\nUNION ALL\n".join(selects),
    }


_TRACE_GRAPH_BODY = {
    direction: _graph_body(
        direction,
        [
            _LINK_SELECT
            % {"location": "location_id" if direction == "upstream" else "location_dest_id"}
        ]
        + _WHEREABOUTS[direction],
    )
    for direction in _WALK_CTE
}

# The recall impact of lots: every lot downstream, where each is on hand, who
# received it and its open (not done) move lines. Unlike the downstream graph,
# it needs neither the quantities of the links nor the transfers between
# internal locations: a component lot used by thousands of finished lots
# reaches tens of thousands of lots, each moved several times. A link row
# carries the product of the lot it reaches (the recall lists every lot).
_IMPACT_LINK_SELECT = """
    SELECT 'link'::text AS kind, e.parent_lot_id, e.lot_id, e.product_id,
           NULL::numeric AS quantity, NULL::integer AS production_id,
           NULL::integer AS unbuild_id, NULL::integer AS picking_id,
           NULL::integer AS partner_id, NULL::integer AS location_src_id,
           NULL::integer AS location_id, NULL::timestamp AS date
      FROM (SELECT DISTINCT parent_lot_id, lot_id, product_id
              FROM unnest(v_parents, v_lots, v_products) AS e(parent_lot_id, lot_id, product_id)) e
"""
# Open move lines of the lots (reserved or in progress), found in the partial
# index on not-done move lines by lot (``stock_move_line._med_open_lot_index``).
_OPEN_SELECT = """
    SELECT 'open'::text AS kind, NULL::integer AS parent_lot_id, ml.lot_id, ml.product_id,
           ml.quantity_product_uom AS quantity, m.raw_material_production_id AS production_id,
           NULL::integer AS unbuild_id, ml.picking_id, p.partner_id,
           NULL::integer AS location_src_id, ml.location_id, ml.date
      FROM stock_move_line ml
      LEFT JOIN stock_move m ON m.id = ml.move_id
      LEFT JOIN stock_picking p ON p.id = ml.picking_id
     WHERE ml.lot_id = ANY(v_all) AND (ml.state IS NULL OR ml.state NOT IN ('done', 'cancel'))
"""
_TRACE_IMPACT_BODY = {
    "downstream": _graph_body(
        "downstream",
        [_IMPACT_LINK_SELECT]
        + [select for select in _WHEREABOUTS["downstream"] if "'transfer'" not in select]
        + [_OPEN_SELECT],
    )
}

# The size of a genealogy, counted no further than a limit. Whether a recall
# runs in the background only depends on whether its genealogy passes the
# threshold: PostgreSQL evaluates a recursive query only as far as its rows are
# fetched, so the count stops at the limit instead of walking the 50,000 lots of
# a component used in thousands of finished lots (which the analysis then walks
# once, in the background).
_TRACE_SIZE_BODY = {
    direction: """
    BEGIN
        RETURN (WITH RECURSIVE %s
                SELECT count(*)::integer
                  FROM (SELECT 1 FROM walk WHERE ml_id IS NOT NULL LIMIT p_limit) found);
    END
    """
    % cte.replace("%(lot_ids)s::integer[]", "p_lot_ids")
    for direction, cte in _WALK_CTE.items()
}

_TRACE_WALK_BODY = {
    direction: """
    BEGIN
        RETURN QUERY %s;
    END
    """
    % sql.replace("%(lot_ids)s::integer[]", "p_lot_ids")
    for direction, sql in _TRACE_WALK_SQL.items()
}

# The two directions are PL/pgSQL functions created by the addon: PostgreSQL
# keeps their (generic) plans for the life of the connection, so a trace costs
# its execution only (planning these statements costs more than running them).
# JIT compilation is off: the generic plan's cost estimate of a recursive walk
# is high enough to trigger it, and compiling costs tens of milliseconds for a
# query that runs in one.
_FUNCTION_COLUMNS = {
    "graph": "kind text, parent_lot_id integer, lot_id integer, product_id integer, "
    "quantity numeric, production_id integer, unbuild_id integer, picking_id integer, "
    "partner_id integer, location_src_id integer, location_id integer, "
    "date timestamp, uom integer",
    "walk": "parent_lot_id integer, lot_id integer, ml_id integer",
}
_FUNCTION_COLUMNS["impact"] = _FUNCTION_COLUMNS["graph"]
_FUNCTION_BODY = {
    "graph": _TRACE_GRAPH_BODY,
    "walk": _TRACE_WALK_BODY,
    "impact": _TRACE_IMPACT_BODY,
    "size": _TRACE_SIZE_BODY,
}
# (argument types, argument declarations, result) of each kind of function
_FUNCTION_SIGNATURE = {
    kind: ("integer[]", "p_lot_ids integer[]", "TABLE(%s)" % columns)
    for kind, columns in _FUNCTION_COLUMNS.items()
}
_FUNCTION_SIGNATURE["size"] = (
    "integer[], integer",
    "p_lot_ids integer[], p_limit integer",
    "integer",
)


def trace_function_name(kind, direction):
    """Name of the SQL function tracing ``direction`` (``kind``: graph, walk, impact or size)."""
    return "med_trace_%s_%s" % (kind, direction)


def _function_ddl(kind, direction):
    """DROP + CREATE of the function tracing ``direction`` (``kind``: graph, walk, impact
    or size)."""
    types, arguments, result = _FUNCTION_SIGNATURE[kind]
    return """
        DROP FUNCTION IF EXISTS %(name)s(%(types)s);
        CREATE FUNCTION %(name)s(%(arguments)s)
        RETURNS %(result)s
        LANGUAGE plpgsql STABLE
        SET plan_cache_mode = force_generic_plan
        SET jit = off
        AS $med_trace$
        #variable_conflict use_column
        %(body)s
        $med_trace$;
    """ % {
        "name": trace_function_name(kind, direction),
        "types": types,
        "arguments": arguments,
        "result": result,
        "body": _FUNCTION_BODY[kind][direction],
    }


def create_trace_functions(cr):
    """Create (or replace) the genealogy functions; called by ``stock.lot.init()``."""
    for kind, bodies in _FUNCTION_BODY.items():
        for direction in bodies:
            cr.execute(_function_ddl(kind, direction))


def drop_trace_functions(cr):
    """Drop the genealogy functions (uninstall)."""
    for kind, bodies in _FUNCTION_BODY.items():
        for direction in bodies:
            name = SQL.identifier(trace_function_name(kind, direction))
            cr.execute(
                SQL("DROP FUNCTION IF EXISTS %s(%s)", name, SQL(_FUNCTION_SIGNATURE[kind][0]))
            )


# the directions a trace can take
TRACE_DIRECTIONS = tuple(_WALK_CTE)
