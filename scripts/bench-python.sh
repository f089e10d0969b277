#!/usr/bin/env bash
# The Python benchmark: sharedblob (this engine through its Python package) against
# iceoryx2's Python binding and multiprocessing.shared_memory + a pipe, every process a
# Python one, ratios measured in one run (docs/performance.md, "From Python"). Makes the
# private virtual environment .venv-bench (scripts/bench-peer-env.sh), installs the
# package into it the documented way (scripts/python-install.sh), runs
# `bench/peer.py python-suite`.
# Usage: scripts/bench-python.sh [--runs N] [--rounds N] [--small-rounds N]
set -euo pipefail
cd "$(dirname "$0")/.."
python="$(bash scripts/bench-peer-env.sh | tail -n 1)"
bash scripts/python-install.sh "$(dirname "$(dirname "$python")")" >/dev/null
status=0
"$python" bench/peer.py python-suite "$@" || status=$?
"$python" bench/peer.py cleanup >/dev/null 2>&1 || true
exit "$status"
