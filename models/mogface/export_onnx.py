#!/usr/bin/env python3
"""Export MogFace (ResNet-101 -> LFPN -> MogPredNet, "MogFace-large") to ONNX for MogFace Functions.

One command, given the official weights:

    pip install torch onnx onnxruntime            # + modelscope only for --from-modelscope
    python export_onnx.py --checkpoint pytorch_model.pt
    python export_onnx.py --from-modelscope       # downloads damo/cv_resnet101_face-detection_cvpr22papermogface

writes mogface-large.onnx and mogface-large.json (the manifest the service reads).

The network is defined in this file (no modelscope or damo-cv code needed). It follows the public reference
code -- damo-cv/MogFace (configs/mogface/MogFace.yml; modelling/backbones/resnet.py,
modelling/neck_modules/fpn.py, modelling/pred_modules/pred_net.py) and its ModelScope port
(modelscope/models/cv/face_detection/mogface/models/) -- with the same module and parameter names, so the
official state dicts load unchanged.  Behaviour kept on purpose, because the weights were trained with it:
  * DeepHead applies its conv1 four times (conv2..conv4 exist as parameters but are never called);
  * FeatureFusion upsamples x2 bilinearly (align_corners=False) and crops to the lateral map's size.
Differences from the reference code, none of which changes the output:
  * the weights are loaded strictly: every checkpoint tensor must have a place in the network and every
    parameter must come from the checkpoint (the reference uses strict=False and silently ignores
    mismatches).  Only missing BatchNorm `num_batches_tracked` counters are tolerated (unused in eval);
  * training-only parts are loaded (so that the strict check covers them) but are not called in forward,
    so they are not in the ONNX graph: LFPN.dsfd_modules (features for the DSFD-style auxiliary loss) and,
    in damo-cv checkpoints, MogPredNet.dsfd_conf / dsfd_loc (the auxiliary head);
  * the crop after the x2 upsampling is always emitted (the reference only crops when sizes differ, which a
    trace at one input size would freeze).

ONNX contract: input `input` float32 [1, 3, height, width] (dynamic height/width, RGB, normalised as
x = (p - mean) / (std * 255), see the service's docs); outputs `conf` [1, N, 1] (sigmoid applied) and
`loc` [1, N, 4] (raw dx, dy, dw, dh), N = sum over strides 4..128 of the level sizes obtained by repeated
x = (x + 1) // 2 (640x640 -> 34125).  Opset 17.

Verification (default on): runs the PyTorch model and the exported ONNX model on the same random input at
two sizes (default 640x640 and 479x641, HxW) and fails if max |diff| exceeds 1e-3 (conf) or 1e-2 (loc), or
if N is not the expected count.  The ONNX side uses onnxruntime when importable, else
onnx.reference.ReferenceEvaluator (onnx >= 1.13; very slow on this network), else the script stops with a
non-zero exit unless --no-verify is given.  --save-io DIR additionally writes the inputs and the PyTorch
outputs as raw float32 files so any other ONNX runtime can be compared.

Other modes: --random-init (real architecture, random weights: tests the export path without the
checkpoint), --check-keys-only (load and check the checkpoint, export nothing), --flops HxW ... (count
convolution MACs).  Run with --help for all options.
"""
import argparse
import hashlib
import json
import os
import sys
import time
import warnings

import numpy as np

try:
    import torch
    import torch.nn as nn
    import torch.nn.functional as F
except ImportError:  # pragma: no cover
    sys.exit("export_onnx.py needs PyTorch: pip install torch onnx onnxruntime")

MODELSCOPE_ID = "damo/cv_resnet101_face-detection_cvpr22papermogface"
STRIDES = (4, 8, 16, 32, 64, 128)
OPSET = 17
CONF_TOL = 1e-3
LOC_TOL = 1e-2
# ModelScope pipeline defaults (serving); the manifest carries them.
MANIFEST_DEFAULTS = {"scoreThreshold": 0.82, "nmsThreshold": 0.4, "preNmsTopK": 5000, "maxFaces": 750}
# Reference normalisation (RGB), used to make realistic random inputs.
PIXEL_MEAN = np.array([123.675, 116.28, 103.53], dtype=np.float32)
PIXEL_STD = np.array([58.395, 57.12, 57.375], dtype=np.float32)


# --------------------------------------------------------------------------------------------------
# Network.  Module/attribute names are the reference's: they are the state-dict keys.
# --------------------------------------------------------------------------------------------------
def conv3x3(cin, cout, stride=1):
    return nn.Conv2d(cin, cout, kernel_size=3, stride=stride, padding=1, bias=False)


