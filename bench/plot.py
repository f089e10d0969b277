#!/usr/bin/env python3
"""Draws the peer benchmark's chart: handoff time vs blob size, fan-out time vs readers.

Usage: python bench/plot.py rows.json out.png

rows.json is a JSON list of rows
``{"impl": "ours"|"iceoryx2"|"memcpy"|"mpshm", "case": "size"|"readers", "x": N, "median_ns": T}``
(other impl names are drawn too; other keys are ignored, except an optional ``"size"`` on
"readers" rows, which goes into the right panel's title). Left panel: median handoff time
vs blob size in bytes, log-log, 4 KiB..256 MiB. Right panel: median fan-out time vs number
of readers, 1..8. One line per impl. Exit status 0 on success, 1 with a one-line error on
stderr otherwise.
"""

from __future__ import annotations

import json
import math
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402 - after choosing the backend
from matplotlib.ticker import FuncFormatter, NullFormatter  # noqa: E402

PROG = "plot.py"
KIB = 1 << 10
SIZE_MIN, SIZE_MAX = 4 * KIB, 256 << 20
READERS_MIN, READERS_MAX = 1, 8

#: Label, colour, marker and line style per known implementation (plot order).
STYLES: dict[str, dict[str, Any]] = {
    "ours": {"label": "SharedBlob (ours)", "color": "#d62728", "marker": "o", "linestyle": "-"},
    "iceoryx2": {"label": "iceoryx2 (Python binding)", "color": "#1f77b4", "marker": "s", "linestyle": "-"},
    "mpshm": {"label": "multiprocessing.shared_memory + pipe", "color": "#2ca02c", "marker": "^", "linestyle": "-"},
    "memcpy": {"label": "memcpy only (floor)", "color": "#7f7f7f", "marker": "", "linestyle": "--"},
}


class PlotError(Exception):
    """Bad input: reported as one line, exit status 1."""


def load_rows(path: Path) -> list[dict[str, Any]]:
    """Reads and validates the rows file."""
    try:
        rows = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise PlotError(f"cannot read {path}: {exc}") from None
    if not isinstance(rows, list):
        raise PlotError(f"{path}: expected a JSON list of rows")
    for i, row in enumerate(rows):
        if not isinstance(row, dict):
            raise PlotError(f"{path}: row {i} is not an object")
        for key, kind in (("impl", str), ("case", str), ("x", (int, float)), ("median_ns", (int, float))):
            if not isinstance(row.get(key), kind) or isinstance(row.get(key), bool):
                raise PlotError(f"{path}: row {i}: missing or bad {key!r}")
        if row["case"] not in ("size", "readers"):
            raise PlotError(f"{path}: row {i}: case must be 'size' or 'readers', not {row['case']!r}")
        if row["x"] <= 0 or row["median_ns"] <= 0:
            raise PlotError(f"{path}: row {i}: x and median_ns must be > 0")
    return rows


def series(rows: list[dict[str, Any]], case: str) -> dict[str, list[tuple[float, float]]]:
    """Points (x, median_ns) per impl for one case, sorted by x; a repeated x keeps the last."""
    points: dict[str, dict[float, float]] = defaultdict(dict)
    for row in rows:
        if row["case"] == case:
            if row["x"] in points[row["impl"]]:
                print(f"{PROG}: {row['impl']} {case} x={row['x']} given twice: keeping the last", file=sys.stderr)
            points[row["impl"]][row["x"]] = row["median_ns"]
    order = [impl for impl in STYLES if impl in points] + sorted(set(points) - set(STYLES))
    return {impl: sorted(points[impl].items()) for impl in order}


def format_bytes(value: float, _pos: Any = None) -> str:
    """4096 -> '4 KiB', 268435456 -> '256 MiB'."""
    for unit, factor in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if value >= factor:
            return f"{value / factor:g} {unit}"
    return f"{value:g} B"


