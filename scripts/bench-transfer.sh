#!/usr/bin/env bash
# The transfer benchmark: installs GNU time if missing (peak RSS), builds the three
# executables in release, runs `blob-bench transfer` (README, Performance).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/swiftpm-tmp.sh
bash scripts/ensure-deps.sh time
# Static standard library, as scripts/install.sh installs them (it starts faster).
for product in blob-writer blob-reader blob-bench; do swift build -c release --static-swift-stdlib --product "$product" >/dev/null; done
.build/release/blob-bench transfer "$@"
