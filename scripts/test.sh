#!/usr/bin/env bash
# med-aps test command (README "Test it"; .ci/run runs exactly this).
#
#   bash scripts/test.sh
#   bash scripts/test.sh --which-odoo    only step 3: print the Odoo line or the skip line
#
# 1. tools venv (.venv): the engine with its test extras, ruff, pylint-odoo
# 2. quality gates: ruff check, ruff format --check, pylint-odoo (.pylintrc),
#    scripts/check_addons.py (XML well-formed, manifest keys, named files exist)
# 3. Odoo 19 discovery (ODOO_BIN, ODOO_PYTHON; see scripts/odoo_env.py); with
#    MEDAPS_FETCH_ODOO=1 and none found, Odoo 19 is downloaded (scripts/fetch_odoo.py)
# 4. with Odoo: engine + OCA addons (odoo-addons.txt) into Odoo's Python,
#    PostgreSQL up, throwaway database, every addon of addons/ installed with demo
#    data, a copy kept for step 5, the test addons installed, their tests run in a
#    second start, database dropped
# 5. pytest: tests/ (engine, foundation, and end-to-end tests against a real Odoo
#    server when Odoo was found, on a copy of step 4's database; skipped otherwise)
# Exit status is non-zero when any step failed; the last lines are pytest's closing
# line and the Odoo line ("odoo: N passed, N failed" or "ODOO TESTS SKIPPED: ...").
#
# Environment: ODOO_BIN, ODOO_PYTHON, MEDAPS_FETCH_ODOO, MEDAPS_ODOO_SOURCE,
# MEDAPS_ODOO_CACHE, PGHOST, PGPORT, PGUSER, PGPASSWORD,
# MEDAPS_VENV (tools venv, default .venv), PYTHON (creates the venv, default python3),
# MEDAPS_DB_PREFIX (throwaway databases <prefix>_ci_* and <prefix>_e2e_*, default medaps),
# MEDAPS_HTTP_PORTS (e.g. 8300-8319: ports the Odoo servers may use, default any free one).
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
WORK="$ROOT/.ci/work"
mkdir -p "$WORK"
export PIP_DISABLE_PIP_VERSION_CHECK=1
export PYTHONDONTWRITEBYTECODE=1
export PGHOST=${PGHOST:-127.0.0.1}
export PGPORT=${PGPORT:-5432}
export PGUSER=${PGUSER:-odoo}
export PGPASSWORD=${PGPASSWORD:-odoo}

FAILED=()
START=$(date +%s)
CI_DB=""
CI_DATA_DIR=""
E2E_TEMPLATE_DB=""
cleanup() {
    # drop the throwaway database even when the run is interrupted
    if [ -n "$CI_DB" ]; then
        "$ODOO_PY" scripts/pgtool.py drop "$CI_DB" >/dev/null 2>&1 || echo "could not drop $CI_DB"
        rm -rf "${CI_DATA_DIR:?}/filestore/$CI_DB"
        CI_DB=""
    fi
}
drop_e2e_template() {
    # the installed database the end-to-end tests copied, kept until they have run
    if [ -n "$E2E_TEMPLATE_DB" ]; then
        "$ODOO_PY" scripts/pgtool.py drop "$E2E_TEMPLATE_DB" >/dev/null 2>&1 ||
            echo "could not drop $E2E_TEMPLATE_DB"
        rm -rf "${CI_DATA_DIR:?}/filestore/$E2E_TEMPLATE_DB"
        E2E_TEMPLATE_DB=""
    fi
}
trap 'cleanup; drop_e2e_template' EXIT
trap 'echo "interrupted"; exit 130' INT TERM
section() { printf '\n==== %s (%ss) ====\n' "$*" "$(($(date +%s) - START))"; }
failed() {
    FAILED+=("$1")
    echo "FAILED: $1"
}

