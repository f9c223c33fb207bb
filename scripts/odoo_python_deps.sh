#!/usr/bin/env bash
# Install what the addons need into the Python that runs Odoo. Used by scripts/test.sh.
#
#   bash scripts/odoo_python_deps.sh PYTHON
#
# * med_aps_engine (and so OR-Tools): `pip install .` unless the engine is already an
#   editable install (a developer's `pip install -e`), which is left alone. Odoo is
#   run with the repository first on PYTHONPATH anyway, so the engine of this checkout
#   is the one Odoo imports.
# * the OCA addons listed in odoo-addons.txt: `pip install --no-deps`.
# Debian's system Python refuses pip without --break-system-packages: retried with it.
set -euo pipefail

PY=${1:?usage: odoo_python_deps.sh PYTHON}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
LOG="$ROOT/.ci/work/pip-odoo.log"
mkdir -p "$(dirname "$LOG")"
: >"$LOG"

pip_install() {
    if "$PY" -m pip install -q "$@" >>"$LOG" 2>&1; then
        return 0
    fi
    if grep -q externally-managed-environment "$LOG"; then
        "$PY" -m pip install -q --break-system-packages "$@" >>"$LOG" 2>&1 && return 0
    fi
    tail -20 "$LOG"
    return 1
}

if ! "$PY" -m pip --version >/dev/null 2>&1; then
    echo "the Python that runs Odoo ($PY) has no pip: install python3-pip for it"
    exit 1
fi

engine_state=$(cd / && "$PY" - <<'EOF'
import json
import os
import sysconfig
from importlib import metadata

try:
    dist = metadata.distribution("med-aps-engine")
except metadata.PackageNotFoundError:
    print("missing")
    raise SystemExit(0)
direct = json.loads(dist.read_text("direct_url.json") or "{}")
if direct.get("dir_info", {}).get("editable"):
    print("editable")
    raise SystemExit(0)
try:
    import med_aps_engine
except ImportError:
    print("broken")
    raise SystemExit(0)
where = os.path.realpath(os.path.dirname(med_aps_engine.__file__))
libs = {os.path.realpath(sysconfig.get_path(k)) for k in ("purelib", "platlib")}
# a legacy develop install (egg-link) imports from the source tree, not site-packages
print("installed" if any(where.startswith(lib + os.sep) for lib in libs) else "editable")
EOF
)
case "$engine_state" in
    editable)
        echo "med_aps_engine: editable install present in Odoo's Python, left as is"
        ;;
    *)
        echo "med_aps_engine: pip install . into Odoo's Python ($engine_state before)"
        # build from a copy: setuptools would leave build/ in the work tree
        src=$(mktemp -d)
        cp -r "$ROOT/pyproject.toml" "$ROOT/README.md" "$ROOT/med_aps_engine" "$src/"
        pip_install "$src" || {
            rm -rf "$src"
            echo "installing the engine into Odoo's Python failed (log: $LOG)"
            exit 1
        }
        rm -rf "$src"
        ;;
esac
# the engine's own dependencies must import in Odoo's Python
if ! PYTHONPATH="$ROOT" "$PY" -c "import ortools, med_aps_engine" 2>>"$LOG"; then
    echo "med_aps_engine or ortools does not import in Odoo's Python (log: $LOG)"
    exit 1
fi

mapfile -t OCA < <(sed -e 's/#.*//' -e 's/[[:space:]]*$//' -e '/^[[:space:]]*$/d' "$ROOT/odoo-addons.txt" 2>/dev/null || true)
if [ "${#OCA[@]}" -gt 0 ]; then
    echo "OCA addons (--no-deps): ${OCA[*]}"
    pip_install --no-deps "${OCA[@]}" || {
        echo "installing the OCA addons failed (log: $LOG)"
        exit 1
    }
else
    echo "OCA addons: none listed in odoo-addons.txt"
fi

# Odoo's browser tours (HttpCase.start_tour) drive Chromium through websocket-client;
# without it Odoo silently skips every tour instead of running it.
if ! "$PY" -c "import websocket" >/dev/null 2>&1; then
    echo "websocket-client (for the browser tours) into Odoo's Python"
    pip_install websocket-client || {
        echo "installing websocket-client failed (log: $LOG)"
        exit 1
    }
fi

# Odoo's multi-process server (--workers N) starts its websocket worker with gevent, whose
# monkey-patching loads its plugins through setuptools' pkg_resources. An old setuptools
# (Python 3.11's venv has 65.x) cannot find zope.interface under the normalized name of its
# newer wheels, and recent ones no longer have pkg_resources: the worker dies at each start
# and Odoo starts it again, several times a second, taking a core from everything else.
# setuptools 70-80 serve this gevent.
if "$PY" -c "import gevent" >/dev/null 2>&1 &&
    ! "$PY" -W ignore -c "import gevent.monkey; gevent.monkey.patch_all()" >>"$LOG" 2>&1; then
    echo "setuptools>=70,<81 into Odoo's Python: gevent's monkey-patching fails with its" \
        "setuptools, so Odoo's websocket worker could not start"
    pip_install "setuptools>=70,<81" || {
        echo "installing setuptools failed (log: $LOG)"
        exit 1
    }
fi
