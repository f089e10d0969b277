#!/usr/bin/env bash
# Builds the DocC documentation of the three library products (BlobCodec, SharedMemory,
# BlobTransfer) with swift-docc-plugin; fails on any DocC warning. The archives land in
# .build/plugins/Swift-DocC/outputs/TARGET.doccarchive.
# Usage: scripts/docs.sh [TARGET ...]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/swiftpm-tmp.sh
bash scripts/ensure-deps.sh
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(BlobCodec SharedMemory BlobTransfer)
log=$(mktemp)
trap 'rm -f "$log"; swiftpm_tmp_cleanup' EXIT
status=0
for t in "${targets[@]}"; do
    swift package generate-documentation --target "$t" > "$log" 2>&1 || { cat "$log"; exit 1; }
    warnings=$(grep -c "^warning:" "$log" || true)
    echo "DocC $t: $warnings warnings"
    if [ "$warnings" -gt 0 ]; then grep -A3 "^warning:" "$log"; status=1; fi
done
exit $status
