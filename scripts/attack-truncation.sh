#!/usr/bin/env bash
# Truncates segment files under running readers and writers of the release build, as the
# attack round did: every run must end with an error status, never a signal (135 = SIGBUS).
# Usage: scripts/attack-truncation.sh [ROUNDS, default 50]   (builds the release products)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/swiftpm-tmp.sh
rounds="${1:-50}"
swift build -c release --product blob-writer >/dev/null
swift build -c release --product blob-reader >/dev/null
bin=$(swift build -c release --show-bin-path)
work=$(mktemp -d)
trap 'rm -rf "$work"; swiftpm_tmp_cleanup' EXIT
head -c $((9 * 1024 * 1024)) /dev/urandom > "$work/big.bin"
signals=0
declare -A seen
tally() { seen[$1]=$(( ${seen[$1]:-0} + 1 )); if [ "$1" -ge 128 ]; then signals=$((signals + 1)); fi; }
for ((i = 0; i < rounds; i++)); do
    # The article layout: get/info/compare of a near-capacity frame while the map file shrinks.
    rm -f "$work/map"
    "$bin/blob-writer" put "$work/big.bin" --layout article --file "$work/map" >/dev/null
    for cmd in "get --out /dev/null" "info" "compare"; do
        # shellcheck disable=SC2086
        "$bin/blob-reader" $cmd --layout article --file "$work/map" >/dev/null 2>&1 & pid=$!
        sleep 0.0$((RANDOM % 6 + 1))
        truncate -s 4096 "$work/map"
        set +e; wait "$pid"; st=$?; set -e
        tally "$st"
        "$bin/blob-writer" put "$work/big.bin" --layout article --file "$work/map" >/dev/null 2>&1 || {
            rm -f "$work/map"; "$bin/blob-writer" put "$work/big.bin" --layout article --file "$work/map" >/dev/null; }
    done
    # Our layout: put --file while its segment file shrinks.
    rm -f "$work/seg"
    "$bin/blob-writer" put "$work/big.bin" --file "$work/seg" >/dev/null
    "$bin/blob-writer" put "$work/big.bin" --file "$work/seg" >/dev/null 2>&1 & pid=$!
    sleep 0.0$((RANDOM % 4 + 1))
    truncate -s 4096 "$work/seg"
    set +e; wait "$pid"; st=$?; set -e
    tally "$st"
done
for k in "${!seen[@]}"; do echo "exit $k: ${seen[$k]}"; done | sort -n -k2
echo "$rounds rounds, $((rounds * 4)) runs, $signals ended by a signal"
[ "$signals" -eq 0 ]
