#!/usr/bin/python3
"""PyTorch CPU side of bench:compare's inference line: CondInst R-50 inference on one image, random weights.

The same network as @boxteacher/trainer's `boxteacher_r50_1x` model, written here in plain PyTorch from the
architecture (spec/boxteacher.md): detectron2's ResNet-50 (FrozenBN, stride in the 1x1; tools/backbone/d2_resnet.py),
FPN P3-P7 (P6 from P5, P7 from relu(P6)), the FCOS head (4 GN convs per tower, 256 channels; classes, boxes,
centerness and the controller on the box tower), the mask branch (P3-P5 refined to 128 channels with BN, summed at
P3, 4 convs, 1x1 to 16 channels) and the dynamic mask head (3 layers of 8 channels on 16 + 2 relative coordinates).
Inference: score threshold 0.05 on sigmoid(class), top 1000 a level, score sqrt(class x centerness), NMS 0.6 per
class, top 100, masks for those at stride 8, upsampled x2 (aligned) and to the input, thresholded at 0.5.
Weights are random with the prior-probability bias on the class logits, as the TypeScript side initialises them.

Usage: bench_torch_condinst.py --size 800 --classes 3 --threads 2 --reps 3
Prints one JSON line: {"inferenceMs": [...], "detections": N, "threads": N, "torch": version}.
"""
import argparse
import json
import math
import os
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F
from torchvision.ops import batched_nms

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "backbone"))
from d2_resnet import D2ResNet  # noqa: E402

STRIDES = (8, 16, 32, 64, 128)
SIZES_OF_INTEREST = (64, 128, 256, 512)  # the last level's is 1024 (soi · 2)
MASK_IN, MASK_CH, MASK_LAYERS = 16, 8, 3


def conv3(cin, cout, stride=1):
    return nn.Conv2d(cin, cout, 3, stride=stride, padding=1)


class FPN(nn.Module):
    def __init__(self, channels=(512, 1024, 2048), out=256):
        super().__init__()
        self.lateral = nn.ModuleList(nn.Conv2d(c, out, 1) for c in channels)
        self.output = nn.ModuleList(conv3(out, out) for _ in channels)
        self.p6 = conv3(out, out, 2)
        self.p7 = conv3(out, out, 2)

    def forward(self, c3, c4, c5):
        l5 = self.lateral[2](c5)
        l4 = self.lateral[1](c4) + F.interpolate(l5, size=c4.shape[-2:], mode="nearest")
        l3 = self.lateral[0](c3) + F.interpolate(l4, size=c3.shape[-2:], mode="nearest")
        p3, p4, p5 = self.output[0](l3), self.output[1](l4), self.output[2](l5)
        p6 = self.p6(p5)
        return [p3, p4, p5, p6, self.p7(F.relu(p6))]


def tower(n, ch):
    layers = []
    for _ in range(n):
        layers += [conv3(ch, ch), nn.GroupNorm(32, ch), nn.ReLU()]
    return nn.Sequential(*layers)


class FCOSHead(nn.Module):
    def __init__(self, classes, ch=256, convs=4, controller=0):
        super().__init__()
        self.cls_tower, self.bbox_tower = tower(convs, ch), tower(convs, ch)
        self.cls_logits, self.bbox_pred, self.ctrness = conv3(ch, classes), conv3(ch, 4), conv3(ch, 1)
        self.controller = conv3(ch, controller)
        nn.init.constant_(self.cls_logits.bias, -math.log((1 - 0.01) / 0.01))
        self.scales = nn.Parameter(torch.ones(len(STRIDES)))

    def forward(self, feats):
        out = []
        for i, f in enumerate(feats):
            c, b = self.cls_tower(f), self.bbox_tower(f)
            out.append((self.cls_logits(c), F.relu(self.bbox_pred(b) * self.scales[i]) * STRIDES[i], self.ctrness(b), self.controller(b)))
        return out


