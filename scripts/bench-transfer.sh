#!/usr/bin/env bash
# The transfer benchmark: installs GNU time if missing (peak RSS), builds the three
# executables in release, runs `blob-bench transfer` (README, Performance).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/swiftpm-tmp.sh
bash scripts/ensure-deps.sh time
for product in blob-writer blob-reader blob-bench; do swift build -c release --product "$product" >/dev/null; done
.build/release/blob-bench transfer "$@"
