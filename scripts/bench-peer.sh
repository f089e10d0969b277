#!/usr/bin/env bash
# The peer benchmark: our engine against iceoryx2 (Python binding) and Python's
# multiprocessing.shared_memory + a pipe, in one run (docs/performance.md, "Against the
# peer"). Makes the private virtual environment .venv-bench (scripts/bench-peer-env.sh),
# builds blob-bench in release, runs `blob-bench peer`; with --growth it also measures
# 4 KiB..256 MiB and 1..8 readers and draws docs/peer-growth.png.
# Usage: scripts/bench-peer.sh [--runs N] [--rounds N] [--growth] [other blob-bench peer options]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/swiftpm-tmp.sh
python="$(bash scripts/bench-peer-env.sh | tail -n 1)"
swift build -c release --static-swift-stdlib --product blob-bench >/dev/null
status=0
.build/release/blob-bench peer --python "$python" --script bench/peer.py "$@" || status=$?
"$python" bench/peer.py cleanup >/dev/null 2>&1 || true
if [ "$status" -eq 0 ] && [[ " $* " == *" --growth "* ]]; then
    "$python" bench/plot.py bench-out/peer-growth.json docs/peer-growth.png
    echo "plot written to docs/peer-growth.png"
fi
exit "$status"
