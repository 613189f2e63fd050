#!/usr/bin/python3
"""Reference fixtures for @boxteacher/losses, written from the formulas of spec/boxteacher.md §4, §6, §7 in
PyTorch (float64, NCHW, autograd for gradients). torchvision's own sigmoid_focal_loss and
generalized_box_iou_loss are used where api.md says "same as torchvision".

Run:  /usr/bin/python3 tools/losses/gen_fixtures.py   (torch 1.13, torchvision 0.14)
Writes packages/losses/test/fixtures/losses.json. Every input is first rounded to float32 (the tests feed
float32 tensors); outputs and gradients are float64. Layouts are NCHW: masks [K,1,H,W], neighbour stacks
[K,8,H,W], images [N,3,H,W]; the tests transpose to NHWC.
"""
import json
import os

import torch
import torch.nn.functional as F
import torchvision
from torchvision.ops import generalized_box_iou_loss, sigmoid_focal_loss

torch.set_default_dtype(torch.float64)
G = torch.Generator().manual_seed(20231)
OUT = os.path.join(os.path.dirname(__file__), '..', '..', 'packages', 'losses', 'test', 'fixtures', 'losses.json')


def f32(x):
    """Round to float32 and back: the exact values the TypeScript side sees."""
    return x.float().double()


def randn(*shape, scale=1.0):
    return f32(torch.randn(*shape, generator=G) * scale)


def rand(*shape, lo=0.0, hi=1.0):
    return f32(lo + (hi - lo) * torch.rand(*shape, generator=G))


def enc(t):
    t = t.detach()
    return {'shape': list(t.shape), 'data': [float('%.10g' % v) for v in t.reshape(-1).tolist()]}


def grad_of(fn, x, *rest):
    """Value of fn(x, *rest) and d sum(fn) / dx."""
    x = x.clone().requires_grad_(True)
    y = fn(x, *rest)
    (g,) = torch.autograd.grad(y.sum(), x, allow_unused=True)
    return y.detach(), (torch.zeros_like(x) if g is None else g)


# ---------------------------------------------------------------- formulas (spec/boxteacher.md)

