#!/usr/bin/python3
"""Build a small ONNX model with MogFace's input/output contract, for tests (no torch, no real weights).

Needs only numpy and the `onnx` package (Debian: apt-get install python3-onnx python3-numpy).

Contract (same as mogface-large.onnx made by export_onnx.py):
  input  `input` float32 [1, 3, height, width]  (height/width are dim_params: any size >= 1)
  output `conf`  float32 [1, N, 1]  sigmoid already applied
  output `loc`   float32 [1, N, 4]  raw deltas (dx, dy, dw, dh)
  6 levels, strides 4, 8, 16, 32, 64, 128. Every level comes from a 3x3 stride-2 convolution with pad 1
  applied to the previous one (the first two to the input), so each level's size is ceil(previous / 2):
  level sizes are the repeated x = (x + 1) // 2 of the input size, as in MogFace.
  Each level is flattened NHWC and the levels are concatenated level-major: index = level offset +
  row * level_width + column.  640x640 -> N = 34125; 641x479 -> N = 25837; 1000x750 -> N = 62719
  (N is symmetric in H and W).

Variants (--variant):
  random (default)  Random weights from numpy RandomState(--seed), ReLU trunk with 8 channels. Outputs are
                    deterministic for a given seed and input but carry no meaning: conf in (0, 1), loc
                    within about +-10 (seed 1234, random input: conf 0.03..0.96, loc -7.4..5.5).
                    Use it for shape/plumbing tests.
  nan               The `random` graph with both outputs multiplied by a NaN constant: every conf and loc
                    value is NaN (for tests that must reject non-finite network output).
  bright            Fixed hand-set weights (no randomness) so that detections are predictable:
                    * stride-4 level, cell (row i, column j) samples exactly one input position:
                      pixel (y, x) = (4i + 2, 4j + 2), i.e. the anchor centre of that cell. Positions
                      outside the image read the zero padding (= normalised 0, i.e. "not bright").
                      v = mean over the 3 channels of the normalised input at that pixel;
                      conf = sigmoid(4000 * (v - 0.0058)).
                      With MogFace normalisation x = (p - mean) / (std * 255):
                        pure white (255,255,255) -> v = 0.009565 -> conf = sigmoid(15.06) > 0.9999997
                        grey (200,200,200)       -> v = 0.005822 -> conf ~ 0.52
                        grey (128,128,128) or darker           -> conf < 1e-8
                      So any pixel >= 230 in all channels gives conf > 0.99, any pixel <= 180 gives
                      conf < 0.03, i.e. below the serving threshold 0.82.
                      loc (every stride-4 cell) = (dx, dy, dw, dh) = (0.25, -0.5, ln 2, 0).
                      With the stride-4 anchor (centre (4j+2, 4i+2), size 10.88) the decoded box is
                        cx = 4j+2 + 2.72, cy = 4i+2 - 5.44, w = 21.76, h = 10.88,
                        x1 = cx - 10.38, y1 = cy - 4.94, x2 = x1 + 20.76, y2 = y1 + 9.88.
                    * strides 8..128: conf = sigmoid(-30) (~9.4e-14, below any threshold), loc = 0.
                    Example: a black image with one white pixel at (x, y) = (4j+2, 4i+2) (or a white block
                    containing that pixel and no other (4j'+2, 4i'+2) position) yields exactly one
                    detection, index i * W1 + j where W1 is the stride-4 level width, with the box above.

Output: --out (default mogface-test.onnx), opset 17, IR version 8 (loads in ONNX Runtime >= 1.10).
"""
import argparse
import os
import sys

import numpy as np

try:
    import onnx
    from onnx import TensorProto, helper, numpy_helper
except ImportError:  # pragma: no cover
    sys.exit("make_test_model.py needs the onnx package (Debian: apt-get install python3-onnx)")

OPSET = 17
IR_VERSION = 8
STRIDES = (4, 8, 16, 32, 64, 128)
CHANNELS = 8

# MogFace normalisation constants (RGB), used only to document/verify the `bright` variant.
MEAN = np.array([123.675, 116.28, 103.53])
STD = np.array([58.395, 57.12, 57.375])
BRIGHT_GAIN = 4000.0
BRIGHT_THRESHOLD = 0.0058
BRIGHT_LOC = (0.25, -0.5, float(np.log(2.0)), 0.0)
OFF_LOGIT = -30.0


def anchor_count(height, width):
    """N for an input size: sum over the 6 levels of the repeated ceil-halving (2 halvings to stride 4)."""
    total = 0
    h, w = height, width
    for level in range(len(STRIDES) + 1):
        h, w = (h + 1) // 2, (w + 1) // 2
        if level >= 1:
            total += h * w
    return total


class Graph:
    def __init__(self):
        self.nodes = []
        self.inits = []
        self._n = 0

    def name(self, prefix):
        self._n += 1
        return f"{prefix}_{self._n}"

    def const(self, prefix, array):
        n = self.name(prefix)
        self.inits.append(numpy_helper.from_array(np.asarray(array), n))
        return n

    def node(self, op, inputs, prefix, **attrs):
        out = self.name(prefix)
        self.nodes.append(helper.make_node(op, inputs, [out], name=out + "_node", **attrs))
        return out

    def conv(self, x, weight, bias, stride):
        w = self.const("w", weight.astype(np.float32))
        b = self.const("b", bias.astype(np.float32))
        return self.node("Conv", [x, w, b], "conv", kernel_shape=[3, 3], pads=[1, 1, 1, 1],
                         strides=[stride, stride])


