#!/usr/bin/env bash
# The preview benchmark: installs jp2a and chafa if missing, builds in release, runs.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/swiftpm-tmp.sh
bash scripts/ensure-deps.sh jp2a chafa time
swift build -c release --product blob-reader >/dev/null
swift build -c release --product blob-bench >/dev/null
.build/release/blob-bench preview "$@"