def conv1x1(cin, cout, stride=1):
    return nn.Conv2d(cin, cout, kernel_size=1, stride=stride, bias=False)


class Bottleneck(nn.Module):
    """torchvision-style ResNet v1.5 bottleneck (stride on the 3x3 conv)."""

    expansion = 4

    def __init__(self, inplanes, planes, stride=1, downsample=None):
        super().__init__()
        self.conv1 = conv1x1(inplanes, planes)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = conv3x3(planes, planes, stride)
        self.bn2 = nn.BatchNorm2d(planes)
        self.conv3 = conv1x1(planes, planes * self.expansion)
        self.bn3 = nn.BatchNorm2d(planes * self.expansion)
        self.relu = nn.ReLU(inplace=True)
        self.downsample = downsample

    def forward(self, x):
        identity = x if self.downsample is None else self.downsample(x)
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.relu(self.bn2(self.conv2(out)))
        out = self.bn3(self.conv3(out))
        return self.relu(out + identity)


class ResNet(nn.Module):
    """Backbone: returns C2..C5 (strides 4, 8, 16, 32; 256, 512, 1024, 2048 channels)."""

    # Blocks per stage as the MogFace reference defines them. Its depth 152 (MogFace-E) is (3, 4, 36, 3),
    # not torchvision's (3, 8, 36, 3); the strict key check would catch any other layout.
    LAYERS = {50: (3, 4, 6, 3), 101: (3, 4, 23, 3), 152: (3, 4, 36, 3)}

    def __init__(self, depth=101):
        super().__init__()
        if depth not in self.LAYERS:
            raise ValueError(f"unsupported ResNet depth {depth}")
        layers = self.LAYERS[depth]
        self.inplanes = 64
        self.conv1 = nn.Conv2d(3, 64, kernel_size=7, stride=2, padding=3, bias=False)
        self.bn1 = nn.BatchNorm2d(64)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(kernel_size=3, stride=2, padding=1)
        self.layer1 = self._make_layer(64, layers[0])
        self.layer2 = self._make_layer(128, layers[1], stride=2)
        self.layer3 = self._make_layer(256, layers[2], stride=2)
        self.layer4 = self._make_layer(512, layers[3], stride=2)

    def _make_layer(self, planes, blocks, stride=1):
        downsample = None
        if stride != 1 or self.inplanes != planes * Bottleneck.expansion:
            downsample = nn.Sequential(
                conv1x1(self.inplanes, planes * Bottleneck.expansion, stride),
                nn.BatchNorm2d(planes * Bottleneck.expansion),
            )
        layers = [Bottleneck(self.inplanes, planes, stride, downsample)]
        self.inplanes = planes * Bottleneck.expansion
        layers += [Bottleneck(self.inplanes, planes) for _ in range(1, blocks)]
        return nn.Sequential(*layers)

    def forward(self, x):
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        c2 = self.layer1(x)
        c3 = self.layer2(c2)
        c4 = self.layer3(c3)
        c5 = self.layer4(c4)
        return c2, c3, c4, c5


class FeatureFusion(nn.Module):
    def __init__(self, main_ch, lat_ch=256):
        super().__init__()
        self.main_conv = nn.Conv2d(main_ch, lat_ch, kernel_size=1)

    def forward(self, up, main):
        main = self.main_conv(main)
        res = F.interpolate(up, scale_factor=2.0, mode="bilinear", align_corners=False)
        # The upsampled map is 2*ceil(x/2) >= x: crop to the lateral map (no-op when the sizes agree).
        res = res[:, :, : main.shape[2], : main.shape[3]]
        return res + main


