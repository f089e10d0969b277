#!/usr/bin/env bash
# Installs the Python package (python/) into a virtual environment: builds
# libsharedblob.so (release, the Swift runtime linked in: it needs only libc, libstdc++
# and libxxhash), puts it and sharedblob.h in the package, creates VENV if missing and
# pip-installs the package there, compiling its extension (sharedblob._fast: the hot
# calls without ctypes; Debian's python3-dev is installed for the system Python's
# headers). Never touches the system Python's packages.
# Usage: scripts/python-install.sh [VENV]      (default: .venv in the repository)
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
venv="${1:-$repo/.venv}"
cd "$repo"
source scripts/swiftpm-tmp.sh
bash scripts/ensure-deps.sh python3-venv >/dev/null
# -static-stdlib links Swift's runtime into the library itself (SwiftPM's
# --static-swift-stdlib does not, for a dynamic library); its own build folder keeps the
# other products' release build as it is.
build=(swift build -c release --build-path .build-lib -Xswiftc -static-stdlib --product sharedblob)
"${build[@]}" >/dev/null
cp "$("${build[@]}" --show-bin-path)/libsharedblob.so" python/sharedblob/libsharedblob.so
cp Sources/CSharedBlob/include/sharedblob.h python/sharedblob/sharedblob.h
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
headers="$("$venv/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["include"])')"
if [ ! -f "$headers/Python.h" ] && [[ "$headers" == /usr/include/* ]]; then  # Debian's own Python
    bash scripts/ensure-deps.sh python3-dev >/dev/null ||
        echo "python-install: no Python headers: the package will make its calls through ctypes (slower for small blobs)" >&2
fi
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check "$repo/python"
rm -rf python/build python/*.egg-info python/sharedblob/sharedblob.h
echo "installed: $("$venv/bin/python" -c 'import sharedblob; print("sharedblob", sharedblob.library_version(), "(" + sharedblob.backend + ") from", sharedblob.__file__)')"
echo "$venv/bin/python"