def unfold_wo_center(x, k, d):
    """AdelaiDet's unfold_wo_center via F.unfold: [N,C,H,W] -> [N,C,k*k-1,H,W] (zero padding)."""
    p = (k + (d - 1) * (k - 1)) // 2
    n, c, h, w = x.shape
    u = F.unfold(x, kernel_size=k, padding=p, dilation=d).reshape(n, c, k * k, h, w)
    return torch.cat((u[:, :, : k * k // 2], u[:, :, k * k // 2 + 1:]), dim=2)


def dice(x, t, eps=1e-5):
    x = x.flatten(1)
    t = t.flatten(1)
    return 1.0 - 2.0 * (x * t).sum(1) / ((x * x).sum(1) + (t * t).sum(1) + eps)


def projection(scores, boxes):
    ly = dice(scores.max(dim=2, keepdim=True)[0], boxes.max(dim=2, keepdim=True)[0])
    lx = dice(scores.max(dim=3, keepdim=True)[0], boxes.max(dim=3, keepdim=True)[0])
    return lx + ly


def pairwise_log_prob(z, k=3, d=2):
    """-log P(same) [K,8,H,W] exactly as AdelaiDet's compute_pairwise_term."""
    lf = F.logsigmoid(z)
    lb = F.logsigmoid(-z)
    lfu = unfold_wo_center(lf, k, d)
    lbu = unfold_wo_center(lb, k, d)
    a = lf[:, :, None] + lfu
    b = lb[:, :, None] + lbu
    m = torch.max(a, b)
    return -(torch.log(torch.exp(a - m) + torch.exp(b - m)) + m)[:, 0]


def rgb_to_lab(rgb):
    """skimage rgb2lab formula on [N,3,H,W] in 0..255."""
    c = rgb / 255.0
    lin = torch.where(c > 0.04045, ((c + 0.055) / 1.055) ** 2.4, c / 12.92)
    m = torch.tensor([[0.412453, 0.357580, 0.180423], [0.212671, 0.715160, 0.072169], [0.019334, 0.119193, 0.950227]])
    xyz = torch.einsum('ij,njhw->nihw', m, lin)
    xyz = xyz / torch.tensor([0.95047, 1.0, 1.08883]).view(1, 3, 1, 1)
    f = torch.where(xyz > 0.008856, xyz.clamp(min=0) ** (1.0 / 3.0), 7.787 * xyz + 16.0 / 116.0)
    L = 116.0 * f[:, 1] - 16.0
    a = 500.0 * (f[:, 0] - f[:, 1])
    b = 200.0 * (f[:, 1] - f[:, 2])
    return torch.stack([L, a, b], 1)


def color_similarity(lab, valid, k=3, d=2):
    u = unfold_wo_center(lab, k, d)
    diff = lab[:, :, None] - u
    sim = torch.exp(-torch.norm(diff, dim=1) * 0.5)
    vu = unfold_wo_center(valid, k, d).max(dim=1)[0]
    return sim * vu


def boxinst_pairwise(z, sim, box, thresh=0.3):
    w = (sim >= thresh).double() * box
    L = pairwise_log_prob(z)
    return (L * w).sum() / w.sum().clamp(min=1.0)


def pseudo_affinity(m, valid, k=3, d=2):
    ms = (F.avg_pool2d(m, 3, 1, 1, count_include_pad=True) + m) / 2
    u = unfold_wo_center(ms, k, d)[:, 0]
    a = ms * u + (1 - ms) * (1 - u)
    return a * unfold_wo_center(valid, k, d)[:, 0]


def noise_aware_pixel(scores, pseudo, flags):
    num = torch.clamp((flags > 0).double().sum(), min=1.0)
    return (flags * dice(scores, pseudo)).sum() / num


def noise_reduced_affinity(z, aff, box, flags, thresh=0.5):
    w = ((aff >= thresh).double() if thresh >= 0 else aff) * box
    L = pairwise_log_prob(z)
    per = (L * w).sum((1, 2, 3)) / w.sum((1, 2, 3)).clamp(min=1.0)
    num = torch.clamp((flags > 0).double().sum(), min=1.0)
    return (flags * per).sum() / num


def box_masks_ref(boxes, H, W, stride=4):
    start = stride // 2
    out = []
    for b in boxes.tolist():
        full = torch.zeros(H, W)
        full[int(b[1]):int(b[3] + 1), int(b[0]):int(b[2] + 1)] = 1.0
        out.append(full[start::stride, start::stride])
    h4, w4 = len(range(start, H, stride)), len(range(start, W, stride))
    return torch.stack(out)[:, None] if out else torch.zeros(0, 1, h4, w4)


def ltrb_iou(p, t):
    pl, pt, pr, pb = p.unbind(1)
    tl, tt, tr, tb = t.unbind(1)
    ta = (tl + tr) * (tt + tb)
    pa = (pl + pr) * (pt + pb)
    wi = torch.min(pl, tl) + torch.min(pr, tr)
    hi = torch.min(pb, tb) + torch.min(pt, tt)
    gw = torch.max(pl, tl) + torch.max(pr, tr)
    gh = torch.max(pb, tb) + torch.max(pt, tt)
    ac = gw * gh
    inter = wi * hi
    union = ta + pa - inter
    ious = (inter + 1.0) / (union + 1.0)
    gious = ious - (ac - union) / ac
    return ious, gious


def corner_iou(p, t, eps=1e-7):
    x0, y0, x1, y1 = p.unbind(1)
    g0, h0, g1, h1 = t.unbind(1)
    iw = (torch.min(x1, g1) - torch.max(x0, g0)).clamp(min=0)
    ih = (torch.min(y1, h1) - torch.max(y0, h0)).clamp(min=0)
    inter = iw * ih
    union = (x1 - x0) * (y1 - y0) + (g1 - g0) * (h1 - h0) - inter
    return inter / (union + eps)


def iou_loss_xyxy(p, t, kind):
    if kind == 'giou':
        return generalized_box_iou_loss(p, t, reduction='none')
    iou = corner_iou(p, t)
    return 1 - iou if kind == 'linear_iou' else -torch.log(iou.clamp(min=1e-7))


def fcos_iou_loss(p, t, kind):
    ious, gious = ltrb_iou(p, t)
    return {'iou': -torch.log(ious), 'linear_iou': 1 - ious, 'giou': 1 - gious}[kind]


def bce_logits(z, t):
    return F.binary_cross_entropy_with_logits(z, t, reduction='none')


def ctr_target(r):
    lr = r[:, [0, 2]]
    tb = r[:, [1, 3]]
    return torch.sqrt((lr.min(-1)[0] / lr.max(-1)[0]) * (tb.min(-1)[0] / tb.max(-1)[0]))


# ---------------------------------------------------------------- inputs

def rect_masks(K, H, W, touch_border=False, empty_last=False):
    m = torch.zeros(K, 1, H, W)
    for k in range(K):
        y0 = 0 if touch_border else int(torch.randint(0, max(H - 1, 1), (1,), generator=G))
        x0 = int(torch.randint(0, max(W - 1, 1), (1,), generator=G))
        y1 = H if touch_border else int(torch.randint(y0 + 1, H + 1, (1,), generator=G))
        x1 = W if (touch_border and k % 2 == 0) else int(torch.randint(x0 + 1, W + 1, (1,), generator=G))
        m[k, 0, y0:y1, x0:x1] = 1
    if empty_last and K > 0:
        m[-1] = 0
    return m


def blob_masks(K, H, W):
    return (rand(K, 1, H, W) > 0.55).double() if K > 0 else torch.zeros(0, 1, H, W)


def logits(K, H, W, big=False):
    if big:
        z = rand(K, 1, H, W, lo=-50, hi=50)
        if z.numel() > 1:
            z.view(-1)[0] = 50.0
            z.view(-1)[1] = -50.0
        return z
    return randn(K, 1, H, W, scale=3.0)


MASK_SHAPES = [
    ('k3_7x9', 3, 7, 9, dict()),
    ('k2_1x1', 2, 1, 1, dict()),
    ('k0_5x6', 0, 5, 6, dict()),
    ('k2_10x8_border_big', 2, 10, 8, dict(touch_border=True, big=True)),
    ('k2_6x5_emptybox', 2, 6, 5, dict(empty_last=True)),
]


def mask_cases():
    cases = {k: [] for k in ['diceLoss', 'projectionLoss', 'pairwiseLogProb', 'boxinstPairwiseLoss', 'pseudoAffinity',
                             'noiseAwarePixelLoss', 'noiseReducedAffinityLoss']}
    for name, K, H, W, o in MASK_SHAPES:
        z = logits(K, H, W, big=o.get('big', False))
        box = rect_masks(K, H, W, o.get('touch_border', False), o.get('empty_last', False))
        pseudo = blob_masks(K, H, W) * box
        targets = rand(K, 1, H, W)
        flags = f32(torch.tensor([0.0 if k % 3 == 1 else float(rand(1, lo=0.2, hi=1.0)) for k in range(K)]))
        valid = torch.ones(K, 1, H, W)
        if H > 2:
            valid[:, :, -1] = 0  # removed bottom rows
        if W > 3:
            valid[:, :, :, -1] = 0  # padding column
        lab = rgb_to_lab(torch.floor(rand(1, 3, H, W, lo=0, hi=256)))
        if name.startswith('k3'):
            sim = rand(K, 8, H, W)  # similarity values spread evenly around the 0.3 threshold
        else:
            sim = f32(color_similarity(f32(lab), valid[:1])).expand(K, -1, -1, -1).contiguous()

        sig = lambda x: torch.sigmoid(x)
        v, g = grad_of(lambda x: dice(sig(x), targets), z)
        cases['diceLoss'].append({'name': name, 'inputs': {'logits': enc(z), 'targets': enc(targets)}, 'value': enc(v), 'gradLogits': enc(g)})
        v, g = grad_of(lambda x: projection(sig(x), box), z)
        cases['projectionLoss'].append({'name': name, 'inputs': {'logits': enc(z), 'boxMasks': enc(box)}, 'value': enc(v), 'gradLogits': enc(g)})
        v, g = grad_of(lambda x: pairwise_log_prob(x), z)
        cases['pairwiseLogProb'].append({'name': name, 'inputs': {'logits': enc(z)}, 'value': enc(v), 'gradLogits': enc(g)})
        v, g = grad_of(lambda x: boxinst_pairwise(x, sim, box), z)
        cases['boxinstPairwiseLoss'].append({'name': name, 'inputs': {'logits': enc(z), 'similarity': enc(sim), 'boxMasks': enc(box)}, 'value': enc(v), 'gradLogits': enc(g)})
        aff = pseudo_affinity(pseudo, valid)
        cases['pseudoAffinity'].append({'name': name, 'inputs': {'masks': enc(pseudo), 'valid': enc(valid)}, 'value': enc(aff)})
        v, g = grad_of(lambda x: noise_aware_pixel(sig(x), pseudo, flags), z)
        cases['noiseAwarePixelLoss'].append({'name': name, 'inputs': {'logits': enc(z), 'pseudo': enc(pseudo), 'flags': enc(flags)}, 'value': enc(v), 'gradLogits': enc(g)})
        aff32 = f32(aff)
        for thresh in [0.5, -1.0]:
            v, g = grad_of(lambda x: noise_reduced_affinity(x, aff32, box, flags, thresh), z)
            cases['noiseReducedAffinityLoss'].append({'name': f'{name}_thresh{thresh}', 'options': {'affinityThresh': thresh},
                                                      'inputs': {'logits': enc(z), 'affinity': enc(aff32), 'boxMasks': enc(box), 'flags': enc(flags)},
                                                      'value': enc(v), 'gradLogits': enc(g)})
    return cases


def color_cases():
    out_lab, out_sim = [], []
    for name, N, H, W in [('n1_6x7', 1, 6, 7), ('n2_1x1', 2, 1, 1), ('n1_9x4', 1, 9, 4)]:
        rgb = torch.floor(rand(N, 3, H, W, lo=0, hi=256))
        rgb.view(-1)[0] = 0.0
        if rgb.numel() > 2:
            rgb.view(-1)[1] = 255.0
            rgb.view(-1)[2] = 10.0  # below the sRGB linear threshold (10/255 < 0.04045)
        lab = rgb_to_lab(rgb)
        out_lab.append({'name': name, 'inputs': {'rgb': enc(rgb)}, 'value': enc(lab)})
        valid = torch.ones(N, 1, H, W)
        if H > 2:
            valid[:, :, -2:] = 0
        lab32 = f32(lab)
        out_sim.append({'name': name, 'inputs': {'lab': enc(lab32), 'valid': enc(valid)}, 'value': enc(color_similarity(lab32, valid))})
    return out_lab, out_sim


def box_mask_cases():
    boxes = f32(torch.tensor([
        [3.7, 5.2, 20.9, 17.0],     # fractional
        [0.0, 0.0, 31.0, 23.0],     # touches every border (end int(x+1) = 32, 24)
        [0.0, 0.0, 0.0, 0.0],       # all-zero box: one full-res pixel, no sample hits it
        [10.0, 2.0, 45.5, 40.0],    # beyond the padded size: clipped
        [6.0, 6.0, 6.9, 6.9],       # covers sample (6, 6)
    ]))
    out = [{'name': 'h24_w32', 'inputs': {'boxes': enc(boxes)}, 'options': {'paddedHeight': 24, 'paddedWidth': 32, 'stride': 4}, 'value': enc(box_masks_ref(boxes, 24, 32))}]
    out.append({'name': 'k0', 'inputs': {'boxes': enc(torch.zeros(0, 4))}, 'options': {'paddedHeight': 8, 'paddedWidth': 8, 'stride': 4}, 'value': enc(box_masks_ref(torch.zeros(0, 4), 8, 8))})
    out.append({'name': 'stride8', 'inputs': {'boxes': enc(boxes)}, 'options': {'paddedHeight': 24, 'paddedWidth': 32, 'stride': 8}, 'value': enc(box_masks_ref(boxes, 24, 32, 8))})
    return out


def fcos_cases():
    focal = []
    for name, L, C, opts, big in [('l20_c5', 20, 5, {}, False), ('l12_c3_alpha_off_gamma0', 12, 3, {'alpha': -1.0, 'gamma': 0.0}, False),
                                  ('l16_c4_a05_g15_big', 16, 4, {'alpha': 0.5, 'gamma': 1.5}, True), ('l0_c80', 0, 80, {}, False)]:
        z = rand(L, C, lo=-50, hi=50) if big else randn(L, C, scale=3.0)
        cls = torch.randint(0, C + 1, (L,), generator=G)
        t = F.one_hot(cls, C + 1)[:, :C].double() if L > 0 else torch.zeros(0, C)
        a, gm = opts.get('alpha', 0.25), opts.get('gamma', 2.0)
        v, g = grad_of(lambda x: sigmoid_focal_loss(x, t, alpha=a, gamma=gm, reduction='none'), z)
        focal.append({'name': name, 'options': opts, 'inputs': {'logits': enc(z), 'targets': enc(t)}, 'value': enc(v), 'gradLogits': enc(g)})

    def rand_boxes(M, lo=0, hi=50):
        xy = rand(M, 2, lo=lo, hi=hi)
        wh = rand(M, 2, lo=0.5, hi=30)
        return f32(torch.cat([xy, xy + wh], 1))

    iou = []
    M = 12
    pred = rand_boxes(M)
    tgt = f32(pred + randn(M, 4, scale=6.0))
    tgt = torch.stack([torch.min(tgt[:, 0], tgt[:, 2] - 0.5), torch.min(tgt[:, 1], tgt[:, 3] - 0.5), tgt[:, 2], tgt[:, 3]], 1)
    tgt[-2:] = rand_boxes(2, lo=200, hi=210)  # disjoint
    tgt = f32(tgt)
    w = rand(M, lo=0.1, hi=1.0)
    for kind in ['iou', 'linear_iou', 'giou']:
        v, g = grad_of(lambda x: iou_loss_xyxy(x, tgt, kind), pred)
        vw, gw = grad_of(lambda x: iou_loss_xyxy(x, tgt, kind) * w, pred)
        iou.append({'name': f'm{M}_{kind}', 'options': {'type': kind}, 'inputs': {'pred': enc(pred), 'target': enc(tgt), 'weights': enc(w)},
                    'value': enc(v), 'gradPred': enc(g), 'weightedSum': enc(vw.sum()), 'gradPredWeighted': enc(gw)})
    zero_t = f32(torch.tensor([[0.0, 0.0, 0.0, 0.0], [1.0, 1.0, 5.0, 5.0], [0.0, 0.0, 0.0, 0.0]]))
    zero_p = f32(torch.tensor([[0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0], [2.0, 2.0, 4.0, 4.0]]))
    for kind in ['iou', 'linear_iou', 'giou']:
        iou.append({'name': f'zero_boxes_{kind}', 'options': {'type': kind}, 'inputs': {'pred': enc(zero_p), 'target': enc(zero_t)},
                    'value': enc(iou_loss_xyxy(zero_p, zero_t, kind))})

    ltrb = []
    P = 15
    p = rand(P, 4, lo=0.0, hi=8.0)
    t = rand(P, 4, lo=0.05, hi=8.0)
    ct = ctr_target(t)
    ct32 = f32(ct)
    for kind in ['iou', 'linear_iou', 'giou']:
        v, g = grad_of(lambda x: fcos_iou_loss(x, t, kind), p)
        vw, gw = grad_of(lambda x: fcos_iou_loss(x, t, kind) * ct32, p)
        ltrb.append({'name': f'p{P}_{kind}', 'options': {'type': kind}, 'inputs': {'pred': enc(p), 'target': enc(t), 'weights': enc(ct32)},
                     'value': enc(v), 'gradPred': enc(g), 'weightedSum': enc(vw.sum()), 'gradPredWeighted': enc(gw)})
    ious, gious = ltrb_iou(p, t)
    ltrb_values = {'inputs': {'pred': enc(p), 'target': enc(t)}, 'iou': enc(ious), 'giou': enc(gious)}

    ctr = []
    for name, n, big in [('p15', 15, False), ('p10_big', 10, True), ('p0', 0, False)]:
        z = rand(n, lo=-50, hi=50) if big else randn(n, scale=3.0)
        tt = rand(n)
        v, g = grad_of(lambda x: bce_logits(x, tt), z)
        ctr.append({'name': name, 'inputs': {'logits': enc(z), 'targets': enc(tt)}, 'value': enc(v), 'gradLogits': enc(g)})
    ctr_t = {'inputs': {'ltrb': enc(t)}, 'value': enc(ct)}
    return {'sigmoidFocalLoss': focal, 'iouLoss': iou, 'fcosIouLoss': ltrb, 'ltrbIou': ltrb_values, 'centernessLoss': ctr, 'centernessTarget': ctr_t}


def main():
    fixture = {
        'generator': 'tools/losses/gen_fixtures.py',
        'torch': torch.__version__,
        'torchvision': torchvision.__version__,
        'layout': 'NCHW: masks [K,1,H,W], neighbour stacks [K,8,H,W], images [N,3,H,W]; gradients are d sum(value) / d input',
    }
    fixture.update(fcos_cases())
    fixture.update(mask_cases())
    lab, sim = color_cases()
    fixture['rgbToLab'] = lab
    fixture['colorSimilarity'] = sim
    fixture['boxMasks'] = box_mask_cases()
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, 'w') as f:
        json.dump(fixture, f, separators=(',', ':'))
    print('wrote', os.path.normpath(OUT), os.path.getsize(OUT), 'bytes')


if __name__ == '__main__':
    main()
