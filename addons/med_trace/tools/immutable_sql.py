"""Write-once tables in PostgreSQL: triggers that refuse UPDATE, DELETE and TRUNCATE, so raw
SQL cannot alter a record of the device history or the audit trail either (a superuser can
still disable them: where that matters, the records are also sealed in a hash chain)."""

from odoo.tools import SQL


def reject_changes_in_database(cr, table, function, addon):
    """Create (or replace) ``function``, which raises naming ``addon`` and the table, and the
    triggers ``<table>_immutable_upd_del`` (each row) and ``<table>_immutable_truncate``
    calling it on ``table``."""
    cr.execute(
        SQL(
            """
        CREATE OR REPLACE FUNCTION %s() RETURNS trigger AS $f$
        BEGIN
            RAISE EXCEPTION
                '%s: %% on table %% is forbidden, records are immutable',
                TG_OP, TG_TABLE_NAME
                USING ERRCODE = 'integrity_constraint_violation';
        END;
        $f$ LANGUAGE plpgsql
        """,
            SQL.identifier(function),
            SQL(addon),
        )
    )
    for suffix, event, level in (
        ("upd_del", "UPDATE OR DELETE", "ROW"),
        ("truncate", "TRUNCATE", "STATEMENT"),
    ):
        trigger = SQL.identifier(f"{table}_immutable_{suffix}")
        cr.execute(SQL("DROP TRIGGER IF EXISTS %s ON %s", trigger, SQL.identifier(table)))
        cr.execute(
            SQL(
                "CREATE TRIGGER %s BEFORE %s ON %s FOR EACH %s EXECUTE FUNCTION %s()",
                trigger,
                SQL(event),
                SQL.identifier(table),
                SQL(level),
                SQL.identifier(function),
            )
        )