# Step 3, also run alone by --which-odoo: sets ODOO_FOUND, ODOO_LAUNCHER, ODOO_PY,
# ODOO_VERSION, ADDONS, TEST_ADDONS and ODOO_LINE (the skip line when Odoo is not usable).
# $1: a Python 3.10+ to run the standard-library helper scripts with.
odoo_discovery() {
    local py=$1
    ODOO_FOUND=0
    ODOO_SKIP_REASON="the Odoo discovery (scripts/odoo_env.py) failed"
    ODOO_LAUNCHER="" ODOO_PY="" ODOO_VERSION=""
    eval "$("$py" scripts/odoo_env.py --shell)"
    if [ "$ODOO_FOUND" != 1 ] && [ "${MEDAPS_FETCH_ODOO:-0}" = 1 ]; then
        FETCH_OK=0 FETCH_BIN="" FETCH_PYTHON=""
        FETCH_ERROR="the Odoo download (scripts/fetch_odoo.py) failed"
        eval "$("$py" scripts/fetch_odoo.py --shell --python "${PYTHON:-python3}")"
        if [ "$FETCH_OK" = 1 ]; then
            export ODOO_BIN="$FETCH_BIN" ODOO_PYTHON="$FETCH_PYTHON"
            eval "$("$py" scripts/odoo_env.py --shell)"
        else
            # one line, the skip line: the download is optional
            ODOO_SKIP_REASON="$FETCH_ERROR"
        fi
    fi
    ADDONS=$("$py" scripts/odoo_env.py --addons)
    # test-only addons (tests/odoo_addons) are installed and tested beside them
    TEST_ADDONS=$("$py" scripts/odoo_env.py --test-addons)
    ODOO_LINE=""
    if [ "$ODOO_FOUND" = 1 ] && [ -z "$ADDONS" ]; then
        ODOO_FOUND=0
        ODOO_SKIP_REASON="no installable addon in addons/"
    fi
    if [ "$ODOO_FOUND" = 1 ]; then
        echo "Odoo $ODOO_VERSION: $ODOO_LAUNCHER (Python: $ODOO_PY)"
        export ODOO_BIN="$ODOO_LAUNCHER" ODOO_PYTHON="$ODOO_PY"
    else
        ODOO_LINE="ODOO TESTS SKIPPED: $ODOO_SKIP_REASON — only the engine tests ran"
        echo "$ODOO_LINE"
        export MEDAPS_ODOO_SKIP_REASON="$ODOO_SKIP_REASON"
    fi
}

if [ "${1:-}" = --which-odoo ]; then
    odoo_discovery "${PYTHON:-python3}"
    exit 0
