#!/usr/bin/python3
"""Builds the "crowd" benchmark set from the labelled photos of tests/images: each image is an n×n mosaic of
the six photos with faces (group photos MIT-licensed, portraits public domain; tests/images/SOURCES.md), every
tile scaled down so that its faces become as small as faces in a crowd picture, and the labels of
tests/images/labels.txt scaled and shifted with them (so they are exact, not guessed).

    /usr/bin/python3 docs/bench/make_crowd.py OUT_DIR   # writes OUT_DIR/crowd-{3,4,6}.jpg + OUT_DIR/labels.txt

Needs python3-opencv. Deterministic: the same files every run (docs/benchmarks.md uses them).
"""
import os
import sys

import cv2
import numpy as np

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
IMAGES = os.path.join(ROOT, "tests", "images")
WIDTH = 1920
GRIDS = (3, 4, 6)


def read_labels():
    lines = [l.strip() for l in open(os.path.join(IMAGES, "labels.txt")) if l.strip()]
    labels, i = {}, 0
    while i < len(lines):
        name, count = lines[i], int(lines[i + 1])
        boxes = [tuple(float(v) for v in lines[i + 2 + k].split()[:4]) for k in range(count)]
        labels[name] = boxes
        i += 2 + max(count, 1)
    return labels


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    labels = {n: b for n, b in read_labels().items() if b}  # photos with faces only
    names = sorted(labels)
    listing = []
    for n in GRIDS:
        cell_w = WIDTH // n
        cell_h = cell_w * 4 // 5
        canvas = np.full((cell_h * n, cell_w * n, 3), 96, np.uint8)
        faces = []
        for t in range(n * n):
            name = names[(t + t // n) % len(names)]  # each row shifted by one: neighbours differ
            photo = cv2.imread(os.path.join(IMAGES, name), cv2.IMREAD_COLOR)
            h, w = photo.shape[:2]
            f = min(cell_w / w, cell_h / h)
            tile = cv2.resize(photo, (round(w * f), round(h * f)), interpolation=cv2.INTER_AREA)
            ox = (t % n) * cell_w + (cell_w - tile.shape[1]) // 2
            oy = (t // n) * cell_h + (cell_h - tile.shape[0]) // 2
            canvas[oy:oy + tile.shape[0], ox:ox + tile.shape[1]] = tile
            faces += [(x * f + ox, y * f + oy, bw * f, bh * f) for x, y, bw, bh in labels[name]]
        file = f"crowd-{n}.jpg"
        cv2.imwrite(os.path.join(out, file), canvas, [cv2.IMWRITE_JPEG_QUALITY, 92])
        listing.append(file)
        listing.append(str(len(faces)))
        listing += [f"{x:.1f} {y:.1f} {w:.1f} {h:.1f} 0 0 0 0 0 0" for x, y, w, h in faces]
    with open(os.path.join(out, "labels.txt"), "w") as f:
        f.write("\n".join(listing) + "\n")


if __name__ == "__main__":
    main()
