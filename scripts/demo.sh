#!/usr/bin/env bash
# The main job: installs what is missing, builds, and opens blob-writer (on Assets/) and
# blob-reader (in watch mode) side by side. Pick an image in the left pane with the arrows
# or / and press Enter; the right pane shows it as it lands. Click a pane (or tmux's
# prefix Ctrl-b, then an arrow) to switch; q quits each app. Inside tmux already, the
# current window is split instead of starting a tmux within tmux. The demo's segment is
# removed when the demo ends.
# Without a terminal (piped, CI), it runs the scriptable transfer instead: every image in
# Assets/ goes through put and get and is compared byte for byte.
# SHAREDBLOB_BIN=DIR uses executables already built there (the tests do) instead of building.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/swiftpm-tmp.sh
if [ -n "${SHAREDBLOB_BIN:-}" ]; then
    bin="$SHAREDBLOB_BIN"
else
    bash scripts/ensure-deps.sh
    # SwiftPM's own progress lines ([N/M] Compiling ...), on stderr: a first build takes
    # about 4 minutes on 2 cores, later ones seconds.
    echo "Building blob-writer and blob-reader (release; a first build takes about 4 minutes on 2 cores)..." >&2
    swift build -c release --product blob-writer >&2
    swift build -c release --product blob-reader >&2
    bin="$PWD/.build/release"
fi
segment="${SEGMENT:-shared-blob-demo}"
remove_segment() { "$bin/blob-writer" rm --segment "$segment" >/dev/null 2>&1 || true; }

if [ -t 0 ] && [ -t 1 ]; then
    export LANG="${LANG:-C.UTF-8}"
    case "$LANG" in *UTF-8*|*utf8*) ;; *) export LANG=C.UTF-8 ;; esac
    writer="'$bin/blob-writer' '$PWD/Assets' --segment '$segment'"
    reader="'$bin/blob-reader' --segment '$segment' --watch"
    hint=' click a pane (or Ctrl-b, arrow) to switch   q quits each app '
    trap 'remove_segment; swiftpm_tmp_cleanup' EXIT
    if [ -n "${TMUX:-}" ]; then
        # Already inside tmux: split this window; the reader goes right, the writer runs here.
        # (Your own tmux settings, mouse included, are left as they are.)
        pane=$(tmux split-window -h -d -P -F '#{pane_id}' "$reader")
        tmux display-message -d 8000 "$hint" 2>/dev/null || true
        eval "$writer" || true
        tmux kill-pane -t "$pane" 2>/dev/null || true
        exit 0
    fi
    sock="shared-blob-demo-$$"
    t() { tmux -L "$sock" -f /dev/null "$@"; }
    # The server's socket (and tmux's folder, if this made it) go when the demo ends.
    tdir="${TMUX_TMPDIR:-/tmp}/tmux-$(id -u)"
    had_tdir=""; [ -d "$tdir" ] && had_tdir=1
    tmux_cleanup() { rm -f "$tdir/$sock"; [ -n "$had_tdir" ] || rmdir "$tdir" 2>/dev/null || true; }
    trap 'remove_segment; tmux_cleanup; swiftpm_tmp_cleanup' EXIT
    t new-session -d -s demo -x "$(tput cols)" -y "$(tput lines)" "$writer"
    t split-window -h -t demo "$reader"
    t select-pane -t demo:0.0
    t set-option -t demo mouse on >/dev/null
    t set-option -t demo status-left-length 120 >/dev/null
    t set-option -t demo status-left "$hint" >/dev/null
    t set-option -t demo status-right '' >/dev/null
    t attach -t demo || true
    t kill-server 2>/dev/null || true
    exit 0
fi

out=$(mktemp -d)
trap 'remove_segment; rm -rf "$out"; swiftpm_tmp_cleanup' EXIT
for f in Assets/*.png Assets/*.jpg; do
    echo "== $f"
    "$bin/blob-writer" put "$f" --segment "$segment"
    "$bin/blob-reader" get --segment "$segment" --out "$out/received"
    cmp "$f" "$out/received" && echo "identical to the file on disk"
done
"$bin/blob-reader" info --segment "$segment"
