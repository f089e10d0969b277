#!/usr/bin/env bash
# Sets up what is missing and runs every test (unit, real processes, tmux end to end).
set -euo pipefail
cd "$(dirname "$0")/.."
# Tests also need Mono (the C# article's programs, interop tests).
bash scripts/ensure-deps.sh mono-mcs mono-runtime libmono-system-drawing4.0-cil libgdiplus
swift build --build-tests
# Every test bounds its own waits; this bounds the whole run.
timeout 2400 swift test
