"""``med.trace.export`` became ``med.trace.job`` (it also runs recall analyses): keep its
records, their files, messages and followers, and the records that point at the model."""

OLD_MODEL, NEW_MODEL = "med.trace.export", "med.trace.job"
OLD_TABLE, NEW_TABLE = "med_trace_export", "med_trace_job"
# the columns naming a model, outside the job's own table
MODEL_COLUMNS = (
    ("ir_model", "model"),
    ("ir_model_fields", "model"),
    ("ir_model_fields", "relation"),
    ("ir_model_data", "model"),
    ("ir_ui_view", "model"),
    ("ir_act_window", "res_model"),
    ("ir_attachment", "res_model"),
    ("mail_message", "model"),
    ("mail_followers", "res_model"),
    ("mail_activity", "res_model"),
)


def _exists(cr, table):
    cr.execute("SELECT to_regclass(%s)", [table])
    return cr.fetchone()[0] is not None


def migrate(cr, version):
    if not version or not _exists(cr, OLD_TABLE):
        return
    cr.execute(f'ALTER TABLE "{OLD_TABLE}" RENAME TO "{NEW_TABLE}"')
    cr.execute(f'ALTER SEQUENCE IF EXISTS "{OLD_TABLE}_id_seq" RENAME TO "{NEW_TABLE}_id_seq"')
    # indexes and constraints keep their names when a table is renamed: Odoo would create
    # its own again under the new ones beside them
    cr.execute(
        "SELECT indexname FROM pg_indexes WHERE tablename = %s AND indexname LIKE %s",
        [NEW_TABLE, OLD_TABLE + "%"],
    )
    for (name,) in cr.fetchall():
        cr.execute(f'ALTER INDEX "{name}" RENAME TO "{NEW_TABLE}{name[len(OLD_TABLE) :]}"')
    cr.execute(
        "SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass AND conname LIKE %s",
        [NEW_TABLE, OLD_TABLE + "%"],
    )
    for (name,) in cr.fetchall():
        cr.execute(
            f'ALTER TABLE "{NEW_TABLE}" RENAME CONSTRAINT "{name}" '
            f'TO "{NEW_TABLE}{name[len(OLD_TABLE) :]}"'
        )
    for table, column in MODEL_COLUMNS:
        if _exists(cr, table):
            cr.execute(
                f'UPDATE "{table}" SET "{column}" = %s WHERE "{column}" = %s',
                [NEW_MODEL, OLD_MODEL],
            )
    # the external ids of the model, its fields, views, action, menu, rules, access rights
    # and scheduled actions follow the new name (also those other modules derive from the
    # model's name, e.g. the mail.thread inheritance recorded by portal or sms)
    cr.execute(
        "UPDATE ir_model_data SET name = replace(name, %s, %s) WHERE name LIKE %s",
        [OLD_TABLE, NEW_TABLE, "%" + OLD_TABLE + "%"],
    )
