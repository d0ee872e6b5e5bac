#!/usr/bin/env python3
"""Writes the HTTP benchmark's transport probe: a JPEG as large in bytes as another one, with almost nothing to detect.

Usage (from the repository root; needs python3-opencv, which ./test.sh's setup installs):
    /usr/bin/python3 scripts/make-probe-jpeg.py OUT.jpg --like tests/images/grace_hopper_512x512.jpg

The --like image is scaled to 64×64 and padded with JPEG comment (COM) segments up to the --like file's size, so a
detect request for it streams the same body as one for the --like image while the engine spends well under a
millisecond on it. `scripts/bench-http.sh --image OUT.jpg` then shows what HTTP costs per request with that body:
HTTP's fixed cost, against which the ratios on the real image can be read (docs/benchmarks.md).
"""
import argparse
import os
import sys

import cv2
import numpy as np

COMMENT_MAX = 65533  # a segment's length field counts itself (2 bytes) and tops out at 65535


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out")
    parser.add_argument("--like", required=True, help="the image whose byte size the probe matches")
    parser.add_argument("--side", type=int, default=64, help="the probe's width and height in pixels (default 64)")
    args = parser.parse_args()

    image = cv2.imread(args.like)
    if image is None:
        sys.exit(f"{args.like}: not an image OpenCV can read")
    small = cv2.resize(image, (args.side, args.side), interpolation=cv2.INTER_AREA)
    ok, encoded = cv2.imencode(".jpg", small, [cv2.IMWRITE_JPEG_QUALITY, 90])
    if not ok:
        sys.exit("OpenCV could not encode the probe")
    jpeg = encoded.tobytes()
    target = os.path.getsize(args.like)
    missing = target - len(jpeg)
    segments = []
    while missing > 4:
        payload = min(COMMENT_MAX, missing - 4)
        segments.append(b"\xff\xfe" + (payload + 2).to_bytes(2, "big") + b"p" * payload)
        missing -= payload + 4
    # The comments go right after SOI, before every other segment; a decoder skips them.
    probe = jpeg[:2] + b"".join(segments) + jpeg[2:]
    if cv2.imdecode(np.frombuffer(probe, np.uint8), cv2.IMREAD_COLOR) is None:
        sys.exit("the padded probe does not decode")
    with open(args.out, "wb") as f:
        f.write(probe)
    print(f"wrote {args.out} ({len(probe)} bytes, {args.side}x{args.side} pixels; {args.like} is {target} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