class LFPN(nn.Module):
    def __init__(self, with_dsfd_modules=True):
        super().__init__()
        if with_dsfd_modules:
            # Training-only: features for the DSFD-style auxiliary loss. Loaded, never called.
            self.dsfd_modules = nn.ModuleList(
                [nn.Conv2d(c, 256, kernel_size=3, padding=1) for c in (256, 512, 1024, 2048, 256, 256)]
            )
        self.c6 = nn.Sequential(
            nn.Conv2d(2048, 512, kernel_size=1), nn.BatchNorm2d(512), nn.ReLU(inplace=True),
            nn.Conv2d(512, 512, kernel_size=3, padding=1, stride=2), nn.BatchNorm2d(512),
            nn.ReLU(inplace=True),
        )
        self.c7 = nn.Sequential(
            nn.Conv2d(512, 128, kernel_size=1), nn.BatchNorm2d(128), nn.ReLU(inplace=True),
            nn.Conv2d(128, 256, kernel_size=3, padding=1, stride=2), nn.BatchNorm2d(256),
            nn.ReLU(inplace=True),
        )
        self.p2_lat = nn.Conv2d(256, 256, kernel_size=3, padding=1)
        self.p3_lat = nn.Conv2d(256, 256, kernel_size=3, padding=1)
        self.p4_lat = nn.Conv2d(256, 256, kernel_size=3, padding=1)
        self.c5_lat = nn.Conv2d(2048, 256, kernel_size=3, padding=1)
        self.c6_lat = nn.Conv2d(512, 256, kernel_size=3, padding=1)
        self.c7_lat = nn.Conv2d(256, 256, kernel_size=3, padding=1)
        self.ff_c5_c4 = FeatureFusion(1024)
        self.ff_c4_c3 = FeatureFusion(512)
        self.ff_c3_c2 = FeatureFusion(256)

    def forward(self, features):
        c2, c3, c4, c5 = features
        c6 = self.c6(c5)
        c7 = self.c7(c6)
        c5 = self.c5_lat(c5)
        c6 = self.c6_lat(c6)
        c7 = self.c7_lat(c7)
        p4 = self.ff_c5_c4(c5, c4)
        p3 = self.ff_c4_c3(p4, c3)
        p2 = self.ff_c3_c2(p3, c2)
        return [self.p2_lat(p2), self.p3_lat(p3), self.p4_lat(p4), c5, c6, c7]


