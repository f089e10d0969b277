#!/usr/bin/env bash
# The compare benchmark: ImageMagick and GNU time if missing, pixelmatch and Pillow in a
# virtual environment of its own (.venv-bench-compare), release builds; then the run.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/swiftpm-tmp.sh
bash scripts/ensure-deps.sh imagemagick time python3-venv
if [ ! -x .venv-bench-compare/bin/python ]; then python3 -m venv .venv-bench-compare; fi
.venv-bench-compare/bin/python -c "import pixelmatch, PIL" 2>/dev/null \
    || .venv-bench-compare/bin/pip install --quiet pixelmatch pillow
swift build -c release --product blob-reader >/dev/null
swift build -c release --product blob-bench >/dev/null
.build/release/blob-bench compare --python .venv-bench-compare/bin/python "$@"
