#!/usr/bin/python3
"""Parity fixtures for @boxteacher/heads, written from spec/boxteacher.md §3-§5, §11 (units 10, 11, 13-18).

Run with the system interpreter (torch 1.13):  /usr/bin/python3 tools/heads/gen_fixtures.py
Writes compact JSON files into packages/heads/test/fixtures/. Every reference below is PyTorch (NCHW) code that
re-states the AdelaiDet/CondInst algorithm from the spec; results are transposed to NHWC where tensors are stored.
"""
import json
import math
import os

import torch
import torch.nn.functional as F

torch.set_grad_enabled(False)
HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, '..', '..', 'packages', 'heads', 'test', 'fixtures')
GENERATOR = 'tools/heads/gen_fixtures.py'
INF = 100000000
STRIDES = [8, 16, 32, 64, 128]
SOI = [64, 128, 256, 512]
NUM_CLASSES = 80


def r6(x):
    """Round a float for JSON (float32 has ~7 significant digits; 9 keeps it bit-faithful enough for rel 1e-6)."""
    return float('%.9g' % x)


def flat(t):
    return [r6(v) for v in t.reshape(-1).tolist()]


def write(name, obj):
    obj = {'generator': GENERATOR, **obj}
    path = os.path.join(OUT, name)
    with open(path, 'w') as f:
        json.dump(obj, f, separators=(',', ':'), allow_nan=False)
    print('%s: %.1f KB' % (name, os.path.getsize(path) / 1024))


def json_num(v):
    if isinstance(v, float) and not math.isfinite(v):
        return 'NaN' if math.isnan(v) else ('Infinity' if v > 0 else '-Infinity')
    return v


# ---------------------------------------------------------------- unit 10: locations
def compute_locations(h, w, stride):
    shifts_x = torch.arange(0, w * stride, step=stride, dtype=torch.float32)
    shifts_y = torch.arange(0, h * stride, step=stride, dtype=torch.float32)
    shift_y, shift_x = torch.meshgrid(shifts_y, shifts_x, indexing='ij')
    return torch.stack((shift_x.reshape(-1), shift_y.reshape(-1)), dim=1) + stride // 2


