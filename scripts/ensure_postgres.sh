#!/usr/bin/env bash
# Make sure a PostgreSQL server answers on $PGHOST:$PGPORT and that the role $PGUSER
# can log in and create databases. Used by scripts/test.sh.
#
#   bash scripts/ensure_postgres.sh PYTHON
#
# PYTHON is the interpreter that runs Odoo (it has psycopg2; scripts/pgtool.py uses it).
# When the server is local and down, the local cluster is started (Debian:
# pg_ctlcluster, else `service postgresql start`); when no server is installed and we
# are root with apt-get, Debian's postgresql package is installed first. A missing
# role is created as superuser (Odoo refuses to run as `postgres`), with password
# $PGPASSWORD so that password-checking pg_hba.conf rules work as well as trust.
set -euo pipefail

PY=${1:?usage: ensure_postgres.sh PYTHON}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
export PGHOST=${PGHOST:-127.0.0.1}
export PGPORT=${PGPORT:-5432}
export PGUSER=${PGUSER:-odoo}
export PGPASSWORD=${PGPASSWORD:-odoo}

say() { echo "postgres: $*"; }

ping() {
    local rc=0
    "$PY" "$HERE/pgtool.py" ping 2>"${PG_PING_ERR:-/dev/null}" || rc=$?
    return "$rc"
}

is_local() {
    case "$PGHOST" in
        127.0.0.1 | localhost | ::1 | /*) return 0 ;;
        *) return 1 ;;
    esac
}

as_postgres() {
    if [ "$(id -u)" = 0 ]; then
        if command -v runuser >/dev/null 2>&1; then
            runuser -u postgres -- "$@"
        else
            su postgres -s /bin/sh -c "$(printf '%q ' "$@")"
        fi
    elif [ "$(id -un)" = postgres ]; then
        "$@"
    else
        sudo -n -u postgres "$@"
    fi
}

server_installed() {
    compgen -G "/usr/lib/postgresql/*/bin/postgres" >/dev/null 2>&1
}

install_server() {
    if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
        say "no PostgreSQL server installed and cannot install one (need root and apt-get)"
        return 1
    fi
    say "installing Debian's postgresql package"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    apt-get install -y -qq postgresql >/dev/null
}

start_server() {
    if command -v pg_lsclusters >/dev/null 2>&1; then
        local version
        version=$(pg_lsclusters -h 2>/dev/null | awk -v port="$PGPORT" '$3 == port {print $1; exit}')
        if [ -z "$version" ]; then
            version=$(find /usr/lib/postgresql -mindepth 1 -maxdepth 1 -printf '%f\n' | sort -V | tail -1)
            if ! pg_lsclusters -h 2>/dev/null | awk '{print $1" "$2}' | grep -qx "$version main"; then
                say "creating cluster $version/main on port $PGPORT"
                pg_createcluster --port "$PGPORT" "$version" main >/dev/null
            fi
        fi
        say "starting cluster $version/main"
        pg_ctlcluster --skip-systemctl-redirect "$version" main start 2>/dev/null \
            || pg_ctlcluster "$version" main start 2>/dev/null \
            || service postgresql start
    else
        service postgresql start
    fi
}

wait_for_server() {
    local i rc
    for i in $(seq 1 30); do
        rc=0
        ping || rc=$?
        [ "$rc" != 2 ] && return 0
        sleep 1
    done
    return 1
}

rc=0
ping || rc=$?
if [ "$rc" = 2 ]; then
    if ! is_local; then
        say "nothing answers on $PGHOST:$PGPORT and it is not a local server: start it or set PGHOST/PGPORT"
        exit 1
    fi
    if ! server_installed; then
        install_server
    fi
    start_server || true
    if ! wait_for_server; then
        say "the local server did not start on $PGHOST:$PGPORT"
        exit 1
    fi
    rc=0
    ping || rc=$?
fi
if [ "$rc" = 3 ]; then
    say "role $PGUSER cannot log in or create databases: creating/granting it"
    # as the postgres OS user over the local socket (peer authentication)
    if ! as_postgres env -u PGHOST -u PGUSER -u PGPASSWORD -u PGDATABASE \
        psql -v ON_ERROR_STOP=1 -q -p "$PGPORT" -d postgres <<SQL; then
DO \$\$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$PGUSER') THEN
    CREATE ROLE "$PGUSER" LOGIN SUPERUSER PASSWORD '$PGPASSWORD';
  ELSE
    ALTER ROLE "$PGUSER" LOGIN CREATEDB;
  END IF;
END
\$\$;
SQL
        say "could not create the role $PGUSER (run as root or as postgres)"
        exit 1
    fi
    rc=0
    PG_PING_ERR=/dev/stderr ping || rc=$?
fi
if [ "$rc" != 0 ]; then
    PG_PING_ERR=/dev/stderr ping || true
    say "cannot use PostgreSQL at $PGHOST:$PGPORT as $PGUSER"
    exit 1
fi
say "OK ($PGUSER@$PGHOST:$PGPORT)"
