#!/usr/bin/env bash
# Installs the Python package (python/) into a virtual environment: builds
# libsharedblob.so (release, the Swift runtime linked in: it needs only libc, libstdc++
# and libxxhash), puts it in the package, creates VENV if missing and pip-installs the
# package there. Never touches the system Python's packages.
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
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check "$repo/python"
rm -rf python/build python/*.egg-info
echo "installed: $("$venv/bin/python" -c 'import sharedblob; print("sharedblob", sharedblob.library_version(), "from", sharedblob.__file__)')"
echo "$venv/bin/python"
