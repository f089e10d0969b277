#!/usr/bin/env bash
# Sets up what is missing, builds, and hands every image in Assets/ from one process to
# another through shared memory, checking each arrives byte for byte.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh
swift build -c release --product blob-writer >/dev/null
swift build -c release --product blob-reader >/dev/null
bin=.build/release
segment="demo-$$"
out=$(mktemp -d)
trap '"$bin/blob-writer" rm --segment "$segment" >/dev/null 2>&1 || true; rm -rf "$out"' EXIT
for f in Assets/*.png Assets/*.jpg; do
    echo "== $f"
    "$bin/blob-writer" put "$f" --segment "$segment"
    "$bin/blob-reader" get --segment "$segment" --out "$out/received"
    cmp "$f" "$out/received" && echo "identical to the file on disk"
done
"$bin/blob-reader" info --segment "$segment"