def level_shapes(H, W):
    """Feature sizes of p3..p7 for a padded H x W input (P6/P7: conv3x3/2 pad 1 -> ceil)."""
    shapes = [(H // 8, W // 8), (H // 16, W // 16), (H // 32, W // 32)]
    for _ in range(2):
        h, w = shapes[-1]
        shapes.append(((h + 1) // 2, (w + 1) // 2))
    return shapes


# ---------------------------------------------------------------- unit 11: fcos targets (spec §4)
def clean_boxes(boxes, classes, size):
    """detectron2 mapper: clip to the image, drop non-finite and empty boxes. Returns kept indices."""
    keep, out = [], []
    for g, b in enumerate(boxes):
        t = torch.tensor(b, dtype=torch.float32)
        if not torch.isfinite(t).all():
            continue
        if size is not None:
            h, w = size
            t[0::2] = t[0::2].clamp(min=0, max=w)
            t[1::2] = t[1::2].clamp(min=0, max=h)
        if not ((t[2] - t[0]) > 0 and (t[3] - t[1]) > 0):
            continue
        keep.append(g)
        out.append(t)
    return keep, (torch.stack(out) if out else torch.zeros((0, 4)))


def sample_region(boxes, num_loc_list, xs, ys, radius):
    cx = (boxes[:, 0] + boxes[:, 2]) * 0.5
    cy = (boxes[:, 1] + boxes[:, 3]) * 0.5
    K, G = len(xs), boxes.shape[0]
    b = boxes[None].expand(K, G, 4)
    cx = cx[None].expand(K, G)
    cy = cy[None].expand(K, G)
    cgt = torch.zeros_like(b)
    beg = 0
    for level, n in enumerate(num_loc_list):
        end = beg + n
        r = STRIDES[level] * radius
        xmin, ymin, xmax, ymax = cx[beg:end] - r, cy[beg:end] - r, cx[beg:end] + r, cy[beg:end] + r
        cgt[beg:end, :, 0] = torch.where(xmin > b[beg:end, :, 0], xmin, b[beg:end, :, 0])
        cgt[beg:end, :, 1] = torch.where(ymin > b[beg:end, :, 1], ymin, b[beg:end, :, 1])
        cgt[beg:end, :, 2] = torch.where(xmax > b[beg:end, :, 2], b[beg:end, :, 2], xmax)
        cgt[beg:end, :, 3] = torch.where(ymax > b[beg:end, :, 3], b[beg:end, :, 3], ymax)
        beg = end
    left = xs[:, None] - cgt[..., 0]
    right = cgt[..., 2] - xs[:, None]
    top = ys[:, None] - cgt[..., 1]
    bottom = cgt[..., 3] - ys[:, None]
    return torch.stack((left, top, right, bottom), -1).min(-1)[0] > 0


def fcos_targets_ref(shapes, images):
    locs = [compute_locations(h, w, s) for (h, w), s in zip(shapes, STRIDES)]
    num_loc = [len(l) for l in locs]
    ranges = []
    lo = -1
    for s in SOI:
        ranges.append([lo, s])
        lo = s
    ranges.append([lo, INF])
    size_ranges = torch.cat([torch.tensor(r, dtype=torch.float32)[None].expand(n, 2) for r, n in zip(ranges, num_loc)])
    all_locs = torch.cat(locs)
    xs, ys = all_locs[:, 0], all_locs[:, 1]
    per_im = []
    offset = 0
    dropped = []
    for n, img in enumerate(images):
        keep, boxes = clean_boxes(img['boxes'], img['classes'], img.get('size'))
        dropped += [[n, g] for g in range(len(img['boxes'])) if g not in keep]
        classes = torch.tensor([img['classes'][g] for g in keep], dtype=torch.int64)
        gidx = torch.tensor(keep, dtype=torch.int64) + offset
        offset += len(img['boxes'])
        L = len(xs)
        if boxes.shape[0] == 0:
            per_im.append((torch.full((L,), NUM_CLASSES, dtype=torch.int64), torch.zeros((L, 4)), torch.full((L,), -1, dtype=torch.int64)))
            continue
        area = (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])
        l = xs[:, None] - boxes[:, 0][None]
        t = ys[:, None] - boxes[:, 1][None]
        r = boxes[:, 2][None] - xs[:, None]
        b = boxes[:, 3][None] - ys[:, None]
        reg = torch.stack([l, t, r, b], dim=2)
        inside = sample_region(boxes, num_loc, xs, ys, 1.5)
        m = reg.max(dim=2)[0]
        cared = (m >= size_ranges[:, [0]]) & (m <= size_ranges[:, [1]])
        la = area[None].repeat(L, 1)
        la[inside == 0] = INF
        la[cared == 0] = INF
        # torch.argmin documents ties -> the first minimal index (spec: lowest GT index wins)
        inds = la.argmin(dim=1)
        min_area = la[torch.arange(L), inds]
        reg = reg[torch.arange(L), inds]
        labels = classes[inds]
        labels[min_area == INF] = NUM_CLASSES
        ginds = gidx[inds]
        ginds[min_area == INF] = -1
        per_im.append((labels, reg, ginds))
    # split per level, concatenate images within each level, divide by stride (NORM_REG_TARGETS)
    out_labels, out_reg, out_g = [], [], []
    beg = 0
    for level, n in enumerate(num_loc):
        for labels, reg, ginds in per_im:
            out_labels.append(labels[beg:beg + n])
            out_reg.append(reg[beg:beg + n] / STRIDES[level])
            out_g.append(ginds[beg:beg + n])
        beg += n
    labels = torch.cat(out_labels)
    reg = torch.cat(out_reg)
    ginds = torch.cat(out_g)
    pos = torch.nonzero(labels != NUM_CLASSES).squeeze(1)
    preg = reg[pos]
    lr = preg[:, [0, 2]]
    tb = preg[:, [1, 3]]
    ctr = torch.sqrt((lr.min(dim=-1)[0] / lr.max(dim=-1)[0]) * (tb.min(dim=-1)[0] / tb.max(dim=-1)[0]))
    return {
        'numLocations': len(labels),
        'positives': pos.tolist(),
        'labels': labels[pos].tolist(),
        'gtInds': ginds[pos].tolist(),
        'reg': flat(preg),
        'ctr': flat(ctr),
        'dropped': dropped,
    }


def targets_fixture():
    g = torch.Generator().manual_seed(7)
    cases = []

    def case(name, H, W, images):
        shapes = level_shapes(H, W)
        ref = fcos_targets_ref(shapes, images)
        imgs = [{'boxes': [[json_num(v) for v in b] for b in im['boxes']], 'classes': im['classes'], 'size': im.get('size')} for im in images]
        cases.append({'name': name, 'padded': [H, W], 'featureShapes': shapes, 'images': imgs, **ref})

    # 1. mixed sizes in one padded batch; tiny/huge/border/tie/bad boxes; an empty image.
    case('mixed-batch', 320, 384, [
        {'size': [320, 384], 'classes': [0, 5, 7, 9, 3, 4, 11], 'boxes': [
            [100, 100, 104, 104],           # tiny 4x4
            [0, 0, 128, 128],               # max reg exactly 124/.. borders of p4
            [10, 10, 110, 60], [20, 5, 70, 105],  # equal areas (5000): tie -> lower index
            [4, 4, 36, 36],                 # centre 20: sub-box edges on p3 locations (strict > 0)
            [0, 0, 384, 320],               # the whole image (p6/p7 territory)
            [64.5, 31.25, 199.75, 250.5],   # fractional coordinates
        ]},
        {'size': [200, 250], 'classes': [1, 2, 3, 4, 6, 8], 'boxes': [
            [30, 40, 20, 90],               # x1 < x0 -> dropped
            [float('nan'), 10, 50, 60],     # NaN -> dropped
            [180, 150, 300, 260],           # crosses the valid region -> clipped to 250 x 200
            [260, 210, 300, 240],           # entirely outside the valid region -> empty after clipping
            [8, 8, 72, 72],                 # 64 x 64: max reg hits 64 exactly on some p3/p4 cells
            [50, 50, 50, 90],               # zero width -> dropped
        ]},
        {'size': [256, 300], 'classes': [], 'boxes': []},  # empty image: negatives only
    ])
    # 2. huge boxes (> 512) and nested boxes on a larger canvas.
    case('large-canvas', 704, 640, [
        {'size': [704, 640], 'classes': [10, 20, 30, 40, 50], 'boxes': [
            [0, 0, 640, 704], [20, 30, 620, 680], [100, 100, 356, 356], [96, 96, 352, 352], [300, 300, 316, 316],
        ]},
        {'size': [600, 500], 'classes': [12], 'boxes': [[0, 0, 500, 600]]},
    ])
    # 3. random integer (even) boxes: many exact hits of the 64/128/256 borders and of the centre sub-box edges.
    imgs = []
    for n in range(2):
        boxes, classes = [], []
        for _ in range(14):
            w = int(torch.randint(1, 80, (1,), generator=g)) * 4
            h = int(torch.randint(1, 80, (1,), generator=g)) * 4
            x0 = int(torch.randint(0, max(1, (384 - w) // 2), (1,), generator=g)) * 2
            y0 = int(torch.randint(0, max(1, (352 - h) // 2), (1,), generator=g)) * 2
            boxes.append([x0, y0, x0 + w, y0 + h])
            classes.append(int(torch.randint(0, NUM_CLASSES, (1,), generator=g)))
        imgs.append({'size': [352, 384], 'classes': classes, 'boxes': boxes})
    case('random-integer', 352, 384, imgs)
    # 4. all images empty.
    case('all-empty', 64, 96, [{'size': [64, 96], 'classes': [], 'boxes': []}, {'size': [40, 60], 'classes': [], 'boxes': []}])
    locs = [{'h': h, 'w': w, 'stride': s, 'locations': flat(compute_locations(h, w, s))} for (h, w, s) in [(3, 5, 8), (2, 3, 128), (1, 1, 16), (4, 2, 64)]]
    write('fcos-targets.json', {'cases': cases, 'locations': locs})


# ---------------------------------------------------------------- layout helpers (PyTorch -> TF.js NHWC / HWIO)
def nhwc(t):
    return t.permute(0, 2, 3, 1).contiguous()


def tensor_entry(t):
    return {'shape': list(t.shape), 'data': flat(t)}


def state_entry(name, t):
    """A state-dict entry in the TS module's layout: conv kernels OIHW -> HWIO."""
    if t.dim() == 4:
        t = t.permute(2, 3, 1, 0).contiguous()
    return name, {'shape': list(t.shape), 'data': flat(t.float()) if t.dtype.is_floating_point else t.reshape(-1).tolist()}


def state_dict_json(module, rename=lambda k: k):
    out = {}
    for k, v in module.state_dict().items():
        name, entry = state_entry(rename(k), v)
        out[name] = entry
    return out


# ---------------------------------------------------------------- unit 28-ish: FPN P3-P7 (spec §3)
class FPNRef(torch.nn.Module):
    def __init__(self, in_channels, out):
        super().__init__()
        for stage, c in zip((3, 4, 5), in_channels):
            setattr(self, 'fpn_lateral%d' % stage, torch.nn.Conv2d(c, out, 1))
            setattr(self, 'fpn_output%d' % stage, torch.nn.Conv2d(out, out, 3, padding=1))
        self.top_block = torch.nn.Module()
        self.top_block.p6 = torch.nn.Conv2d(out, out, 3, stride=2, padding=1)
        self.top_block.p7 = torch.nn.Conv2d(out, out, 3, stride=2, padding=1)

    def forward(self, c3, c4, c5):
        t5 = self.fpn_lateral5(c5)
        t4 = self.fpn_lateral4(c4) + F.interpolate(t5, scale_factor=2.0, mode='nearest')
        t3 = self.fpn_lateral3(c3) + F.interpolate(t4, scale_factor=2.0, mode='nearest')
        p5 = self.fpn_output5(t5)
        p6 = self.top_block.p6(p5)
        p7 = self.top_block.p7(F.relu(p6))
        return [self.fpn_output3(t3), self.fpn_output4(t4), p5, p6, p7]


def fpn_fixture():
    torch.manual_seed(3)
    m = FPNRef([8, 16, 32], 8)
    for p_ in m.parameters():
        p_.data.uniform_(-0.3, 0.3)
    # padded 96 x 160: C5 is 3 x 5 (odd) so P6/P7 exercise the symmetric stride-2 padding.
    c3, c4, c5 = torch.randn(2, 8, 12, 20), torch.randn(2, 16, 6, 10), torch.randn(2, 32, 3, 5)
    outs = m(c3, c4, c5)
    return {
        'options': {'inChannels': {'res3': 8, 'res4': 16, 'res5': 32}, 'outChannels': 8},
        'state': state_dict_json(m),
        'inputs': {'res3': tensor_entry(nhwc(c3)), 'res4': tensor_entry(nhwc(c4)), 'res5': tensor_entry(nhwc(c5))},
        'outputs': {name: tensor_entry(nhwc(o)) for name, o in zip(['p3', 'p4', 'p5', 'p6', 'p7'], outs)},
    }


# ---------------------------------------------------------------- FCOS head (spec §4 architecture)
class FCOSHeadRef(torch.nn.Module):
    def __init__(self, c, num_convs, groups, num_classes, num_gen):
        super().__init__()
        for name in ('cls_tower', 'bbox_tower'):
            layers = []
            for _ in range(num_convs):
                layers += [torch.nn.Conv2d(c, c, 3, padding=1), torch.nn.GroupNorm(groups, c), torch.nn.ReLU()]
            setattr(self, name, torch.nn.Sequential(*layers))
        self.cls_logits = torch.nn.Conv2d(c, num_classes, 3, padding=1)
        self.bbox_pred = torch.nn.Conv2d(c, 4, 3, padding=1)
        self.ctrness = torch.nn.Conv2d(c, 1, 3, padding=1)
        self.scales = torch.nn.ModuleList()
        for _ in range(5):
            s = torch.nn.Module()
            s.scale = torch.nn.Parameter(torch.tensor([1.0]))
            self.scales.append(s)
        self.controller = torch.nn.Conv2d(c, num_gen, 3, padding=1)

    def forward(self, feats):
        out = {'logits': [], 'bboxReg': [], 'ctrness': [], 'topFeats': []}
        for l, x in enumerate(feats):
            ct, bt = self.cls_tower(x), self.bbox_tower(x)
            out['logits'].append(self.cls_logits(ct))
            out['ctrness'].append(self.ctrness(bt))
            out['bboxReg'].append(F.relu(self.bbox_pred(bt) * self.scales[l].scale))
            out['topFeats'].append(self.controller(bt))
        return out


def fcos_head_fixture():
    torch.manual_seed(5)
    m = FCOSHeadRef(8, 2, 4, 3, 10)
    for name, p_ in m.named_parameters():
        if name.startswith('scales'):
            p_.data.uniform_(0.5, 1.5)
        elif name.endswith('weight') and p_.dim() == 1:  # GN gamma
            p_.data.uniform_(0.5, 1.5)
        else:
            p_.data.uniform_(-0.3, 0.3)
    feats = [torch.randn(2, 8, h, w) for h, w in [(8, 10), (4, 5), (2, 3), (1, 2), (1, 1)]]
    out = m(feats)
    return {
        'options': {'inChannels': 8, 'numConvs': 2, 'gnGroups': 4, 'numClasses': 3, 'numGenParams': 10},
        'state': state_dict_json(m),
        'inputs': [tensor_entry(nhwc(f)) for f in feats],
        'outputs': {k: [tensor_entry(nhwc(t)) for t in v] for k, v in out.items()},
    }


# ---------------------------------------------------------------- unit 9 helper: aligned_bilinear (spec §5)
def aligned_bilinear(t, factor):
    if factor == 1:
        return t
    h, w = t.shape[2:]
    t = F.pad(t, pad=(0, 1, 0, 1), mode='replicate')
    oh, ow = factor * h + 1, factor * w + 1
    t = F.interpolate(t, size=(oh, ow), mode='bilinear', align_corners=True)
    t = F.pad(t, pad=(factor // 2, 0, factor // 2, 0), mode='replicate')
    return t[:, :, :oh - 1, :ow - 1]


# ---------------------------------------------------------------- unit 17: mask branch (spec §5)
class MaskBranchRef(torch.nn.Module):
    def __init__(self, cin, ch, num_convs, out):
        super().__init__()
        block = lambda a, b: torch.nn.Sequential(torch.nn.Conv2d(a, b, 3, padding=1, bias=False), torch.nn.BatchNorm2d(b), torch.nn.ReLU())
        self.refine = torch.nn.ModuleList([block(cin, ch) for _ in range(3)])
        self.tower = torch.nn.Sequential(*([block(ch, ch) for _ in range(num_convs)] + [torch.nn.Conv2d(ch, out, 1)]))

    def forward(self, p3, p4, p5):
        x = self.refine[0](p3)
        for i, p in ((1, p4), (2, p5)):
            xp = self.refine[i](p)
            x = x + aligned_bilinear(xp, x.shape[2] // xp.shape[2])
        return self.tower(x)


def mask_branch_fixture():
    torch.manual_seed(11)
    m = MaskBranchRef(16, 8, 2, 4)
    for name, b in m.named_buffers():
        if 'running_mean' in name:
            b.uniform_(-0.2, 0.2)
        elif 'running_var' in name:
            b.uniform_(0.5, 1.5)
    for name, p_ in m.named_parameters():
        if p_.dim() == 1 and 'tower.2' not in name:  # BN affine
            p_.data.uniform_(0.5, 1.5) if name.endswith('weight') else p_.data.uniform_(-0.2, 0.2)
    state = state_dict_json(m)
    p3, p4, p5 = torch.randn(2, 16, 8, 8), torch.randn(2, 16, 4, 4), torch.randn(2, 16, 2, 2)
    m.train()
    train_out = m(p3, p4, p5)
    after = {k: entry for k, entry in state_dict_json(m).items() if 'running' in k}
    m.eval()
    eval_out = m(p3, p4, p5)
    return {
        'options': {'inChannels': 16, 'channels': 8, 'numConvs': 2, 'outChannels': 4},
        'state': state,
        'inputs': {'p3': tensor_entry(nhwc(p3)), 'p4': tensor_entry(nhwc(p4)), 'p5': tensor_entry(nhwc(p5))},
        'trainOutput': tensor_entry(nhwc(train_out)),
        'runningStatsAfterTrain': after,
        'evalOutput': tensor_entry(nhwc(eval_out)),
    }


# ---------------------------------------------------------------- unit 16: dynamic mask head (spec §5)
SOI_MASK = [64, 128, 256, 512, 1024]


def dynamic_head_ref(mask_feats, params, im_inds, locs, levels, cin=16, ch=8, num_layers=3, feat_stride=8, out_stride=4):
    n = params.shape[0]
    N, C, H, W = mask_feats.shape
    ins = [cin + 2] + [ch] * (num_layers - 1)
    outs = [ch] * (num_layers - 1) + [1]
    wn = [i * o for i, o in zip(ins, outs)]
    splits = list(torch.split_with_sizes(params, wn + outs, dim=1))
    weights = [splits[l].reshape(n * outs[l], ins[l], 1, 1) for l in range(num_layers)]  # row-major [out, in]
    biases = [splits[num_layers + l].reshape(n * outs[l]) for l in range(num_layers)]
    pix = compute_locations(H, W, feat_stride)
    rel = locs.reshape(-1, 1, 2) - pix.reshape(1, -1, 2)  # instance - pixel
    rel = rel.permute(0, 2, 1).float() / torch.tensor(SOI_MASK, dtype=torch.float32)[levels].reshape(-1, 1, 1)
    x = torch.cat([rel, mask_feats[im_inds].reshape(n, C, H * W)], dim=1).reshape(1, -1, H, W)
    for l in range(num_layers):
        x = F.conv2d(x, weights[l], bias=biases[l], groups=n)
        if l < num_layers - 1:
            x = F.relu(x)
    return aligned_bilinear(x.reshape(n, 1, H, W), feat_stride // out_stride)


def dynamic_head_fixture():
    g = torch.Generator().manual_seed(13)
    cases = []
    for (N, H, W, n) in [(2, 6, 7, 5), (1, 5, 5, 3)]:
        feats = torch.randn(N, 16, H, W, generator=g)
        params = torch.randn(n, 233, generator=g) * 0.5
        im_inds = torch.randint(0, N, (n,), generator=g)
        levels = torch.randint(0, 5, (n,), generator=g)
        locs = torch.stack([torch.randint(0, W * 8, (n,), generator=g), torch.randint(0, H * 8, (n,), generator=g)], 1).float()
        out = dynamic_head_ref(feats, params, im_inds, locs, levels)
        cases.append({
            'maskFeats': tensor_entry(nhwc(feats)), 'params': tensor_entry(params), 'imInds': im_inds.tolist(),
            'fpnLevels': levels.tolist(), 'locations': flat(locs), 'logits': tensor_entry(nhwc(out)),
        })
    return cases


# ---------------------------------------------------------------- unit 18: top-k sampling per image (spec §5)
def topk_sampling_ref(gt_inds, im_inds, logits, ctr, topk, num_images):
    kept = []
    for im in range(num_images):
        sel = torch.nonzero(im_inds == im).squeeze(1)
        if len(sel) == 0:
            continue
        uniq = gt_inds[sel].unique()
        k = max(int(topk / len(uniq)), 1)
        for gi in uniq:
            s2 = sel[gt_inds[sel] == gi]
            if len(s2) > k:
                score = logits[s2].sigmoid().max(dim=1)[0] * ctr[s2].sigmoid()
                s2 = s2[score.topk(k=k, dim=0)[1]]
            kept += s2.tolist()
    return kept


def topk_fixture():
    g = torch.Generator().manual_seed(17)
    P = 150
    im_inds = torch.sort(torch.randint(0, 3, (P,), generator=g))[0]
    im_inds[im_inds == 1] = 3  # image 1 has no positives; batch of 4
    gt_inds = torch.randint(0, 6, (P,), generator=g) + im_inds * 10
    logits = torch.randn(P, 5, generator=g) * 2
    ctr = torch.randn(P, generator=g)
    cases = []
    for topk in (16, 64, 7):
        cases.append({'topk': topk, 'kept': topk_sampling_ref(gt_inds, im_inds, logits, ctr, topk, 4)})
    return {'numImages': 4, 'gtInds': gt_inds.tolist(), 'imInds': im_inds.tolist(), 'clsLogits': flat(logits), 'ctrLogits': flat(ctr), 'cases': cases}


# ---------------------------------------------------------------- units 13, 14: FCOS losses (spec §4)
def focal_sum(x, t, alpha=0.25, gamma=2.0):
    p = torch.sigmoid(x)
    ce = F.binary_cross_entropy_with_logits(x, t, reduction='none')
    p_t = p * t + (1 - p) * (1 - t)
    loss = ce * ((1 - p_t) ** gamma)
    loss = (alpha * t + (1 - alpha) * (1 - t)) * loss
    return loss.sum()


def ltrb_iou_giou(pred, target):
    pl, pt, pr, pb = pred.unbind(1)
    tl, tt, tr, tb = target.unbind(1)
    ta = (tl + tr) * (tt + tb)
    pa = (pl + pr) * (pt + pb)
    wi = torch.min(pl, tl) + torch.min(pr, tr)
    hi = torch.min(pb, tb) + torch.min(pt, tt)
    gw = torch.max(pl, tl) + torch.max(pr, tr)
    gh = torch.max(pb, tb) + torch.max(pt, tt)
    c = gw * gh
    inter = wi * hi
    union = ta + pa - inter
    iou = (inter + 1.0) / (union + 1.0)
    return iou, iou - (c - union) / c


def fcos_losses_fixture():
    g = torch.Generator().manual_seed(19)
    H, W = 96, 128
    shapes = level_shapes(H, W)
    C = 3
    cases = []
    image_sets = {
        'boxes': [
            {'size': [96, 128], 'classes': [0, 2, 1], 'boxes': [[10, 12, 60, 70], [40, 8, 120, 90], [70, 50, 90, 66]]},
            {'size': [80, 100], 'classes': [1, 1], 'boxes': [[5, 5, 95, 75], [30, 30, 46, 50]]},
        ],
        'no-positives': [{'size': [96, 128], 'classes': [], 'boxes': []}, {'size': [80, 100], 'classes': [], 'boxes': []}],
    }
    for name, images in image_sets.items():
        ref = fcos_targets_ref(shapes, images)
        logits = [torch.randn(2, C, h, w, generator=g) - 2 for h, w in shapes]
        reg = [torch.rand(2, 4, h, w, generator=g) * 4 + 0.1 for h, w in shapes]
        ctr = [torch.randn(2, 1, h, w, generator=g) for h, w in shapes]
        flat_logits = torch.cat([x.permute(0, 2, 3, 1).reshape(-1, C) for x in logits])
        flat_reg = torch.cat([x.permute(0, 2, 3, 1).reshape(-1, 4) for x in reg])
        flat_ctr = torch.cat([x.permute(0, 2, 3, 1).reshape(-1) for x in ctr])
        L = flat_logits.shape[0]
        labels = torch.full((L,), C, dtype=torch.int64)
        pos = torch.tensor(ref['positives'], dtype=torch.int64)
        labels[pos] = torch.tensor(ref['labels'], dtype=torch.int64)
        onehot = torch.zeros(L, C)
        onehot[pos, labels[pos]] = 1.0
        num_pos_avg = max(len(pos), 1.0)
        loss_cls = focal_sum(flat_logits, onehot) / num_pos_avg
        if len(pos) > 0:
            reg_t = torch.tensor(ref['reg'], dtype=torch.float32).reshape(-1, 4)
            ctr_t = torch.tensor(ref['ctr'], dtype=torch.float32)
            ious, gious = ltrb_iou_giou(flat_reg[pos], reg_t)
            loss_loc = ((1 - gious) * ctr_t).sum() / max(ctr_t.sum().item(), 1e-6)
            loss_ctr = F.binary_cross_entropy_with_logits(flat_ctr[pos], ctr_t, reduction='sum') / num_pos_avg
            iou_vals = {'iou': flat(ious), 'giou': flat(gious)}
        else:
            loss_loc = flat_reg.sum() * 0
            loss_ctr = flat_ctr.sum() * 0
            iou_vals = {'iou': [], 'giou': []}
        cases.append({
            'name': name, 'featureShapes': shapes, 'images': images, 'numClasses': C,
            'logits': [tensor_entry(nhwc(x)) for x in logits], 'bboxReg': [tensor_entry(nhwc(x)) for x in reg],
            'ctrness': [tensor_entry(nhwc(x)) for x in ctr],
            'positives': ref['positives'],
            'lossFcosCls': r6(loss_cls.item()), 'lossFcosLoc': r6(loss_loc.item()), 'lossFcosCtr': r6(loss_ctr.item()), **iou_vals,
        })
    return cases


# ---------------------------------------------------------------- unit 15: inference + NMS (spec §4)
def fcos_inference_ref(logits, reg, ctr, top, thr, pre_topk, nms_th, post_topk):
    import torchvision
    N, C = logits[0].shape[:2]
    shapes = [x.shape[2:] for x in logits]
    level_off = []
    off = 0
    for h, w in shapes:
        level_off.append(off)
        off += N * h * w
    flat_top = torch.cat([t.permute(0, 2, 3, 1).reshape(-1, t.shape[1]) for t in top])
    results, margins = [], {'thr': 1.0, 'topk': 1.0, 'iou': 1.0}
    for i in range(N):
        boxes, scores, classes, locs, levels, flat_idx = [], [], [], [], [], []
        for l, (h, w) in enumerate(shapes):
            s = STRIDES[l]
            cls = logits[l][i].permute(1, 2, 0).reshape(-1, C).sigmoid()
            ct = ctr[l][i].permute(1, 2, 0).reshape(-1).sigmoid()
            sc = cls * ct[:, None]  # THRESH_WITH_CTR: multiply before thresholding
            margins['thr'] = min(margins['thr'], ((sc - thr).abs() / thr).min().item())
            cand = sc > thr
            vals = sc[cand]
            nz = cand.nonzero()
            loc_i, cls_i = nz[:, 0], nz[:, 1]
            k = min(int(cand.sum()), pre_topk)
            if int(cand.sum()) > k:
                srt = vals.sort(descending=True)[0]
                margins['topk'] = min(margins['topk'], ((srt[k - 1] - srt[k]) / srt[k - 1]).item())
                vals, ti = vals.topk(k, sorted=False)
                loc_i, cls_i = loc_i[ti], cls_i[ti]
            L = compute_locations(h, w, s)[loc_i]
            r = reg[l][i].permute(1, 2, 0).reshape(-1, 4)[loc_i] * s
            boxes.append(torch.stack([L[:, 0] - r[:, 0], L[:, 1] - r[:, 1], L[:, 0] + r[:, 2], L[:, 1] + r[:, 3]], 1))
            scores.append(torch.sqrt(vals))
            classes.append(cls_i)
            locs.append(L)
            levels.append(torch.full_like(cls_i, l))
            flat_idx.append(level_off[l] + i * h * w + loc_i)
        boxes, scores, classes = torch.cat(boxes), torch.cat(scores), torch.cat(classes)
        locs, levels, flat_idx = torch.cat(locs), torch.cat(levels), torch.cat(flat_idx)
        same = classes[:, None] == classes[None]
        iou = torchvision.ops.box_iou(boxes, boxes)
        near = (iou[same] - nms_th).abs()
        margins['iou'] = min(margins['iou'], near.min().item() if near.numel() else 1.0)
        keep = torchvision.ops.batched_nms(boxes, scores, classes, nms_th)
        if len(keep) > post_topk > 0:
            kth, _ = torch.kthvalue(scores[keep], len(keep) - post_topk + 1)
            keep = keep[scores[keep] >= kth.item()]
        results.append({
            'boxes': flat(boxes[keep]), 'scores': flat(scores[keep]), 'classes': classes[keep].tolist(),
            'locations': flat(locs[keep]), 'fpnLevels': levels[keep].tolist(), 'flatIndices': flat_idx[keep].tolist(),
            'topFeats': flat(flat_top[flat_idx[keep]]),
        })
    return results, margins


def inference_fixture():
    cases = []
    configs = [
        ('defaults', 128, 160, 4, {}, -1.0),
        ('small-topk', 128, 160, 4, {'preNmsTopk': 40, 'postNmsTopk': 25}, -0.5),
    ]
    for name, H, W, C, opts, bias in configs:
        o = {'scoreThresh': 0.05, 'preNmsTopk': 1000, 'nmsThresh': 0.6, 'postNmsTopk': 100, **opts}
        for attempt in range(50):
            g = torch.Generator().manual_seed(23 + 100 * attempt + len(cases))
            shapes = level_shapes(H, W)
            logits = [torch.randn(2, C, h, w, generator=g) * 1.5 + bias for h, w in shapes]
            reg = [torch.rand(2, 4, h, w, generator=g) * 2 + 0.05 for h, w in shapes]
            ctr = [torch.randn(2, 1, h, w, generator=g) for h, w in shapes]
            top = [torch.randn(2, 3, h, w, generator=g) for h, w in shapes]
            res, margins = fcos_inference_ref(logits, reg, ctr, top, o['scoreThresh'], o['preNmsTopk'], o['nmsThresh'], o['postNmsTopk'])
            if margins['thr'] > 1e-4 and margins['topk'] > 1e-5 and margins['iou'] > 1e-4:
                break
        else:
            raise RuntimeError('no tie-free inference case found')
        print('inference %s: detections %s, margins %s' % (name, [len(r['scores']) for r in res], margins))
        cases.append({
            'name': name, 'options': o, 'logits': [tensor_entry(nhwc(x)) for x in logits],
            'bboxReg': [tensor_entry(nhwc(x)) for x in reg], 'ctrness': [tensor_entry(nhwc(x)) for x in ctr],
            'topFeats': [tensor_entry(nhwc(x)) for x in top], 'detections': res,
        })
    return cases


if __name__ == '__main__':
    os.makedirs(OUT, exist_ok=True)
    targets_fixture()
    write('modules.json', {'fpn': fpn_fixture(), 'fcosHead': fcos_head_fixture(), 'maskBranch': mask_branch_fixture()})
    write('condinst.json', {'dynamicMaskHead': dynamic_head_fixture(), 'topkSampling': topk_fixture()})
    write('fcos-losses.json', {'cases': fcos_losses_fixture()})
    write('fcos-inference.json', {'cases': inference_fixture()})