def weights_random(seed):
    rng = np.random.RandomState(seed)

    def w(cout, cin, scale):
        return rng.randn(cout, cin, 3, 3) * scale, rng.randn(cout) * 0.1

    trunk = [w(CHANNELS, 3, 4.0)] + [w(CHANNELS, CHANNELS, 0.25) for _ in range(len(STRIDES))]
    heads = [(w(1, CHANNELS, 0.3), w(4, CHANNELS, 0.3)) for _ in STRIDES]
    return trunk, heads, True


def weights_bright():
    def zeros(cout, cin):
        return np.zeros((cout, cin, 3, 3)), np.zeros(cout)

    # A 3x3 stride-2 pad-1 conv cell a reads input positions 2a-1, 2a, 2a+1 (kernel index 0, 1, 2).
    # Stem conv 1 takes the centre tap (index 1): cell a samples input 2a, averaging the 3 channels into
    # every output channel.  Conv 2 takes tap index 2: stride-4 cell i samples conv-1 cell 2i+1, i.e.
    # input 2(2i+1) = 4i+2, the anchor centre.  If 4i+2 is outside the image, 2i+1 is outside conv 1's
    # map too and the zero padding is read.  Later convs take the centre tap (their heads are constant).
    w0, b0 = zeros(CHANNELS, 3)
    w0[:, :, 1, 1] = 1.0 / 3.0
    trunk = [(w0, b0)]
    for k in range(len(STRIDES)):
        w, b = zeros(CHANNELS, CHANNELS)
        tap = 2 if k == 0 else 1
        for c in range(CHANNELS):
            w[c, c, tap, tap] = 1.0
        trunk.append((w, b))
    heads = []
    for level in range(len(STRIDES)):
        wc, bc = zeros(1, CHANNELS)
        wl, bl = zeros(4, CHANNELS)
        if level == 0:
            wc[0, 0, 1, 1] = BRIGHT_GAIN
            bc[0] = -BRIGHT_GAIN * BRIGHT_THRESHOLD
            bl[:] = BRIGHT_LOC
        else:
            bc[0] = OFF_LOGIT
        heads.append(((wc, bc), (wl, bl)))
    return trunk, heads, False


def build(variant, seed):
    if variant == "bright":
        trunk, heads, relu = weights_bright()
    else:
        trunk, heads, relu = weights_random(seed)

    g = Graph()
    x = "input"
    feats = []
    for k, (w, b) in enumerate(trunk):
        x = g.conv(x, w, b, 2)
        if relu:
            x = g.node("Relu", [x], "relu")
        if k >= 1:
            feats.append(x)  # k = 1 -> stride 4, ..., k = 6 -> stride 128
    assert len(feats) == len(STRIDES)

    shape_c = g.const("shape_conf", np.array([1, -1, 1], dtype=np.int64))
    shape_l = g.const("shape_loc", np.array([1, -1, 4], dtype=np.int64))
    confs, locs = [], []
    for f, ((wc, bc), (wl, bl)) in zip(feats, heads):
        c = g.node("Sigmoid", [g.conv(f, wc, bc, 1)], "sig")
        c = g.node("Transpose", [c], "nhwc", perm=[0, 2, 3, 1])
        confs.append(g.node("Reshape", [c, shape_c], "flat"))
        l = g.node("Transpose", [g.conv(f, wl, bl, 1)], "nhwc", perm=[0, 2, 3, 1])
        locs.append(g.node("Reshape", [l, shape_l], "flat"))

    if variant == "nan":
        nan = g.const("nan", np.array(np.nan, dtype=np.float32))
        conf_cat = g.node("Concat", confs, "conf_cat", axis=1)
        loc_cat = g.node("Concat", locs, "loc_cat", axis=1)
        g.nodes.append(helper.make_node("Mul", [conf_cat, nan], ["conf"], name="conf_nan"))
        g.nodes.append(helper.make_node("Mul", [loc_cat, nan], ["loc"], name="loc_nan"))
    else:
        g.nodes.append(helper.make_node("Concat", confs, ["conf"], name="conf_concat", axis=1))
        g.nodes.append(helper.make_node("Concat", locs, ["loc"], name="loc_concat", axis=1))

    graph = helper.make_graph(
        g.nodes,
        f"mogface_test_{variant}",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, 3, "height", "width"])],
        [
            helper.make_tensor_value_info("conf", TensorProto.FLOAT, [1, "num_anchors", 1]),
            helper.make_tensor_value_info("loc", TensorProto.FLOAT, [1, "num_anchors", 4]),
        ],
        g.inits,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)],
                              producer_name="mogface-functions/make_test_model.py")
    model.ir_version = IR_VERSION
    model.doc_string = f"MogFace-format test model, variant={variant}, seed={seed}. Not a face detector."
    helper.set_model_props(model, {"mogface.test_variant": variant, "mogface.test_seed": str(seed)})
    onnx.checker.check_model(model, full_check=True)
    return model


def main():
    parser = argparse.ArgumentParser(description="Build a small MogFace-format ONNX test model.")
    parser.add_argument("--out", default="mogface-test.onnx")
    parser.add_argument("--seed", type=int, default=1234, help="weights seed (random and nan variants)")
    parser.add_argument("--variant", choices=["random", "nan", "bright"], default="random")
    parser.add_argument("--nan", action="store_true", help="same as --variant nan")
    parser.add_argument("--respond-to-bright", action="store_true", help="same as --variant bright")
    args = parser.parse_args()
    variant = "nan" if args.nan else "bright" if args.respond_to_bright else args.variant

    model = build(variant, args.seed)
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    onnx.save(model, args.out)
    size = os.path.getsize(args.out)
    print(f"wrote {args.out} ({size} bytes, variant={variant}, seed={args.seed}, opset {OPSET}, "
          f"ir {IR_VERSION}); N(640x640)={anchor_count(640, 640)}")


if __name__ == "__main__":
    main()