class SSHContext(nn.Module):
    def __init__(self, channels, xchannels=256):
        super().__init__()
        self.conv1 = nn.Conv2d(channels, xchannels, kernel_size=3, stride=1, padding=1)
        self.conv2 = nn.Conv2d(channels, xchannels // 2, kernel_size=3, dilation=2, stride=1, padding=2)
        self.conv2_1 = nn.Conv2d(xchannels // 2, xchannels // 2, kernel_size=3, stride=1, padding=1)
        self.conv2_2 = nn.Conv2d(xchannels // 2, xchannels // 2, kernel_size=3, dilation=2, stride=1,
                                 padding=2)
        self.conv2_2_1 = nn.Conv2d(xchannels // 2, xchannels // 2, kernel_size=3, stride=1, padding=1)

    def forward(self, x):
        x1 = F.relu(self.conv1(x))
        x2 = F.relu(self.conv2(x))
        x2_1 = F.relu(self.conv2_1(x2))
        x2_2 = F.relu(self.conv2_2(x2))
        x2_2 = F.relu(self.conv2_2_1(x2_2))
        return torch.cat([x1, x2_1, x2_2], 1)


class DeepHead(nn.Module):
    def __init__(self, channels=512):
        super().__init__()
        self.conv1 = nn.Conv2d(channels, channels, 3, 1, 1)
        # conv2..conv4 are defined by the reference but its forward never calls them (it applies conv1
        # four times, and the released weights were trained that way). Kept for the strict key check.
        self.conv2 = nn.Conv2d(channels, channels, 3, 1, 1)
        self.conv3 = nn.Conv2d(channels, channels, 3, 1, 1)
        self.conv4 = nn.Conv2d(channels, channels, 3, 1, 1)
        self.gn1 = nn.GroupNorm(16, channels)
        self.gn2 = nn.GroupNorm(16, channels)
        self.gn3 = nn.GroupNorm(16, channels)
        self.gn4 = nn.GroupNorm(16, channels)

    def forward(self, x):
        x = F.relu(self.gn1(self.conv1(x)))
        x = F.relu(self.gn2(self.conv1(x)))
        x = F.relu(self.gn3(self.conv1(x)))
        return F.relu(self.gn4(self.conv1(x)))


class MogPredNet(nn.Module):
    def __init__(self, with_aux_head=False, deep_head_ch=512):
        super().__init__()
        if with_aux_head:
            # Training-only auxiliary (DSFD) head of the damo-cv code. Loaded, never called.
            self.dsfd_loc = nn.Conv2d(256, 4, kernel_size=3, stride=1, padding=1)
            self.dsfd_conf = nn.Conv2d(256, 1, kernel_size=3, stride=1, padding=1)
        self.conv_SSH = SSHContext(256, deep_head_ch // 2)
        self.deep_loc_head = DeepHead(deep_head_ch)
        self.deep_cls_head = DeepHead(deep_head_ch)
        self.pred_cls = nn.Conv2d(deep_head_ch, 1, 3, 1, 1)
        self.pred_loc = nn.Conv2d(deep_head_ch, 4, 3, 1, 1)

    def forward(self, pyramid):
        confs, locs = [], []
        for x in pyramid:
            x = self.conv_SSH(x)
            c = self.pred_cls(self.deep_cls_head(x)).permute(0, 2, 3, 1)
            l = self.pred_loc(self.deep_loc_head(x)).permute(0, 2, 3, 1)
            confs.append(c.reshape(c.shape[0], -1, 1))
            locs.append(l.reshape(l.shape[0], -1, 4))
        return torch.sigmoid(torch.cat(confs, 1)), torch.cat(locs, 1)


class MogFace(nn.Module):
    def __init__(self, depth=101, with_dsfd_modules=True, with_aux_head=False):
        super().__init__()
        self.backbone = ResNet(depth)
        self.fpn = LFPN(with_dsfd_modules)
        self.pred_net = MogPredNet(with_aux_head)

    def forward(self, x):
        return self.pred_net(self.fpn(self.backbone(x)))


# --------------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------------
def anchor_count(height, width):
    """Expected N: the stride-4 map is two ceil-halvings of the input, every further level one more."""
    total, h, w = 0, height, width
    for level in range(len(STRIDES) + 1):
        h, w = (h + 1) // 2, (w + 1) // 2
        if level >= 1:
            total += h * w
    return total


def parse_size(text):
    try:
        h, w = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"size must look like 640x480 (HxW), got {text!r}")
    if h < 1 or w < 1:
        raise argparse.ArgumentTypeError(f"size must be positive, got {text!r}")
    return h, w


def sha256_of(path):
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def log(msg):
    print(msg, flush=True)


def realistic_input(h, w, seed):
    """Random RGB pixels normalised like the reference: (p - mean) / (std * 255), NCHW float32."""
    rng = np.random.RandomState(seed)
    pixels = rng.randint(0, 256, size=(h, w, 3)).astype(np.float32)
    x = (pixels - PIXEL_MEAN) / (PIXEL_STD * 255.0)
    return np.ascontiguousarray(x.transpose(2, 0, 1)[None].astype(np.float32))


# --------------------------------------------------------------------------------------------------
# Checkpoint
# --------------------------------------------------------------------------------------------------
WRAPPER_KEYS = ("state_dict", "model", "model_state_dict", "net", "network")
STRIP_PREFIXES = ("module.", "net.", "model.")


def load_checkpoint(path):
    log(f"loading checkpoint {path}")
    try:
        obj = torch.load(path, map_location="cpu", weights_only=not ARGS.unsafe_pickle)
    except TypeError:  # torch < 1.13 has no weights_only
        obj = torch.load(path, map_location="cpu")
    except Exception as exc:  # noqa: BLE001
        if ARGS.unsafe_pickle:
            raise
        sys.exit(f"could not load {path} as plain tensors (torch.load weights_only=True): {exc}\n"
                 "If you trust this file, pass --unsafe-pickle to allow arbitrary pickled objects.")
    if isinstance(obj, nn.Module):
        obj = obj.state_dict()
    # Unwrap {'state_dict': ...} / {'model': ...} (possibly nested).
    while isinstance(obj, dict) and not any(torch.is_tensor(v) for v in obj.values()):
        inner = next((obj[k] for k in WRAPPER_KEYS if k in obj and isinstance(obj[k], dict)), None)
        if inner is None:
            sys.exit(f"checkpoint has no tensors at the top level and none of {WRAPPER_KEYS}: "
                     f"keys are {sorted(obj)[:20]}")
        obj = inner
    if not isinstance(obj, dict):
        sys.exit(f"checkpoint is a {type(obj).__name__}, expected a state dict")
    state = {k: v for k, v in obj.items() if torch.is_tensor(v)}
    skipped = sorted(set(obj) - set(state))
    if skipped:
        sys.exit(f"checkpoint has non-tensor entries among its weights: {skipped[:20]}")
    # Strip DataParallel / wrapper prefixes while every key carries them.
    changed = True
    while changed:
        changed = False
        for prefix in STRIP_PREFIXES:
            if state and all(k.startswith(prefix) for k in state):
                state = {k[len(prefix):]: v for k, v in state.items()}
                log(f"  stripped key prefix '{prefix}'")
                changed = True
    return state


def detect_layout(state, depth_arg):
    """Depth and optional training-only modules, from the key names."""
    blocks = {int(k.split(".")[2]) for k in state if k.startswith("backbone.layer3.")}
    found_depth = {6: 50, 23: 101, 36: 152}.get(len(blocks))
    depth = depth_arg if depth_arg != "auto" else found_depth
    if depth is None:
        sys.exit(f"cannot tell the ResNet depth: backbone.layer3 has {len(blocks)} blocks "
                 "(expected 23 for MogFace R101 or 36 for MogFace-E R152); is this a MogFace checkpoint?")
    depth = int(depth)
    with_dsfd_modules = any(k.startswith("fpn.dsfd_modules.") for k in state)
    with_aux_head = any(k.startswith("pred_net.dsfd_") for k in state)
    return depth, with_dsfd_modules, with_aux_head


def load_strict(model, state):
    """Strict load; fails listing missing/unexpected keys and shape mismatches."""
    own = model.state_dict()
    missing = sorted(set(own) - set(state))
    unexpected = sorted(set(state) - set(own))
    tolerated = [k for k in missing if k.endswith("num_batches_tracked")]
    missing = [k for k in missing if not k.endswith("num_batches_tracked")]
    mismatched = sorted(
        f"{k}: checkpoint {tuple(state[k].shape)} vs network {tuple(own[k].shape)}"
        for k in set(own) & set(state) if tuple(state[k].shape) != tuple(own[k].shape)
    )
    if missing or unexpected or mismatched:
        lines = ["checkpoint does not match the MogFace network:"]
        for title, items in (("missing (in network, not in checkpoint)", missing),
                             ("unexpected (in checkpoint, no place in network)", unexpected),
                             ("shape mismatch", mismatched)):
            if items:
                lines.append(f"  {title}: {len(items)}")
                lines += [f"    {k}" for k in items]
        sys.exit("\n".join(lines))
    merged = dict(own)
    merged.update({k: v.to(own[k].dtype) for k, v in state.items()})
    model.load_state_dict(merged, strict=True)
    if tolerated:
        log(f"  note: {len(tolerated)} BatchNorm num_batches_tracked counters absent from the checkpoint "
            "(unused in eval mode)")
    return len(state)


def key_report(model, loaded):
    """How the loaded tensors split between the exported graph and parts the inference never calls."""
    keys = list(model.state_dict())
    aux = [k for k in keys if k.startswith("fpn.dsfd_modules.") or k.startswith("pred_net.dsfd_")]
    dead = [k for k in keys if ".deep_" in k and any(f".conv{i}." in k for i in (2, 3, 4))]
    log(f"  {loaded} checkpoint tensors loaded strictly into {len(keys)} network tensors")
    log(f"  of these, not used at inference (not in the ONNX graph): {len(aux)} training-only auxiliary "
        f"(fpn.dsfd_modules / pred_net.dsfd_*), {len(dead)} DeepHead conv2..conv4 (never called by the "
        "reference forward)")


def random_init(model, seed):
    """Random weights with sane activation scales: random affine params, BatchNorm statistics taken from
    one forward pass on a realistic random input (so eval-mode outputs neither vanish nor explode)."""
    torch.manual_seed(seed)
    for m in model.modules():
        if isinstance(m, nn.Conv2d):
            nn.init.kaiming_normal_(m.weight, nonlinearity="relu")
            if m.bias is not None:
                nn.init.uniform_(m.bias, -0.1, 0.1)
        elif isinstance(m, (nn.BatchNorm2d, nn.GroupNorm)):
            nn.init.uniform_(m.weight, 0.5, 1.5)
            nn.init.uniform_(m.bias, -0.2, 0.2)
    for block in model.backbone.modules():
        if isinstance(block, Bottleneck):  # keep the residual sums bounded over 33 blocks
            nn.init.uniform_(block.bn3.weight, 0.1, 0.3)
    bns = [m for m in model.modules() if isinstance(m, nn.BatchNorm2d)]
    for bn in bns:
        bn.reset_running_stats()
        bn.momentum = None  # cumulative average: one pass sets the statistics exactly
    model.train()
    with torch.no_grad():
        batch = np.concatenate([realistic_input(320, 256, seed + i) for i in range(2)])
        model(torch.from_numpy(batch))
    for bn in bns:
        bn.momentum = 0.1
    model.eval()


# --------------------------------------------------------------------------------------------------
# Export and verification
# --------------------------------------------------------------------------------------------------
def export(model, path, dummy_hw):
    dummy = torch.from_numpy(realistic_input(*dummy_hw, seed=7))
    # torch 1.13 warns once per pass about prim::Constant shape inference; harmless here.
    warnings.filterwarnings("ignore", message="The shape inference of prim::Constant type is missing")
    log(f"exporting to {path} (opset {OPSET}, traced at {dummy_hw[0]}x{dummy_hw[1]}, dynamic H/W)")
    extra = {}
    try:  # torch >= 2.9 defaults to the dynamo exporter; this script is written for the TorchScript one
        import inspect
        if "dynamo" in inspect.signature(torch.onnx.export).parameters:
            extra["dynamo"] = False
    except (TypeError, ValueError):
        pass
    t0 = time.time()
    with torch.no_grad():
        torch.onnx.export(
            model, dummy, path,
            input_names=["input"], output_names=["conf", "loc"],
            dynamic_axes={"input": {2: "height", 3: "width"},
                          "conf": {1: "num_anchors"}, "loc": {1: "num_anchors"}},
            opset_version=OPSET, do_constant_folding=True, **extra,
        )
    log(f"  done in {time.time() - t0:.1f} s, {os.path.getsize(path) / 1e6:.1f} MB")


def fix_output_shapes(path):
    """Declare the outputs as [1, num_anchors, 1] / [1, num_anchors, 4]: the trace leaves the batch and
    last dims as generated symbols, and runtimes (and the service's signature check) read these."""
    try:
        import onnx
    except ImportError:
        log("  (onnx not importable: output shapes left as traced)")
        return
    model = onnx.load(path)
    for out, last in zip(model.graph.output, (1, 4)):
        dims = out.type.tensor_type.shape.dim
        if len(dims) != 3:
            sys.exit(f"output {out.name} has rank {len(dims)}, expected 3")
        for dim, value in zip(dims, (1, None, last)):
            if value is None:
                dim.dim_param = "num_anchors"
            else:
                dim.dim_value = value
    onnx.save(model, path)


def check_graph(path):
    """Structural checks that need only the onnx package."""
    try:
        import onnx
    except ImportError:
        log("  (onnx not importable: structural check skipped)")
        return
    model = onnx.load(path, load_external_data=False)
    onnx.checker.check_model(path)  # path form also works for large models
    opset = max(o.version for o in model.opset_import if o.domain in ("", "ai.onnx"))
    ins = [(i.name, [d.dim_param or d.dim_value for d in i.type.tensor_type.shape.dim])
           for i in model.graph.input]
    outs = [(o.name, [d.dim_param or d.dim_value for d in o.type.tensor_type.shape.dim])
            for o in model.graph.output]
    problems = []
    if opset < 17:
        problems.append(f"opset {opset} < 17")
    if len(ins) != 1 or ins[0][0] != "input" or len(ins[0][1]) != 4 or ins[0][1][:2] != [1, 3] \
            or not all(isinstance(d, str) for d in ins[0][1][2:]):
        problems.append(f"input is {ins}, expected input [1, 3, height, width] with symbolic H/W")
    if outs != [("conf", [1, "num_anchors", 1]), ("loc", [1, "num_anchors", 4])]:
        problems.append(f"outputs are {outs}, expected conf [1, num_anchors, 1] and loc [1, num_anchors, 4]")
    if problems:
        sys.exit("exported graph is not in the expected form: " + "; ".join(problems))
    log(f"  graph ok: opset {opset}, ir {model.ir_version}, input {ins[0][1]}, outputs {outs}")


def onnx_runner(backend):
    """A factory path -> run(x) for the first ONNX backend importable here, or None."""
    if backend in ("auto", "onnxruntime"):
        try:
            import onnxruntime as ort

            def make(path):
                sess = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
                log(f"  ONNX side: onnxruntime {ort.__version__} (CPU)")
                return lambda x: sess.run(["conf", "loc"], {"input": x})
            return make
        except ImportError:
            pass
    if backend in ("auto", "reference"):
        try:
            from onnx.reference import ReferenceEvaluator

            def make(path):
                ref = ReferenceEvaluator(path)
                log("  ONNX side: onnx.reference.ReferenceEvaluator (pure numpy and slow on this network: "
                    "pip install onnxruntime for a fast check)")
                return lambda x: ref.run(["conf", "loc"], {"input": x})
            return make
        except ImportError:
            pass
    return None


def verify(model, run, sizes, save_io):
    """Compare PyTorch with `run` (ONNX) at each size; with run=None only write the --save-io files."""
    log("verifying: PyTorch vs ONNX on the same random input" if run else
        "writing PyTorch reference outputs (no ONNX comparison)")
    index = []
    failures = []
    for h, w in sizes:
        x = realistic_input(h, w, seed=h * 10007 + w)
        expected = anchor_count(h, w)
        t0 = time.time()
        with torch.no_grad():
            conf_t, loc_t = (t.numpy() for t in model(torch.from_numpy(x)))
        msg = f"  {h}x{w}: N expected {expected}, torch {conf_t.shape[1]} ({time.time() - t0:.1f} s)"
        if conf_t.shape != (1, expected, 1) or loc_t.shape != (1, expected, 4):
            failures.append(f"{h}x{w}: torch shapes {conf_t.shape} {loc_t.shape}, expected N={expected}")
        if save_io:
            os.makedirs(save_io, exist_ok=True)
            stem = os.path.join(save_io, f"{h}x{w}")
            x.tofile(stem + ".input.f32")
            conf_t.astype(np.float32).tofile(stem + ".torch_conf.f32")
            loc_t.astype(np.float32).tofile(stem + ".torch_loc.f32")
            index.append({"height": h, "width": w, "n": expected, "input": stem + ".input.f32",
                          "conf": stem + ".torch_conf.f32", "loc": stem + ".torch_loc.f32"})
        if run is not None:
            t0 = time.time()
            conf_o, loc_o = run(x)
            t_onnx = time.time() - t0
            if conf_o.shape != (1, expected, 1) or loc_o.shape != (1, expected, 4):
                failures.append(f"{h}x{w}: onnx shapes {conf_o.shape} {loc_o.shape}, expected N={expected}")
            else:
                dc = float(np.max(np.abs(conf_o - conf_t)))
                dl = float(np.max(np.abs(loc_o - loc_t)))
                finite = bool(np.isfinite(conf_o).all() and np.isfinite(loc_o).all())
                msg += (f", onnx {conf_o.shape[1]} ({t_onnx:.1f} s): max|diff| conf {dc:.3g} "
                        f"(tol {CONF_TOL}), loc {dl:.3g} (tol {LOC_TOL})")
                if not (dc <= CONF_TOL and dl <= LOC_TOL and finite):
                    failures.append(f"{h}x{w}: conf diff {dc}, loc diff {dl}, finite {finite}")
        log(msg)
    if save_io:
        with open(os.path.join(save_io, "index.json"), "w") as fh:
            json.dump(index, fh, indent=1)
        log(f"  inputs and PyTorch outputs written to {save_io}/ (raw little-endian float32, index.json)")
    if failures:
        sys.exit("VERIFICATION FAILED:\n  " + "\n  ".join(failures))
    if run is not None:
        log("verification passed")


def count_conv_macs(model, h, w):
    """Multiply-accumulates of every Conv2d call (a shared conv counts once per call)."""
    total = [0]

    def hook(module, inputs, output):
        k = module.weight.shape[1] * module.weight.shape[2] * module.weight.shape[3]
        total[0] += output.numel() * k

    handles = [m.register_forward_hook(hook) for m in model.modules() if isinstance(m, nn.Conv2d)]
    try:
        with torch.no_grad():
            model(torch.zeros(1, 3, h, w))
    finally:
        for handle in handles:
            handle.remove()
    return total[0]


# --------------------------------------------------------------------------------------------------
def main():
    global ARGS
    p = argparse.ArgumentParser(
        description="Export MogFace (R101 'MogFace-large' or R152 'MogFace-E') to ONNX with a manifest.",
        formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__.split("\n\n", 1)[1])
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--checkpoint", help="pytorch_model.pt (ModelScope) or a damo-cv snapshot .pth")
    src.add_argument("--from-modelscope", action="store_true",
                     help=f"download {MODELSCOPE_ID} with modelscope and use its pytorch_model.pt")
    src.add_argument("--random-init", action="store_true",
                     help="real architecture with random weights (tests the export path; NOT a detector)")
    p.add_argument("--out", help="output .onnx (default mogface-large.onnx; the manifest goes next to it "
                                 "with .json)")
    p.add_argument("--name", help="manifest name (default mogface-large for R101, mogface-e for R152)")
    p.add_argument("--depth", default="auto", choices=["auto", "101", "152"],
                   help="ResNet depth (default: from the checkpoint; 101 with --random-init)")
    p.add_argument("--check-keys-only", action="store_true", help="load and check the checkpoint, then stop")
    p.add_argument("--no-verify", action="store_true", help="skip the PyTorch vs ONNX comparison")
    p.add_argument("--verify-sizes", type=parse_size, nargs="+", default=[(640, 640), (479, 641)],
                   metavar="HxW", help="input sizes for the comparison (default 640x640 479x641)")
    p.add_argument("--verify-backend", default="auto", choices=["auto", "onnxruntime", "reference"])
    p.add_argument("--save-io", metavar="DIR", help="also write the verification inputs and PyTorch "
                                                    "outputs as raw float32 files")
    p.add_argument("--export-size", type=parse_size, default=(321, 257), metavar="HxW",
                   help="trace size (any; the graph is size independent; default 321x257)")
    p.add_argument("--flops", type=parse_size, nargs="+", metavar="HxW",
                   help="print convolution GMACs/GFLOPs at these sizes and stop (no export)")
    p.add_argument("--seed", type=int, default=0, help="seed for --random-init")
    p.add_argument("--unsafe-pickle", action="store_true",
                   help="allow torch.load to unpickle arbitrary objects (only for files you trust)")
    ARGS = args = p.parse_args()

    torch.set_grad_enabled(False)
    make_runner = None
    if not (args.no_verify or args.check_keys_only or args.flops):
        make_runner = onnx_runner(args.verify_backend)
        if make_runner is None:  # fail before the slow part
            sys.exit("cannot verify the export: neither onnxruntime nor onnx.reference (onnx >= 1.13) is "
                     "importable here. pip install onnxruntime, or pass --no-verify (with --save-io DIR to "
                     "compare the outputs with another ONNX runtime yourself).")
    source = None
    if args.random_init:
        depth = 101 if args.depth == "auto" else int(args.depth)
        model = MogFace(depth, with_dsfd_modules=True, with_aux_head=True)
        log(f"building MogFace R{depth} with random weights (seed {args.seed})")
        random_init(model, args.seed)
        source = f"random-init seed={args.seed} (export-path test only; NOT a face detector)"
    else:
        ckpt = args.checkpoint
        if args.from_modelscope:
            try:
                from modelscope.hub.snapshot_download import snapshot_download
            except ImportError:
                sys.exit("--from-modelscope needs modelscope: pip install modelscope")
            model_dir = snapshot_download(MODELSCOPE_ID)
            ckpt = os.path.join(model_dir, "pytorch_model.pt")
            if not os.path.isfile(ckpt):
                sys.exit(f"{ckpt} not found in the downloaded model ({sorted(os.listdir(model_dir))})")
        state = load_checkpoint(ckpt)
        depth, with_dsfd, with_aux = detect_layout(state, args.depth)
        log(f"  layout: ResNet-{depth}, LFPN dsfd_modules {'present' if with_dsfd else 'absent'}, "
            f"auxiliary head {'present' if with_aux else 'absent'}")
        model = MogFace(depth, with_dsfd_modules=with_dsfd, with_aux_head=with_aux)
        loaded = load_strict(model, state)
        model.eval()
        key_report(model, loaded)
        digest = sha256_of(ckpt)
        origin = MODELSCOPE_ID if args.from_modelscope else os.path.basename(ckpt)
        source = f"{origin} (checkpoint sha256 {digest}), exported by models/mogface/export_onnx.py"
        if args.check_keys_only:
            log("checkpoint keys ok")
            return 0
    model.eval()
    if args.check_keys_only:
        log("--check-keys-only with --random-init: nothing to check")
        return 0

    if args.flops:
        for h, w in args.flops:
            macs = count_conv_macs(model, h, w)
            log(f"{h}x{w}: conv {macs / 1e9:.1f} GMACs = {2 * macs / 1e9:.1f} GFLOPs")
        return 0

    depth = len(model.backbone.layer3)
    name = args.name or {23: "mogface-large", 36: "mogface-e"}.get(depth, f"mogface-r{depth}")
    if args.random_init and not args.name:
        name += "-random-init"
    out = args.out or f"{name}.onnx"
    manifest_path = os.path.splitext(out)[0] + ".json"
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)

    export(model, out, args.export_size)
    fix_output_shapes(out)
    check_graph(out)
    if make_runner is not None:
        verify(model, make_runner(out), args.verify_sizes, args.save_io)
    else:
        log("NOT VERIFIED: --no-verify given, the ONNX file was not compared with PyTorch")
        if args.save_io:
            verify(model, None, args.verify_sizes, args.save_io)

    manifest = {"family": "mogface", "name": name, **MANIFEST_DEFAULTS, "sha256": sha256_of(out),
                "source": source}
    with open(manifest_path, "w") as fh:
        json.dump(manifest, fh, indent=2)
        fh.write("\n")
    log(f"wrote {out} and {manifest_path} (sha256 {manifest['sha256']})")
    return 0


ARGS = None

if __name__ == "__main__":
    sys.exit(main())
