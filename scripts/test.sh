#!/usr/bin/env bash
# Sets up what is missing and runs every test (unit, real processes, tmux end to end).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/swiftpm-tmp.sh
# Tests also need Mono (the C# article's programs) and an X server with xterm (sixel).
bash scripts/ensure-deps.sh mono-mcs mono-runtime libmono-system-drawing4.0-cil libgdiplus \
    xvfb xterm x11-apps imagemagick xdotool strace
swift build --build-tests
# Every test bounds its own waits; this bounds the whole run.
timeout 2400 swift test