def format_ns(value: float, _pos: Any = None) -> str:
    """A time in ns as '500 ns', '20 µs', '1.5 ms', '2 s'."""
    for unit, factor in (("s", 1e9), ("ms", 1e6), ("µs", 1e3)):
        if value >= factor:
            return f"{value / factor:g} {unit}"
    return f"{value:g} ns"


#: Colours for impls not in STYLES (none of the known ones' colours).
EXTRA_COLORS = ["#9467bd", "#8c564b", "#e377c2", "#bcbd22", "#17becf"]


def style(impl: str) -> dict[str, Any]:
    """Matplotlib keyword arguments of one impl's line."""
    known = STYLES.get(impl)
    if known is None:
        color = EXTRA_COLORS[sum(impl.encode()) % len(EXTRA_COLORS)]
        return {"label": impl, "marker": "x", "color": color}
    return dict(known)


def draw(rows: list[dict[str, Any]], out: Path) -> None:
    """Writes the two-panel PNG."""
    sizes = series(rows, "size")
    fanout = series(rows, "readers")
    if not sizes and not fanout:
        raise PlotError("no rows to plot")
    fig, (left, right) = plt.subplots(1, 2, figsize=(13, 5.2), constrained_layout=True)

    for impl, pts in sizes.items():
        xs, ys = zip(*pts, strict=True)
        left.plot(xs, ys, linewidth=1.8, markersize=5, **style(impl))
    left.set_xscale("log", base=2)
    left.set_yscale("log")
    left.set_xlim(SIZE_MIN / 1.3, SIZE_MAX * 1.3)
    left.set_xticks([SIZE_MIN * 4**i for i in range(int(math.log(SIZE_MAX / SIZE_MIN, 4)) + 1)])
    left.xaxis.set_major_formatter(FuncFormatter(format_bytes))
    left.xaxis.set_minor_formatter(NullFormatter())
    left.yaxis.set_major_formatter(FuncFormatter(format_ns))
    left.set_xlabel("blob size")
    left.set_ylabel("median handoff time (log scale)")
    left.set_title("Handoff time vs blob size (1 reader)")
    left.grid(True, which="major", alpha=0.4)
    left.grid(True, which="minor", alpha=0.12)
    if sizes:
        left.legend(loc="upper left", fontsize=9)

    fan_sizes = {row["size"] for row in rows if row["case"] == "readers" and isinstance(row.get("size"), int)}
    for impl, pts in fanout.items():
        xs, ys = zip(*pts, strict=True)
        right.plot(xs, [y / 1e6 for y in ys], linewidth=1.8, markersize=5, **style(impl))
    right.set_xlim(READERS_MIN - 0.3, READERS_MAX + 0.3)
    right.set_xticks(range(READERS_MIN, READERS_MAX + 1))
    right.set_ylim(bottom=0)
    right.set_xlabel("readers")
    right.set_ylabel("median fan-out time (ms)")
    title = "Fan-out time vs number of readers"
    if len(fan_sizes) == 1:
        title += f" ({format_bytes(next(iter(fan_sizes)))} blob)"
    right.set_title(title)
    right.grid(True, alpha=0.4)
    if fanout:
        right.legend(loc="upper left", fontsize=9)

    fig.suptitle("SharedBlob vs peers: median of the measured rounds", fontsize=12)
    try:
        fig.savefig(out, dpi=110)
    except OSError as exc:
        raise PlotError(f"cannot write {out}: {exc}") from None
    finally:
        plt.close(fig)


def main(argv: list[str]) -> int:
    """Entry point; returns the exit status."""
    if len(argv) != 2 or argv[0] in ("-h", "--help"):
        print("usage: python bench/plot.py rows.json out.png", file=sys.stderr)
        return 0 if argv[:1] in (["-h"], ["--help"]) else 2
    try:
        draw(load_rows(Path(argv[0])), Path(argv[1]))
    except PlotError as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
