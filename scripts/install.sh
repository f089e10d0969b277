#!/usr/bin/env bash
# Installs blob-writer and blob-reader: a release build (Swift's standard library linked
# in, so they run without the toolchain), their man pages, bash/zsh/fish completions,
# the C library libsharedblob.so with its header sharedblob.h and pkg-config file, and
# the layout headers, under PREFIX (default ~/.local). Installs missing Debian packages
# first. Every file it writes is listed in PREFIX/share/sharedblob/install-manifest.txt,
# which uninstall reads.
# Usage: scripts/install.sh [--prefix DIR]
#        scripts/install.sh --uninstall [--prefix DIR]   (removes exactly what was installed)
set -euo pipefail
cd "$(dirname "$0")/.."
prefix="$HOME/.local"
uninstall=0
while [ $# -gt 0 ]; do
    case "$1" in
        --prefix) prefix="${2:?--prefix needs a folder}"; shift 2 ;;
        --prefix=*) prefix="${1#--prefix=}"; shift ;;
        --uninstall) uninstall=1; shift ;;
        -h|--help) sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "Error: unknown argument '$1' (see --help)" >&2; exit 64 ;;
    esac
done
mkdir -p "$prefix"
prefix=$(cd "$prefix" && pwd)
manifest="$prefix/share/sharedblob/install-manifest.txt"

if [ "$uninstall" -eq 1 ]; then
    [ -f "$manifest" ] || { echo "Error: nothing installed under $prefix (no $manifest)" >&2; exit 66; }
    # Files first, then the folders the install created, deepest first, if empty.
    created=$(grep '^dir ' "$manifest.dirs" 2>/dev/null | cut -c5- | sort -r || true)
    grep '^file ' "$manifest" | cut -c6- | while IFS= read -r f; do rm -f "$f"; echo "removed $f"; done
    rm -f "$manifest" "$manifest.dirs"
    rmdir "$prefix/share/sharedblob" 2>/dev/null || true
    if [ -n "$created" ]; then
        while IFS= read -r d; do rmdir "$d" 2>/dev/null && echo "removed $d/" || true; done <<< "$created"
    fi
    exit 0
fi

source scripts/swiftpm-tmp.sh
bash scripts/ensure-deps.sh
echo "Building blob-writer and blob-reader (release; a first build takes about 4-5 minutes on 2 cores)..."
swift build -c release --static-swift-stdlib --product blob-writer
swift build -c release --static-swift-stdlib --product blob-reader
bin=$(swift build -c release --static-swift-stdlib --show-bin-path)
echo "Building libsharedblob (release, Swift's runtime linked in)..."
lib_build=(swift build -c release --build-path .build-lib -Xswiftc -static-stdlib --product sharedblob)
"${lib_build[@]}"
lib_bin=$("${lib_build[@]}" --show-bin-path)

files=()
dirs=()
place() {  # mode source destination
    local dir
    dir=$(dirname "$3")
    local d="$dir" missing=()
    while [ ! -d "$d" ]; do missing+=("$d"); d=$(dirname "$d"); done
    mkdir -p "$dir"
    for m in "${missing[@]}"; do dirs+=("$m"); done
    install -m "$1" "$2" "$3"
    files+=("$3")
    echo "  $3"
}
echo "Installing under $prefix:"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"; swiftpm_tmp_cleanup' EXIT
for tool in blob-writer blob-reader; do
    place 755 "$bin/$tool" "$prefix/bin/$tool"
    "$bin/$tool" --generate-completion-script bash > "$tmp/$tool.bash"
    "$bin/$tool" --generate-completion-script zsh > "$tmp/_$tool"
    "$bin/$tool" --generate-completion-script fish > "$tmp/$tool.fish"
    place 644 "$tmp/$tool.bash" "$prefix/share/bash-completion/completions/$tool"
    place 644 "$tmp/_$tool" "$prefix/share/zsh/site-functions/_$tool"
    place 644 "$tmp/$tool.fish" "$prefix/share/fish/vendor_completions.d/$tool.fish"
done
# Man pages: the argument parser's generator, only for the two tools.
swift package --allow-writing-to-package-directory generate-manual >/dev/null
for tool in blob-writer blob-reader; do
    page=$(find .build/plugins/GenerateManual/outputs -name "$tool.1" | head -1)
    place 644 "$page" "$prefix/share/man/man1/$tool.1"
done
for h in Sources/CSharedBlob/include/sharedblob.h Sources/CBlobSegment/include/blob_segment.h Sources/CBlobMutex/include/blob_mutex.h; do
    place 644 "$h" "$prefix/include/sharedblob/$(basename "$h")"
done
place 755 "$lib_bin/libsharedblob.so" "$prefix/lib/libsharedblob.so"
version=$(grep -o '"[0-9]*\.[0-9]*\.[0-9]*"' Sources/BlobTransfer/Version.swift | tr -d '"')
cat > "$tmp/sharedblob.pc" <<PC
prefix=$prefix
libdir=\${prefix}/lib
includedir=\${prefix}/include/sharedblob

Name: sharedblob
Description: Hand a blob to another process through shared memory (SharedBlob's engine)
Version: $version
Cflags: -I\${includedir}
Libs: -L\${libdir} -lsharedblob -Wl,-rpath,\${libdir}
PC
place 644 "$tmp/sharedblob.pc" "$prefix/lib/pkgconfig/sharedblob.pc"
[ -d "$(dirname "$manifest")" ] || { [ -d "$prefix/share" ] || dirs+=("$prefix/share"); mkdir -p "$(dirname "$manifest")"; }
printf 'file %s\n' "${files[@]}" > "$manifest"
{ [ ${#dirs[@]} -eq 0 ] || printf 'dir %s\n' "${dirs[@]}"; } > "$manifest.dirs"
echo "Listed in $manifest; remove it all with: bash scripts/install.sh --uninstall --prefix '$prefix'"
case ":$PATH:" in
    *":$prefix/bin:"*) ;;
    *) echo "Add $prefix/bin to PATH, e.g.: echo 'export PATH=\"$prefix/bin:\$PATH\"' >> ~/.bashrc" ;;
esac
echo "Man pages: man blob-writer (or man -M '$prefix/share/man' blob-writer if $prefix/share/man is not searched)."
