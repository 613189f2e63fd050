#!/usr/bin/python3
"""Reference fixtures for @boxteacher/teacher, written from spec/boxteacher.md §7 in PyTorch (float64, NCHW).

The greedy matching is written twice: `match_reference` follows the reference code's loop literally
(`gtm[j] > 0`, `iou < best` skip), `match_intended` is api.md's rule (`>= 0`, first GT wins a tie).
Run:  /usr/bin/python3 tools/teacher/gen_fixtures.py   (torch 1.13)
Writes packages/teacher/test/fixtures/teacher.json. Inputs are rounded to float32 first; layouts are NCHW
(masks [M,1,h,w], affinity [N,8,H4,W4]); the tests transpose to NHWC.
"""
import copy
import json
import os

import torch
import torch.nn.functional as F
from torchvision.ops import box_iou

torch.set_default_dtype(torch.float64)
G = torch.Generator().manual_seed(7)
OUT = os.path.join(os.path.dirname(__file__), '..', '..', 'packages', 'teacher', 'test', 'fixtures', 'teacher.json')


def f32(x):
    return x.float().double()


def rand(*shape, lo=0.0, hi=1.0):
    return f32(lo + (hi - lo) * torch.rand(*shape, generator=G))


def enc(t):
    t = torch.as_tensor(t).detach().double()
    return {'shape': list(t.shape), 'data': [float('%.10g' % v) for v in t.reshape(-1).tolist()]}


def ema_momentum(t, momentum=0.999, warmup=0):
    return min(momentum, 1 - (1 + warmup) / (t + 1 + warmup))


def mask_aware(probs, det_scores, thr=0.5):
    fg = (probs > thr).double()
    avg = (probs * fg).sum((1, 2, 3)) / (fg.sum((1, 2, 3)) + 1e-6)
    return torch.sqrt(torch.sqrt(det_scores) * avg), torch.sqrt(det_scores * avg)  # mask_score, scores


def iou_matrix(a, b):
    if len(a) == 0 or len(b) == 0:
        return torch.zeros(len(a), len(b))
    return torch.nan_to_num(box_iou(a, b), nan=0.0)


def match_reference(pred, scores, gt, iou_thr=0.5, score_thr=0.0):
    """The reference loop, including `gtm[j] > 0`."""
    ious = iou_matrix(pred, gt)
    gtm = [-1] * len(gt)
    order = sorted(range(len(pred)), key=lambda i: -float(scores[i]))  # stable descending
    for ind in order:
        if scores[ind] < score_thr:
            continue
        iou = iou_thr
        m = -1
        for j in range(len(gt)):
            if gtm[j] > 0:
                continue
            if ious[ind, j] < iou:
                continue
            iou = ious[ind, j]
            m = j
        if m == -1:
            continue
        gtm[m] = ind
    return gtm


def match_intended(pred, scores, gt, iou_thr=0.5, score_thr=0.0):
    ious = iou_matrix(pred, gt)
    gtm = [-1] * len(gt)
    order = sorted(range(len(pred)), key=lambda i: -float(scores[i]))
    for ind in order:
        if scores[ind] < score_thr:
            continue
        best, best_iou = -1, None
        for j in range(len(gt)):
            if gtm[j] >= 0 or ious[ind, j] < iou_thr:
                continue
            if best_iou is None or ious[ind, j] > best_iou:
                best, best_iou = j, ious[ind, j]
        if best >= 0:
            gtm[best] = ind
    return gtm