def aligned_upsample(x, factor):
    # detectron2/AdelaiDet aligned_bilinear: pad by one, align_corners upsample, shift by factor/2
    h, w = x.shape[-2:]
    x = F.pad(x, (0, 1, 0, 1), mode="replicate")
    x = F.interpolate(x, size=(factor * h + 1, factor * w + 1), mode="bilinear", align_corners=True)
    x = F.pad(x, (factor // 2, 0, factor // 2, 0), mode="replicate")
    return x[:, :, : factor * h, : factor * w]


class MaskBranch(nn.Module):
    def __init__(self, fpn=256, ch=128, convs=4, out=MASK_IN):
        super().__init__()
        self.refine = nn.ModuleList(nn.Sequential(nn.Conv2d(fpn, ch, 3, padding=1, bias=False), nn.BatchNorm2d(ch), nn.ReLU()) for _ in range(3))
        layers = []
        for _ in range(convs):
            layers += [nn.Conv2d(ch, ch, 3, padding=1, bias=False), nn.BatchNorm2d(ch), nn.ReLU()]
        self.tower = nn.Sequential(*layers, nn.Conv2d(ch, out, 1))

    def forward(self, p3, p4, p5):
        x = self.refine[0](p3)
        for i, p in ((1, p4), (2, p5)):
            y = self.refine[i](p)
            x = x + aligned_upsample(y, x.shape[-2] // y.shape[-2])
        return self.tower(x)


def controller_params():
    n = 0
    for layer in range(MASK_LAYERS):
        cin = MASK_IN + 2 if layer == 0 else MASK_CH
        cout = 1 if layer == MASK_LAYERS - 1 else MASK_CH
        n += cin * cout + cout
    return n


def locations(h, w, stride):
    ys, xs = torch.meshgrid(torch.arange(h) * stride + stride // 2, torch.arange(w) * stride + stride // 2, indexing="ij")
    return torch.stack([xs.reshape(-1), ys.reshape(-1)], 1).float()


def dynamic_masks(mask_feats, params, locs, levels):
    """[K, H/8, W/8] mask probabilities: each instance's 3 dynamic 1x1 layers over features + relative coordinates."""
    _, c, h, w = mask_feats.shape
    k = params.shape[0]
    grid = locations(h, w, 8)  # [HW, 2]
    soi = torch.tensor([SIZES_OF_INTEREST[min(l, 3)] * (2 if l == 4 else 1) for l in levels.tolist()], dtype=torch.float32)
    rel = (locs[:, None, :] - grid[None]) / soi[:, None, None]  # [K, HW, 2]
    x = torch.cat([rel.permute(0, 2, 1), mask_feats.reshape(1, c, h * w).expand(k, -1, -1)], 1)  # [K, 18, HW]
    offset = 0
    for layer in range(MASK_LAYERS):
        cin = MASK_IN + 2 if layer == 0 else MASK_CH
        cout = 1 if layer == MASK_LAYERS - 1 else MASK_CH
        wgt = params[:, offset : offset + cin * cout].reshape(k, cout, cin)
        offset += cin * cout
        bias = params[:, offset : offset + cout].reshape(k, cout, 1)
        offset += cout
        x = torch.baddbmm(bias, wgt, x)
        if layer < MASK_LAYERS - 1:
            x = F.relu(x)
    return x.reshape(k, 1, h, w).sigmoid()


class CondInst(nn.Module):
    def __init__(self, classes):
        super().__init__()
        self.backbone = D2ResNet(50, 1.0, stride_in_1x1=True)
        self.fpn = FPN()
        self.head = FCOSHead(classes, controller=controller_params())
        self.mask_branch = MaskBranch()

    @torch.no_grad()
    def forward(self, x):
        c = self.backbone(x)
        feats = self.fpn(c["res3"], c["res4"], c["res5"])
        head = self.head(feats)
        mask_feats = self.mask_branch(*feats[:3])
        boxes, scores, classes, params, locs, levels = [], [], [], [], [], []
        for lvl, (cls, reg, ctr, ctrl) in enumerate(head):
            _, nc, h, w = cls.shape
            prob = cls.sigmoid().reshape(nc, h * w).t()  # [HW, C]
            cand = prob > 0.05
            idx = cand.nonzero()
            if idx.shape[0] > 1000:
                top = prob[cand].topk(1000).indices
                idx = idx[top]
            pos, cl = idx[:, 0], idx[:, 1]
            loc = locations(h, w, STRIDES[lvl])[pos]
            r = reg.reshape(4, h * w).t()[pos]
            boxes.append(torch.stack([loc[:, 0] - r[:, 0], loc[:, 1] - r[:, 1], loc[:, 0] + r[:, 2], loc[:, 1] + r[:, 3]], 1))
            scores.append(torch.sqrt(prob[pos, cl] * ctr.reshape(h * w)[pos].sigmoid()))
            classes.append(cl)
            params.append(ctrl.reshape(ctrl.shape[1], h * w).t()[pos])
            locs.append(loc)
            levels.append(torch.full((pos.shape[0],), lvl))
        boxes, scores, classes = torch.cat(boxes), torch.cat(scores), torch.cat(classes)
        keep = batched_nms(boxes, scores, classes, 0.6)[:100]
        if keep.numel() == 0:
            return 0
        probs = dynamic_masks(mask_feats, torch.cat(params)[keep], torch.cat(locs)[keep], torch.cat(levels)[keep])
        probs = aligned_upsample(probs, 2)  # stride 4
        masks = F.interpolate(probs, size=x.shape[-2:], mode="bilinear", align_corners=False) > 0.5
        return int(masks.shape[0])


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--size", type=int, default=800)
    p.add_argument("--classes", type=int, default=3)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--reps", type=int, default=3)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    model = CondInst(a.classes).eval()
    x = torch.randn(1, 3, a.size, a.size)
    detections = model(x)  # warm-up
    times = []
    for _ in range(a.reps):
        t0 = time.perf_counter()
        model(x)
        times.append((time.perf_counter() - t0) * 1000)
    print(json.dumps({"inferenceMs": times, "detections": detections, "threads": torch.get_num_threads(), "torch": torch.__version__}))


if __name__ == "__main__":
    main()
