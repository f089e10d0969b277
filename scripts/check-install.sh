#!/usr/bin/env bash
# Installs into a temporary prefix and checks what a user gets: both tools run and print
# the version, `man -M PREFIX/share/man` finds both pages, the completions are where bash,
# zsh and fish look, the C headers compile, a C program built with
# `pkg-config --cflags --libs sharedblob` runs against the installed library, and
# scripts/python-install.sh gives a new virtual environment a working `import sharedblob`;
# then uninstall leaves the prefix empty.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh man-db pkg-config
prefix=$(mktemp -d)
trap 'rm -rf "$prefix"' EXIT
bash scripts/install.sh --prefix "$prefix" > "$prefix.log" || { cat "$prefix.log"; rm -f "$prefix.log"; exit 1; }
rm -f "$prefix.log"
fail() { echo "check-install: $*" >&2; exit 1; }
v=$(grep -o '"[0-9]*\.[0-9]*\.[0-9]*"' Sources/BlobTransfer/Version.swift | tr -d '"')
[ "$("$prefix/bin/blob-writer" --version)" = "$v" ] || fail "blob-writer --version is not $v"
[ "$("$prefix/bin/blob-reader" --version)" = "$v" ] || fail "blob-reader --version is not $v"
ldd "$prefix/bin/blob-reader" | grep -q libswiftCore && fail "blob-reader needs the toolchain's libswiftCore"
for tool in blob-writer blob-reader; do
    MANPAGER=cat man -M "$prefix/share/man" "$tool" 2>/dev/null | grep -qi "$tool" || fail "man -M PREFIX/share/man $tool finds nothing"
    [ -s "$prefix/share/bash-completion/completions/$tool" ] || fail "no bash completion for $tool"
    [ -s "$prefix/share/zsh/site-functions/_$tool" ] || fail "no zsh completion for $tool"
    [ -s "$prefix/share/fish/vendor_completions.d/$tool.fish" ] || fail "no fish completion for $tool"
    bash -c "source '$prefix/share/bash-completion/completions/$tool' && complete -p $tool" >/dev/null || fail "bash cannot load $tool's completion"
done
ls "$prefix/share/man/man1" | sort | tr '\n' ' ' | grep -qx "blob-reader.1 blob-writer.1 " || fail "man1 holds other pages: $(ls "$prefix/share/man/man1")"
printf '#include <blob_segment.h>\n#include <blob_mutex.h>\nint main(void){return 0;}\n' > "$prefix/t.c"
cc -std=c11 -Wall -Wextra -pedantic -Werror -I "$prefix/include/sharedblob" -c "$prefix/t.c" -o "$prefix/t.o" \
    || fail "the installed headers do not compile as C11"
cp "$prefix/t.c" "$prefix/t.cpp"
g++ -std=c++17 -Wall -Wextra -pedantic -Werror -I "$prefix/include/sharedblob" -c "$prefix/t.cpp" -o "$prefix/t.o" \
    || fail "the installed headers do not compile as C++17"
rm -f "$prefix/t.c" "$prefix/t.cpp" "$prefix/t.o"
# A C program against the installed library, as docs/c-and-cpp.md builds it.
export PKG_CONFIG_PATH="$prefix/lib/pkgconfig"
flags=$(pkg-config --cflags --libs sharedblob) || fail "pkg-config does not find sharedblob"
[ "$(pkg-config --modversion sharedblob)" = "$v" ] || fail "sharedblob.pc says another version"
# shellcheck disable=SC2086
cc -std=c11 Examples/c/publish_and_view.c $flags -o "$prefix/example" || fail "the C example does not build with pkg-config"
ldd "$prefix/example" | grep -q "$prefix/lib/libsharedblob.so" || fail "the C example does not load the installed library"
ldd "$prefix/lib/libsharedblob.so" | grep -q libswiftCore && fail "libsharedblob.so needs the toolchain's libswiftCore"
segment="check-install-$$"
out=$("$prefix/example" "$segment" Assets/sunset.png /check/sunset.png) || fail "the C example failed"
"$prefix/bin/blob-writer" rm --segment "$segment" >/dev/null
case "$out" in *"identical to the file"*) ;; *) fail "the C example said: $out" ;; esac
rm -f "$prefix/example"
# Python: the documented command into a new virtual environment.
bash scripts/python-install.sh "$prefix/venv" > "$prefix/py.log" 2>&1 || { cat "$prefix/py.log"; fail "python-install.sh failed"; }
"$prefix/venv/bin/python" - "$segment" <<'PY' || fail "import sharedblob does not work in the new venv"
import sys, sharedblob
name = sys.argv[1]
with sharedblob.Segment.create(name, capacity=4096) as seg:
    seg.publish(b"from python", path="/check")
    assert seg.read().content == b"from python"
sharedblob.Segment.remove(name)
import sysconfig, os
if os.path.exists(os.path.join(sysconfig.get_paths()["include"], "Python.h")):
    assert sharedblob.backend == "extension", "the Python headers are there but sharedblob._fast was not built"
PY
rm -rf "$prefix/venv" "$prefix/py.log"
bash scripts/install.sh --uninstall --prefix "$prefix" > /dev/null
left=$(find "$prefix" -mindepth 1)
[ -z "$left" ] || fail "uninstall left: $left"
echo "check-install: version $v, man pages, completions, headers, the C library through pkg-config, import sharedblob in a new venv; uninstall removed everything"