def unfold_wo_center(x, k=3, d=2):
    p = (k + (d - 1) * (k - 1)) // 2
    n, c, h, w = x.shape
    u = F.unfold(x, kernel_size=k, padding=p, dilation=d).reshape(n, c, k * k, h, w)
    return torch.cat((u[:, :, : k * k // 2], u[:, :, k * k // 2 + 1:]), dim=2)


def pseudo_labels(pred, det_scores, probs, gt, H, W, quirk, stride=4):
    """§7.2-7.5: match, gt_bitmasks, pad, [2::4], box clip, affinity (count_include_pad), binarise."""
    M, _, h, w = probs.shape
    N = len(gt)
    mask_score, scores = mask_aware(probs, det_scores) if M > 0 else (torch.zeros(0), torch.zeros(0))
    gtm = (match_reference if quirk else match_intended)(pred, scores, gt)
    binary = (probs > 0.5).double()
    bitmasks = torch.zeros(N, 1, h, w)
    flags = torch.zeros(N)
    for j, d in enumerate(gtm):
        if d >= 0:
            bitmasks[j] = binary[d]
            flags[j] = mask_score[d]
    start = stride // 2
    padded = torch.zeros(N, 1, H, W)
    padded[:, :, :h, :w] = bitmasks
    sampled = padded[:, :, start::stride, start::stride]
    box = torch.zeros(N, 1, H, W)
    for j, b in enumerate(gt.tolist()):
        box[j, 0, int(b[1]):int(b[3] + 1), int(b[0]):int(b[2] + 1)] = 1.0
    box = box[:, :, start::stride, start::stride]
    clipped = sampled * box
    valid = torch.zeros(1, 1, H, W)
    valid[:, :, :h, :w] = 1
    valid = valid[:, :, start::stride, start::stride]
    sm = (F.avg_pool2d(clipped, 3, 1, 1, count_include_pad=True) + clipped) / 2
    u = unfold_wo_center(sm)[:, 0]
    aff = (sm * u + (1 - sm) * (1 - u)) * unfold_wo_center(valid.expand(N, -1, -1, -1))[:, 0]
    return {'matches': gtm, 'flags': enc(flags), 'masks': enc(bitmasks), 'maskTargets': enc((clipped > 0.5).double()),
            'affinity': enc(aff), 'boxMasks': enc(box), 'detectionScores': enc(scores)}


def jitter(boxes, scale):
    b = boxes + torch.randn(boxes.shape, generator=G) * scale
    return f32(torch.stack([b[:, 0], b[:, 1], torch.max(b[:, 2], b[:, 0] + 1), torch.max(b[:, 3], b[:, 1] + 1)], 1))


def random_boxes(n, w, h):
    x0 = rand(n, lo=0, hi=w * 0.6)
    y0 = rand(n, lo=0, hi=h * 0.6)
    return f32(torch.stack([x0, y0, x0 + rand(n, lo=3, hi=w * 0.4), y0 + rand(n, lo=3, hi=h * 0.4)], 1))


def main():
    out = {'generator': 'tools/teacher/gen_fixtures.py', 'torch': torch.__version__,
           'layout': 'NCHW: masks [M,1,h,w], affinity [N,8,H4,W4]; boxes x0,y0,x1,y1'}

    out['emaMomentum'] = [{'iter': t, 'momentum': mo, 'warmup': wu, 'value': ema_momentum(t, mo, wu)}
                          for (mo, wu) in [(0.999, 0), (0.99, 5)] for t in [0, 1, 2, 9, 98, 99, 100, 998, 999, 1000, 5000]]

    # EMA: a student with 2 parameters (one frozen) trained by random steps; the teacher follows from t = 0.
    student = {'w': rand(3, 2, lo=-1, hi=1), 'frozen': rand(4, lo=-1, hi=1)}
    teacher = copy.deepcopy(student)
    steps = []
    for t in range(6):
        student['w'] = f32(student['w'] + rand(3, 2, lo=-0.3, hi=0.3))
        m = ema_momentum(t)
        for k in teacher:
            teacher[k] = teacher[k] * m + student[k] * (1 - m)
        steps.append({'iter': t, 'student': {k: enc(v) for k, v in student.items()}, 'teacher': {k: enc(v) for k, v in teacher.items()}})
    out['ema'] = {'initial': {'w': steps[0]['student']['w'], 'frozen': enc(student['frozen'])}, 'steps': steps}

    # Mask-aware scores, incl. an empty mask and a mask exactly at the threshold (strict >).
    M, h, w = 5, 6, 7
    probs = rand(M, 1, h, w)
    probs[1] = rand(1, h, w, lo=0, hi=0.5)  # no foreground → 0
    probs[2, 0, 0, :] = 0.5                  # exactly τ: background
    det = rand(M, lo=0.05, hi=1.0)
    ms, sc = mask_aware(probs, det)
    out['maskAwareScore'] = {'inputs': {'probMasks': enc(probs), 'detScores': enc(det)}, 'maskScore': enc(ms), 'score': enc(sc)}

    # Greedy matching.
    cases = []
    gt = random_boxes(6, 100, 80)
    pred = torch.cat([jitter(gt, 1.0), jitter(gt[:3], 4.0), random_boxes(4, 100, 80)])
    scores = rand(len(pred))
    cases.append(('random', pred, scores, gt))
    # Detection 0 (top score) matches GT 0; detection 1 overlaps GT 0 too: the reference lets 1 steal GT 0.
    g = f32(torch.tensor([[10.0, 10.0, 50.0, 50.0], [60.0, 10.0, 90.0, 40.0]]))
    p = f32(torch.tensor([[10.0, 10.0, 50.0, 50.0], [12.0, 12.0, 52.0, 52.0], [61.0, 11.0, 90.0, 40.0]]))
    cases.append(('steal_after_index0', p, f32(torch.tensor([0.9, 0.8, 0.7])), g))
    # Two identical GTs: a tie (intended: first GT; reference: last GT).
    g = f32(torch.tensor([[0.0, 0.0, 10.0, 10.0], [0.0, 0.0, 10.0, 10.0]]))
    cases.append(('iou_tie', f32(torch.tensor([[0.0, 0.0, 10.0, 9.0]])), f32(torch.tensor([0.5])), g))
    # IoU exactly at the threshold qualifies; a score below scoreThr is skipped.
    g = f32(torch.tensor([[0.0, 0.0, 10.0, 10.0], [20.0, 20.0, 30.0, 30.0]]))
    p = f32(torch.tensor([[0.0, 0.0, 10.0, 5.0], [20.0, 20.0, 30.0, 30.0]]))
    cases.append(('iou_at_threshold', p, f32(torch.tensor([0.3, -0.1])), g))
    cases.append(('no_predictions', torch.zeros(0, 4), torch.zeros(0), gt[:2]))
    cases.append(('no_gt', pred[:3], scores[:3], torch.zeros(0, 4)))
    out['greedyMatch'] = [{'name': n, 'inputs': {'predBoxes': enc(p), 'scores': enc(s), 'gtBoxes': enc(g)},
                           'intended': match_intended(p, s, g), 'reference': match_reference(p, s, g)} for n, p, s, g in cases]

    # makePseudoLabels end to end: student input 27×38 (padded 32×64), teacher masks at 27×38.
    h, w, H, W = 27, 38, 32, 64
    gt = f32(torch.tensor([[2.0, 3.0, 20.5, 18.0], [15.0, 5.0, 37.0, 26.0], [0.0, 0.0, 37.9, 26.9], [30.0, 20.0, 34.0, 24.0]]))
    # Detection 5 overlaps GT 0 like detection 0 does but ranks lower: with the quirk it steals GT 0.
    pred = torch.cat([jitter(gt[:3], 1.0), f32(torch.tensor([[14.0, 4.0, 36.0, 25.0], [0.0, 0.0, 5.0, 5.0]])), jitter(gt[:1], 1.0)])
    det = f32(torch.tensor([0.95, 0.6, 0.7, 0.5, 0.4, 0.3]))
    yy, xx = torch.meshgrid(torch.arange(h).double(), torch.arange(w).double(), indexing='ij')
    probs = []
    for b in pred.tolist():
        cx, cy, rx, ry = (b[0] + b[2]) / 2, (b[1] + b[3]) / 2, (b[2] - b[0]) / 2, (b[3] - b[1]) / 2
        d = ((xx - cx) / rx) ** 2 + ((yy - cy) / ry) ** 2
        probs.append(torch.sigmoid(3 * (1 - d)) * 0.9 + 0.05 * torch.rand(h, w, generator=G))
    probs = f32(torch.stack(probs)[:, None])
    pl = []
    for quirk in [False, True]:
        pl.append({'name': f'image_quirk{quirk}', 'options': {'referenceQuirk': quirk, 'paddedSize': [H, W]},
                   'inputs': {'boxes': enc(pred), 'scores': enc(det), 'maskProbs': enc(probs), 'gtBoxes': enc(gt)},
                   'expected': pseudo_labels(pred, det, probs, gt, H, W, quirk)})
    pl.append({'name': 'no_detections', 'options': {'referenceQuirk': False, 'paddedSize': [H, W]},
               'inputs': {'boxes': enc(torch.zeros(0, 4)), 'scores': enc(torch.zeros(0)), 'maskProbs': enc(torch.zeros(0, 1, h, w)), 'gtBoxes': enc(gt)},
               'expected': pseudo_labels(torch.zeros(0, 4), torch.zeros(0), torch.zeros(0, 1, h, w), gt, H, W, False)})
    out['makePseudoLabels'] = pl

    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, 'w') as f:
        json.dump(out, f, separators=(',', ':'))
    print('wrote', os.path.normpath(OUT), os.path.getsize(OUT), 'bytes')
    for c in out['greedyMatch']:
        print(c['name'], 'intended', c['intended'], 'reference', c['reference'])
    for c in pl:
        print(c['name'], c['expected']['matches'])


if __name__ == '__main__':
    main()
