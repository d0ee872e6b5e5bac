#!/usr/bin/env python3
"""The OpenCV peer of `mogface bench --json`: what a Python user of OpenCV (libjpeg-turbo) + numpy pays to turn
the same JPEG into the same input tensor, single-threaded, so the benchmark can print the two side by side.

Times cv2.imdecode, then cv2.resize (INTER_LINEAR, uint8) to the size the model's pipeline resizes to, and the
normalisation ((x - mean) / std per channel, in the model's channel order) into a zeroed float32 tensor of the
model's layout and shape. Prints one JSON object: {"decode_ms": p50, "preprocess_ms": p50, "iterations": n}.
Exit code 3 when cv2 or numpy cannot be imported (the benchmark then leaves the peer out).
"""
import argparse
import json
import statistics
import sys
import time

try:
    import cv2
    import numpy as np
except ImportError as error:  # python3-opencv / python3-numpy not installed
    print(f"opencv peer unavailable: {error}", file=sys.stderr)
    sys.exit(3)


def floats(text):
    values = [float(v) for v in text.split(",")]
    if len(values) != 3:
        raise argparse.ArgumentTypeError("expected three comma-separated numbers")
    return values


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("image", help="the JPEG the benchmark measured")
    parser.add_argument("--resize", nargs=2, type=int, required=True, metavar=("W", "H"), help="size the image is resized to")
    parser.add_argument("--tensor", nargs=2, type=int, required=True, metavar=("W", "H"), help="tensor plane size (padded)")
    parser.add_argument("--layout", choices=["nchw", "nhwc"], required=True)
    parser.add_argument("--order", choices=["rgb", "bgr"], required=True, help="channel order of the tensor")
    parser.add_argument("--mean", type=floats, required=True, help="per tensor channel")
    parser.add_argument("--std", type=floats, required=True, help="per tensor channel")
    parser.add_argument("--iterations", type=int, default=50)
    parser.add_argument("--warmup", type=int, default=5)
    args = parser.parse_args()

    cv2.setNumThreads(1)  # the C# side runs each request on one thread
    encoded = np.fromfile(args.image, dtype=np.uint8)
    (rw, rh), (tw, th) = args.resize, args.tensor
    mean = np.array(args.mean, dtype=np.float32)
    inv_std = 1.0 / np.array(args.std, dtype=np.float32)
    shape = (1, 3, th, tw) if args.layout == "nchw" else (1, th, tw, 3)

    decode, preprocess = [], []
    for i in range(args.warmup + args.iterations):
        t0 = time.perf_counter()
        bgr = cv2.imdecode(encoded, cv2.IMREAD_COLOR)
        t1 = time.perf_counter()
        resized = cv2.resize(bgr, (rw, rh), interpolation=cv2.INTER_LINEAR)
        if args.order == "rgb":
            resized = cv2.cvtColor(resized, cv2.COLOR_BGR2RGB)
        normalised = (resized.astype(np.float32) - mean) * inv_std
        tensor = np.zeros(shape, dtype=np.float32)
        if args.layout == "nchw":
            tensor[0, :, :rh, :rw] = normalised.transpose(2, 0, 1)
        else:
            tensor[0, :rh, :rw, :] = normalised
        t2 = time.perf_counter()
        if i >= args.warmup:
            decode.append((t1 - t0) * 1000)
            preprocess.append((t2 - t1) * 1000)

    print(json.dumps({"decode_ms": statistics.median(decode), "preprocess_ms": statistics.median(preprocess), "iterations": args.iterations}))


if __name__ == "__main__":
    main()
