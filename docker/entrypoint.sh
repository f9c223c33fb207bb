#!/bin/bash
# Entrypoint of the med-aps image: on the first start, create the database $MEDAPS_DB
# with the addons $MEDAPS_ADDONS and their demo data, then hand over to the official
# image's entrypoint (/entrypoint.sh), which starts the Odoo server.
set -euo pipefail

DB=${MEDAPS_DB:-medaps}
ADDONS=${MEDAPS_ADDONS:-med_aps,med_trace,med_quality_release,med_change,maintenance,hr_skills,purchase_stock,sale_mrp}
DB_HOST=${HOST:-db}
DB_PORT=${PORT:-5432}
DB_USER=${USER:-odoo}
DB_PASSWORD=${PASSWORD:-odoo}

# The master password is not part of the mounted configuration: odoo-conf.sh writes the
# configuration Odoo runs with into the data volume (see config/odoo.conf).
/usr/local/bin/med-aps-odoo-conf.sh /etc/odoo/odoo.conf /var/lib/odoo/odoo.conf \
    /var/lib/odoo/master-password
export ODOO_RC=/var/lib/odoo/odoo.conf

initialised() {
    PGPASSWORD="$DB_PASSWORD" psql -h "$DB_HOST" -p "$DB_PORT" -U "$DB_USER" -d "$DB" -tAq \
        -c "SELECT count(*) FROM ir_module_module WHERE name = 'med_aps' AND state = 'installed'" \
        2>/dev/null | grep -qx 1
}

case "${1:-odoo}" in
    odoo | -*)
        wait-for-psql.py --db_host "$DB_HOST" --db_port "$DB_PORT" --db_user "$DB_USER" \
            --db_password "$DB_PASSWORD" --timeout=60
        if ! initialised; then
            echo "med-aps: creating database $DB with $ADDONS and demo data (first start)"
            /entrypoint.sh odoo -d "$DB" -i "$ADDONS" --with-demo --stop-after-init --no-http
            echo "med-aps: database $DB ready; starting Odoo on port 8069 (admin / admin)"
        fi
        ;;
esac
exec /entrypoint.sh "$@"
