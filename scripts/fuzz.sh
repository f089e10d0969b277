#!/usr/bin/env bash
# Coverage-guided fuzzing (libFuzzer + AddressSanitizer) of what reads untrusted bytes:
#   frame    the ImageData frame decoder (BlobCodec)
#   segment  segment header and slot validation on a mapped file (SharedMemory)
#   image    the PNG and JPEG decode paths of the previews (CImage, libpng, TurboJPEG)
#   article  the C# article's layout (--layout article): frame/record reads (BlobTransfer)
# Usage: scripts/fuzz.sh [frame|segment|image|article|all] [SECONDS per target, default 60]
#        FUZZ_RUNS=N runs N executions per target instead of a time.
# Crashes are written to .build-fuzz/artifacts/ and make the script fail; keep each one
# as a regression input under Tests/Fixtures/fuzz/TARGET/ (the tests replay them).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/swiftpm-tmp.sh
target="${1:-all}"
seconds="${2:-60}"
out=.build-fuzz
R=$out/release
mkdir -p "$out/artifacts"

build_swift() {  # module harness binary
    local modules=$1 harness=$2 binary=$3
    for m in $modules; do
        case "$m" in C*|SystemPackage) ;; *) swift build -c release --sanitize fuzzer --sanitize address \
            --scratch-path "$out" --target "$m" >/dev/null ;; esac
    done
    local objs=() flags=()
    for m in $modules; do objs+=("$R/$m.build/"*.o); done
    for c in CAtomics CBlobSegment CBlobMutex CCrypto; do
        flags+=(-Xcc "-fmodule-map-file=$R/$c.build/module.modulemap" -Xcc -I -Xcc "Sources/$c/include")
    done
    flags+=(-Xcc -fmodule-map-file=Sources/CXXHash/module.modulemap)
    flags+=(-Xcc "-fmodule-map-file=$out/checkouts/swift-system/Sources/CSystem/include/module.modulemap")
    swiftc -O -sanitize=fuzzer,address -parse-as-library -I "$R/Modules" "${flags[@]}" "$harness" "${objs[@]}" \
        -lxxhash -o "$binary" 2>&1 | grep -v "Cannot export local symbol" || true
}

seed() {  # target corpus-dir
    local t=$1 dir=$2
    mkdir -p "$dir"
    case "$t" in
        frame) cp Tests/Fixtures/fuzz/frame/* "$dir/" 2>/dev/null || true ;;
        segment)
            swift build --product blob-writer >/dev/null
            local tmp; tmp=$(mktemp -d)
            for cap in 1400 3000 4000; do
                .build/debug/blob-writer put Assets/sunset.png --file "$tmp/s$cap" --capacity "$cap" >/dev/null
                cp "$tmp/s$cap" "$dir/seed-$cap"
            done
            rm -rf "$tmp"
            cp Tests/Fixtures/fuzz/segment/* "$dir/" 2>/dev/null || true ;;
        article)
            swift build --product blob-writer >/dev/null
            local tmp; tmp=$(mktemp -d)
            .build/debug/blob-writer put Assets/sunset.png --file "$tmp/a" --layout article --capacity 2000 >/dev/null
            head -c 64 /dev/zero > "$tmp/r" && chmod 600 "$tmp/r"
            .build/debug/blob-writer put-struct --file "$tmp/r" --layout article >/dev/null
            cp "$tmp/a" "$dir/seed-frame"; cp "$tmp/r" "$dir/seed-record"
            rm -rf "$tmp"
            cp Tests/Fixtures/fuzz/article/* "$dir/" 2>/dev/null || true ;;
        image)
            cp Assets/*.png Assets/*.jpg Tests/Fixtures/pngsuite/*.png "$dir/"
            cp Tests/Fixtures/fuzz/image/* "$dir/" 2>/dev/null || true ;;
    esac
}

run() {  # target binary max_len
    local t=$1 binary=$2 max_len=$3 corpus="$out/corpus/$1"
    seed "$t" "$corpus"
    local limit=(-max_total_time="$seconds")
    [ -n "${FUZZ_RUNS:-}" ] && limit=(-runs="$FUZZ_RUNS")
    echo "== fuzz $t (${FUZZ_RUNS:-$seconds s})"
    local log="$out/$t.log" status=0
    "$binary" "${limit[@]}" -max_len="$max_len" -print_final_stats=1 -rss_limit_mb=2048 -timeout=25 \
        -artifact_prefix="$out/artifacts/$t-" "$corpus" >"$log" 2>&1 || status=$?
    local runs slowest
    runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo "?")
    slowest=$(grep -o 'stat::slowest_unit_time_sec: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo "?")
    local crashes; crashes=$(ls "$out/artifacts/$t-"* 2>/dev/null | wc -l)
    echo "   executions: $runs   crashes: $crashes   slowest input: ${slowest} s   corpus: $(ls "$corpus" | wc -l) inputs"
    if [ "$status" -ne 0 ] || [ "$crashes" -ne 0 ]; then
        tail -30 "$log"
        echo "fuzz $t FAILED: inputs in $out/artifacts/" >&2
        return 1
    fi
}

failed=0
if [ "$target" = all ] || [ "$target" = frame ]; then
    build_swift "BlobCodec" Fuzz/FrameFuzz.swift "$out/fuzz-frame"
    run frame "$out/fuzz-frame" 4096 || failed=1
fi
if [ "$target" = all ] || [ "$target" = segment ]; then
    build_swift "SharedMemory Platform Hashing SafeText CAtomics CCrypto CBlobMutex CBlobSegment SystemPackage CSystem" \
        Fuzz/SegmentFuzz.swift "$out/fuzz-segment"
    run segment "$out/fuzz-segment" 16384 || failed=1
fi
if [ "$target" = all ] || [ "$target" = image ]; then
    # shellcheck disable=SC2046
    clang -O1 -g -fsanitize=fuzzer,address -I Sources/CImage/include Fuzz/image_fuzz.c Sources/CImage/cimage.c \
        $(pkg-config --cflags --libs libpng libturbojpeg libjpeg) -lpthread -o "$out/fuzz-image" 2>&1 \
        | grep -v "Cannot export local symbol" || true
    run image "$out/fuzz-image" 65536 || failed=1
fi
if [ "$target" = all ] || [ "$target" = article ]; then
    build_swift "BlobTransfer SharedRecords BlobCodec SharedMemory Platform Hashing SafeText CAtomics CCrypto CBlobMutex CBlobSegment SystemPackage CSystem" \
        Fuzz/ArticleFuzz.swift "$out/fuzz-article"
    run article "$out/fuzz-article" 16384 || failed=1
fi
exit $failed
