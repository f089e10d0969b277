#!/usr/bin/env bash
# The Python environment of the peer benchmark (bench/peer.py, bench/plot.py): creates
# $REPO/.venv-bench if missing, with pinned iceoryx2, numpy, xxhash and matplotlib from PyPI.
# Idempotent: a venv that already has exactly these versions is left as it is. Installs
# Debian's python3-venv when `python3 -m venv` lacks ensurepip. Never touches the system
# Python's packages. The last line printed is the venv's python.
# Usage: scripts/bench-peer-env.sh            (PYTHON=/path/to/python3 to choose the base)
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
venv="$repo/.venv-bench"
python="${PYTHON:-python3}"
pins=(iceoryx2==0.10.0 numpy==2.4.6 xxhash==4.1.0 matplotlib==3.11.2)

log() { echo "bench-peer-env: $*" >&2; }

# True when the venv's python runs and has every pinned distribution at its pinned version.
venv_ready() {
    [ -x "$venv/bin/python" ] || return 1
    "$venv/bin/python" - "${pins[@]}" <<'EOF' >/dev/null 2>&1
import sys
from importlib.metadata import version, PackageNotFoundError
for pin in sys.argv[1:]:
    name, want = pin.split("==")
    try:
        if version(name) != want:
            sys.exit(1)
    except PackageNotFoundError:
        sys.exit(1)
import iceoryx2, numpy, xxhash, matplotlib  # noqa: E401,F401 - they import
EOF
}

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

if venv_ready; then
    echo "$venv/bin/python"
    exit 0
fi

command -v "$python" >/dev/null || { log "no $python on PATH"; exit 1; }
"$python" -c 'import sys; sys.exit(sys.version_info < (3, 10))' ||
    { log "$python is older than 3.10"; exit 1; }

# Debian splits ensurepip (and so `python3 -m venv`) into python3-venv / python3.X-venv.
if ! "$python" -c 'import ensurepip, venv' >/dev/null 2>&1; then
    if command -v apt-get >/dev/null; then
        ver="$("$python" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')"
        log "ensurepip missing: installing python3-venv (python$ver-venv)"
        export DEBIAN_FRONTEND=noninteractive
        as_root apt-get update -qq >&2
        as_root apt-get install -y -qq python3-venv >&2 ||
            as_root apt-get install -y -qq "python$ver-venv" >&2
        # python3-venv may be for another minor version than $python: make sure.
        "$python" -c 'import ensurepip' >/dev/null 2>&1 ||
            as_root apt-get install -y -qq "python$ver-venv" >&2 || true
    fi
    "$python" -c 'import ensurepip, venv' >/dev/null 2>&1 ||
        { log "$python has no ensurepip/venv and it could not be installed"; exit 1; }
fi

if [ -d "$venv" ] && [ ! -x "$venv/bin/python" ]; then
    log "removing broken $venv"
    rm -rf "$venv"
fi
if [ ! -x "$venv/bin/python" ]; then
    log "creating $venv"
    "$python" -m venv "$venv" >&2
fi
log "installing ${pins[*]}"
PIP_DISABLE_PIP_VERSION_CHECK=1 "$venv/bin/python" -m pip install -q "${pins[@]}" >&2
venv_ready || { log "the venv at $venv is still incomplete after pip install"; exit 1; }
echo "$venv/bin/python"
