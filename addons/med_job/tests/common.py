from contextlib import contextmanager
from unittest.mock import patch

from odoo import sql_db
from odoo.tools import SQL

SERIALIZATION_FAILURE = (
    "DO $$ BEGIN RAISE EXCEPTION 'could not serialize access due to concurrent update' "
    "USING ERRCODE = '40001'; END $$"
)


@contextmanager
def serialization_failure_on(*fragments):
    """Every query that contains all ``fragments`` fails as PostgreSQL fails a lock or an
    update of a row another transaction changed after this one's snapshot (SQLSTATE 40001),
    through the cursor's own ``execute``: what it logs is what a real conflict logs."""
    original = sql_db.Cursor.execute

    def execute(cr, query, params=None, log_exceptions=True):
        code = query.code if isinstance(query, SQL) else query
        if all(fragment in code for fragment in fragments):
            query, params = SERIALIZATION_FAILURE, None
        return original(cr, query, params, log_exceptions)

    with patch.object(sql_db.Cursor, "execute", execute):
        yield