elif [ $# -gt 0 ]; then
    echo "usage: bash scripts/test.sh [--which-odoo]"
    exit 2
fi

# ---------------------------------------------------------------- 1. tools venv
section "tools venv"
VENV=${MEDAPS_VENV:-$ROOT/.venv}
BASE_PY=${PYTHON:-python3}
# pinned: the gates must judge the same way on every machine
TOOLS=(ruff==0.17.6 pylint-odoo==10.0.12 pyyaml polib)
if [ -e "$VENV" ] && ! "$VENV/bin/python" -c "import sys" >/dev/null 2>&1; then
    echo "$VENV is broken: recreating it"
    rm -rf "$VENV"
fi
if [ ! -x "$VENV/bin/python" ]; then
    if ! "$BASE_PY" -m venv "$VENV" 2>"$WORK/venv.err"; then
        if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
            echo "python venv module missing: installing python3-venv"
            DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
            DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null
            rm -rf "$VENV"
            "$BASE_PY" -m venv "$VENV"
        else
            cat "$WORK/venv.err"
        fi
    fi
fi
if [ ! -x "$VENV/bin/python" ]; then
    echo "cannot create the tools venv at $VENV (is python3-venv installed?)"
    exit 1
fi
PY="$VENV/bin/python"
STAMP_WANT=$(cat pyproject.toml <(printf '%s\n' "${TOOLS[@]}") | sha256sum | cut -c1-16)
if [ "$(cat "$VENV/.medaps-stamp" 2>/dev/null)" != "$STAMP_WANT" ]; then
    echo "installing the engine (editable, with test extras) and ${TOOLS[*]} into $VENV"
    if ! "$PY" -m pip install -q -e ".[test]" "${TOOLS[@]}" >"$WORK/pip-venv.log" 2>&1; then
        tail -30 "$WORK/pip-venv.log"
        echo "pip install into the tools venv failed"
        exit 1
    fi
    echo "$STAMP_WANT" >"$VENV/.medaps-stamp"
else
    echo "reusing $VENV"
fi

# ---------------------------------------------------------------- 2. quality gates
section "quality gates"
"$VENV/bin/ruff" check --no-cache . || failed "ruff check"
"$VENV/bin/ruff" format --no-cache --check . || failed "ruff format --check"
mapfile -t ADDON_DIRS < <(find addons -mindepth 2 -maxdepth 2 -name __manifest__.py -printf '%h\n' 2>/dev/null | sort)
if [ "${#ADDON_DIRS[@]}" -gt 0 ]; then
    "$VENV/bin/pylint" --rcfile=.pylintrc --output-format=text "${ADDON_DIRS[@]}" \
        && echo "pylint-odoo: ${#ADDON_DIRS[@]} addon(s) OK" || failed "pylint-odoo"
else
    echo "pylint-odoo: no addon in addons/"
fi
"$PY" scripts/check_addons.py || failed "check_addons (XML / manifests)"

# ---------------------------------------------------------------- 3. Odoo discovery
section "Odoo discovery"
odoo_discovery "$PY"

# ---------------------------------------------------------------- 4. Odoo tests
run_odoo_tests() {
    section "Odoo: engine and OCA addons into Odoo's Python"
    bash scripts/odoo_python_deps.sh "$ODOO_PY" || return 1

    section "Odoo: PostgreSQL"
    bash scripts/ensure_postgres.sh "$ODOO_PY" || return 1

    # Lot release freezes the Device History Record as a PDF (Odoo renders PDFs with
    # wkhtmltopdf) and the browser tours drive Chromium: the official odoo image ships the
    # first, a bare Debian machine gets both from Debian's packages.
    needed_for() {
        # the demo data releases lots, which renders their DHR as a PDF
        [ "$1" = wkhtmltopdf ] && echo "installing the demo data will fail" ||
            echo "the tests needing it will be skipped"
    }
    local tool
    for tool in wkhtmltopdf chromium; do
        command -v "$tool" >/dev/null 2>&1 && continue
        if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
            echo "$tool missing: installing Debian's package"
            DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null 2>&1
            DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$tool" >/dev/null 2>&1 ||
                echo "WARNING: could not install $tool: $(needed_for "$tool")"
        else
            echo "WARNING: $tool not found: $(needed_for "$tool")"
        fi
    done

    # the screenshots of the Chinese screens need a CJK font in the headless browser
    if ! fc-list :lang=zh 2>/dev/null | grep -q . && [ "$(id -u)" = 0 ] &&
        command -v apt-get >/dev/null 2>&1; then
        echo "no Chinese font: installing Debian's fonts-noto-cjk for the screenshots"
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-noto-cjk >/dev/null 2>&1 ||
            echo "WARNING: could not install fonts-noto-cjk: Chinese screenshots show boxes"
    fi

    section "Odoo: install $ADDONS with demo data"
    local db port tags log conf data_dir rc template
    db="$("$PY" scripts/odoo_env.py --db-prefix)_ci_$(date +%s)_$RANDOM" || return 1
    port=$("$PY" scripts/odoo_env.py --free-port)
    tags=$(echo "$ADDONS${TEST_ADDONS:+,$TEST_ADDONS}" | sed 's/^/\//; s/,/,\//g')
    log="$WORK/odoo-tests.log"
    data_dir="$WORK/odoo-data"
    conf="$WORK/odoo-tests.conf"
    printf '[options]\ndata_dir = %s\n' "$data_dir" >"$conf"
    CI_DB="$db"
    CI_DATA_DIR="$data_dir"
    echo "database $db, http port $port, log $log"
    local odoo=(env "PYTHONPATH=$ROOT${PYTHONPATH:+:$PYTHONPATH}"
        "$ODOO_PY" "$ODOO_LAUNCHER" --config "$conf" -d "$db"
        --db_host "$PGHOST" --db_port "$PGPORT" --db_user "$PGUSER" --db_password "$PGPASSWORD"
        --workers 0 --max-cron-threads 0 --stop-after-init)
    # installed first, tested in a second start (which runs each addon's at-install tests
    # as it loads, then the post-install ones): the installed database is the end-to-end
    # tests' too (installing it twice took about 3.5 minutes of the 30)
    rc=0
    timeout "${MEDAPS_ODOO_TEST_TIMEOUT:-1500}" "${odoo[@]}" --addons-path "$ROOT/addons" \
        -i "$ADDONS" --with-demo --no-http --log-level=warn </dev/null >"$log" 2>&1 || rc=$?
    if [ "$rc" = 0 ] && ! grep -qE '^[0-9-]+ [0-9:,]+ [0-9]+ (ERROR|CRITICAL) ' "$log"; then
        template="${db/_ci_/_e2e_}_template"
        if "$ODOO_PY" scripts/pgtool.py copy "$db" "$template"; then
            E2E_TEMPLATE_DB="$template"
            if [ ! -d "$data_dir/filestore/$db" ] ||
                cp -a "$data_dir/filestore/$db" "$data_dir/filestore/$template"; then
                export MEDAPS_E2E_TEMPLATE_DB="$template"
                export MEDAPS_E2E_TEMPLATE_FILESTORE="$data_dir/filestore/$template"
                echo "the end-to-end tests start from a copy of it: $template"
            else
                # without all its files the copy is no installed database: they install one
                drop_e2e_template
            fi
        fi
    fi
    if [ "$rc" = 0 ] && [ -n "$TEST_ADDONS" ]; then
        section "Odoo: install the test addons $TEST_ADDONS"
        timeout 600 "${odoo[@]}" --addons-path "$ROOT/addons,$ROOT/tests/odoo_addons" \
            -i "$TEST_ADDONS" --with-demo --no-http --log-level=warn </dev/null >>"$log" 2>&1 ||
            rc=$?
    fi
    if [ "$rc" = 0 ]; then
        section "Odoo: run the tests of $ADDONS${TEST_ADDONS:+,$TEST_ADDONS}"
        timeout "${MEDAPS_ODOO_TEST_TIMEOUT:-1500}" "${odoo[@]}" \
            --addons-path "$ROOT/addons,$ROOT/tests/odoo_addons" --test-enable \
            --test-tags "$tags" --http-interface 127.0.0.1 --http-port "$port" \
            --log-level=test </dev/null >>"$log" 2>&1 || rc=$?
    fi
    cleanup
    local verdict=0
    "$PY" scripts/odoo_log.py "$log" >"$WORK/odoo-summary.txt" || verdict=$?
    cat "$WORK/odoo-summary.txt"
    ODOO_LINE=$(tail -1 "$WORK/odoo-summary.txt")
    if [ "$rc" != 0 ]; then
        echo "Odoo exited with status $rc (full log: $log)"
        [ "$rc" = 124 ] && echo "Odoo tests timed out"
        return 1
    fi
    return "$verdict"
}

if [ "$ODOO_FOUND" = 1 ]; then
    run_odoo_tests || {
        failed "Odoo addon tests"
        [ -n "$ODOO_LINE" ] || ODOO_LINE="odoo: 0 passed, 1 failed"
    }
fi

# ---------------------------------------------------------------- 5. pytest
section "pytest (engine, foundation, end-to-end)"
prc=0
# the slowest tests are listed: the run must stay well inside its 30 minutes
"$PY" -m pytest -p no:cacheprovider --durations=20 tests || prc=$?
case "$prc" in
    0) ;;
    5) failed "pytest collected no test" ;;
    *) failed "pytest (exit $prc)" ;;
esac

# ---------------------------------------------------------------- summary
section "summary"
if [ "${#FAILED[@]}" -gt 0 ]; then
    printf 'failed step: %s\n' "${FAILED[@]}"
fi
echo "$ODOO_LINE"
[ "${#FAILED[@]}" -eq 0 ]
