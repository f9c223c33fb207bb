#!/bin/bash
# Write the Odoo configuration the server runs with: the mounted configuration
# (config/odoo.conf, without any admin_passwd line) plus the master password of the
# database manager, which is never committed:
#   * MEDAPS_ADMIN_PASSWD from the environment when set;
#   * else the password kept in PASSWORD_FILE from an earlier start;
#   * else a random one, generated now and kept in PASSWORD_FILE (mode 600).
#
#   odoo-conf.sh SOURCE_CONF TARGET_CONF PASSWORD_FILE
set -euo pipefail

SOURCE=${1:?usage: odoo-conf.sh SOURCE_CONF TARGET_CONF PASSWORD_FILE}
TARGET=${2:?usage: odoo-conf.sh SOURCE_CONF TARGET_CONF PASSWORD_FILE}
PASSWORD_FILE=${3:?usage: odoo-conf.sh SOURCE_CONF TARGET_CONF PASSWORD_FILE}

umask 077
if [ -n "${MEDAPS_ADMIN_PASSWD:-}" ]; then
    master=$MEDAPS_ADMIN_PASSWD
elif [ -s "$PASSWORD_FILE" ]; then
    master=$(head -n 1 "$PASSWORD_FILE")
else
    master=$(python3 -c 'import secrets; print(secrets.token_urlsafe(24))')
    printf '%s\n' "$master" >"$PASSWORD_FILE"
    echo "med-aps: generated the master password of the database manager into $PASSWORD_FILE" >&2
fi
case "$master" in
    *$'\n'* | *$'\r'*)
        echo "med-aps: MEDAPS_ADMIN_PASSWD must be one line" >&2
        exit 2
        ;;
esac

# The configuration has one section ([options]): the password line goes at its end.
grep -v -E '^[[:space:]]*admin_passwd[[:space:]]*=' "$SOURCE" >"$TARGET.tmp"
printf '\nadmin_passwd = %s\n' "$master" >>"$TARGET.tmp"
mv "$TARGET.tmp" "$TARGET"
