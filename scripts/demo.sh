#!/usr/bin/env bash
# The main job: installs what is missing, builds, and opens blob-writer (on Assets/) and
# blob-reader (in watch mode) side by side in one tmux window. Pick an image in the left
# pane with the arrows or / and press Enter; the right pane shows it as it lands. q quits
# each app; the window closes when both have quit.
# Without a terminal (piped, CI), it runs the scriptable transfer instead: every image in
# Assets/ goes through put and get and is compared byte for byte.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh
swift build -c release --product blob-writer >/dev/null
swift build -c release --product blob-reader >/dev/null
bin="$PWD/.build/release"
segment="${SEGMENT:-shared-blob}"

if [ -t 0 ] && [ -t 1 ]; then
    sock="shared-blob-demo-$$"
    export LANG="${LANG:-C.UTF-8}"
    case "$LANG" in *UTF-8*|*utf8*) ;; *) export LANG=C.UTF-8 ;; esac
    tmux -L "$sock" -f /dev/null new-session -d -s demo -x "$(tput cols)" -y "$(tput lines)" \
        "'$bin/blob-writer' '$PWD/Assets' --segment '$segment'"
    tmux -L "$sock" split-window -h -t demo "'$bin/blob-reader' --segment '$segment' --watch"
    tmux -L "$sock" select-pane -t demo:0.0
    tmux -L "$sock" attach -t demo || true
    tmux -L "$sock" kill-server 2>/dev/null || true
    exit 0
fi

out=$(mktemp -d)
trap '"$bin/blob-writer" rm --segment "$segment-demo" >/dev/null 2>&1 || true; rm -rf "$out"' EXIT
for f in Assets/*.png Assets/*.jpg; do
    echo "== $f"
    "$bin/blob-writer" put "$f" --segment "$segment-demo"
    "$bin/blob-reader" get --segment "$segment-demo" --out "$out/received"
    cmp "$f" "$out/received" && echo "identical to the file on disk"
done
"$bin/blob-reader" info --segment "$segment-demo"
