#!/usr/bin/env bash
# Installs into a temporary prefix and checks what a user gets: both tools run and print
# the version, `man -M PREFIX/share/man` finds both pages, the completions are where bash,
# zsh and fish look, the C headers compile; then uninstall leaves the prefix empty.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh man-db
prefix=$(mktemp -d)
trap 'rm -rf "$prefix"' EXIT
bash scripts/install.sh --prefix "$prefix" > "$prefix.log" || { cat "$prefix.log"; rm -f "$prefix.log"; exit 1; }
rm -f "$prefix.log"
fail() { echo "check-install: $*" >&2; exit 1; }
v=$(grep -o '"[0-9]*\.[0-9]*\.[0-9]*"' Sources/BlobCLI/Version.swift | tr -d '"')
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
cc -std=c11 -I "$prefix/include/sharedblob" -c "$prefix/t.c" -o "$prefix/t.o" || fail "the installed headers do not compile"
rm -f "$prefix/t.c" "$prefix/t.o"
bash scripts/install.sh --uninstall --prefix "$prefix" > /dev/null
left=$(find "$prefix" -mindepth 1)
[ -z "$left" ] || fail "uninstall left: $left"
echo "check-install: version $v, man pages, completions, headers; uninstall removed everything"
