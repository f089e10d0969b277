#!/usr/bin/env python3
"""Regenerates the sample images in Assets/ (all made by this project; CC0).

PNGs are written with zlib by hand; JPEGs by cjpeg (Debian's libjpeg-turbo-progs)
from a PPM made the same way. Deterministic: the same bytes every run.
"""
import math, os, struct, subprocess, sys, zlib

HERE = os.path.dirname(os.path.abspath(__file__))

def png(path, w, h, pixel, color_type=2):
    channels = {0: 1, 2: 3, 6: 4}[color_type]
    raw = bytearray()
    for y in range(h):
        raw.append(0)
        for x in range(w):
            raw.extend(pixel(x, y)[:channels])
    def chunk(kind, data):
        c = struct.pack(">I", len(data)) + kind + data
        return c + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    ihdr = struct.pack(">IIBBBBB", w, h, 8, color_type, 0, 0, 0)
    data = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(bytes(raw), 9)) + chunk(b"IEND", b"")
    open(os.path.join(HERE, path), "wb").write(data)

def sunset(x, y, w, h):
    t = y / h
    r = int(255 * (1 - 0.4 * t)); g = int(120 + 100 * t * (1 - t) * 4 * 0.5); b = int(60 + 160 * t)
    cx, cy, rad = w * 0.5, h * 0.62, h * 0.22
    if (x - cx) ** 2 + (y - cy) ** 2 < rad ** 2:
        r, g, b = 255, 220, 90
    if y > h * 0.72:
        wave = math.sin(x / 7.0 + y / 3.0) * 12
        r, g, b = int(30 + wave), int(60 + wave), int(120 + wave)
    return (max(0, min(255, r)), max(0, min(255, g)), max(0, min(255, b)), 255)

def checker_alpha(x, y):
    on = ((x // 8) + (y // 8)) % 2 == 0
    a = int(255 * x / 63)
    return (220, 40, 40, a) if on else (40, 40, 220, a)

def gradient(x, y):
    v = int(255 * x / 127)
    return (v, v, v, 255)

def main():
    png("sunset.png", 160, 120, lambda x, y: sunset(x, y, 160, 120))
    png("checker-alpha.png", 64, 64, checker_alpha, color_type=6)
    png("gradient-gray.png", 128, 32, gradient, color_type=0)
    w, h = 200, 150
    ppm = bytearray(b"P6 %d %d 255\n" % (w, h))
    for y in range(h):
        for x in range(w):
            ppm.extend(sunset(x, y, w, h)[:3])
    out = subprocess.run(["cjpeg", "-quality", "85"], input=bytes(ppm), capture_output=True, check=True).stdout
    open(os.path.join(HERE, "sunset.jpg"), "wb").write(out)

if __name__ == "__main__":
    sys.exit(main())
