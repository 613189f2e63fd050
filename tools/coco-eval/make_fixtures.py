"""Reference fixtures for @boxteacher/coco-eval, recorded from pycocotools 2.0.11 (numpy 2.x).

Run with the pyenv python3 that has pycocotools:  python3 tools/coco-eval/make_fixtures.py
Writes packages/coco-eval/test/fixtures/{mask-vectors,numpy-mean,format,eval-cases}.json (compact JSON).

Every synthetic case is built to hit items of spec/coco-eval.md (the checklist ids are in the comments and in each
case's "covers" field). Outputs are whatever pycocotools returns; nothing here re-implements pycocotools.
"""
import copy
import io
import json
import contextlib
import os
import random
import sys

import numpy as np
import pycocotools
from pycocotools import mask as maskUtils
from pycocotools.coco import COCO
from pycocotools.cocoeval import COCOeval

GENERATOR = 'tools/coco-eval/make_fixtures.py'
OUT = os.path.join(os.path.dirname(__file__), '..', '..', 'packages', 'coco-eval', 'test', 'fixtures')
ENV = {'numpy': np.__version__, 'python': sys.version.split()[0], 'pycocotools': '2.0.11'}


def dump(name, obj):
    path = os.path.join(OUT, name)
    with open(path, 'w') as f:
        json.dump(obj, f, separators=(',', ':'), allow_nan=False)
    print(f'{name}: {os.path.getsize(path)} bytes')


def s(rle):
    """Compressed RLE object → JSON-able dict with str counts."""
    c = rle['counts']
    return {'size': [int(v) for v in rle['size']], 'counts': c.decode('ascii') if isinstance(c, bytes) else c}


def quiet(fn, *a, **k):
    with contextlib.redirect_stdout(io.StringIO()):
        return fn(*a, **k)


# ---------------------------------------------------------------------------------------------------------------
# Mask API vectors (coco-eval.md §8-9)
# ---------------------------------------------------------------------------------------------------------------
def mask_vectors(rng):
    out = {'generator': GENERATOR, 'env': ENV, 'encode': [], 'polygons': [], 'boxes': [], 'uncompressed': [],
           'merge': [], 'iou_rle': [], 'iou_box': [], 'decode': []}
    # 9.1 encode: Fortran-order bytes, including values other than 0/1 and empty / full masks.
    shapes = [(1, 1), (3, 4), (7, 5), (16, 16), (31, 17), (64, 48)]
    for h, w in shapes:
        for kind in ['random', 'blob', 'multi', 'zeros', 'ones']:
            if kind == 'random':
                m = (np.array([rng.random() for _ in range(h * w)]) < 0.4).astype(np.uint8)
            elif kind == 'blob':
                yy, xx = np.mgrid[0:h, 0:w]
                m = (((yy - h / 2) ** 2 + (xx - w / 3) ** 2) < (min(h, w) / 2.5) ** 2).astype(np.uint8).ravel()
            elif kind == 'multi':
                m = np.array([rng.choice([0, 0, 1, 2, 255]) for _ in range(h * w)], dtype=np.uint8)
            elif kind == 'zeros':
                m = np.zeros(h * w, np.uint8)
            else:
                m = np.ones(h * w, np.uint8)
            rowmajor = m.reshape(h, w)  # C order: index y*w + x
            rle = maskUtils.encode(np.asfortranarray(rowmajor))
            out['encode'].append({'h': h, 'w': w, 'kind': kind, 'data': rowmajor.ravel().tolist(), 'rle': s(rle),
                                  'area': int(maskUtils.area(rle)), 'bbox': maskUtils.toBbox(rle).tolist()})
    # 9.8 polygons: random, negative / out of image coords, odd length, degenerate edges, huge coords.
    def poly_case(h, w, pts, note):
        rles = maskUtils.frPyObjects([pts], h, w)
        r = rles[0]
        out['polygons'].append({'h': h, 'w': w, 'poly': pts, 'note': note, 'rle': s(r), 'area': int(maskUtils.area(r)),
                                'bbox': maskUtils.toBbox(r).tolist()})
    for i in range(60):
        h, w = rng.choice([(10, 12), (37, 29), (64, 80), (120, 90)])
        k = rng.randint(3, 9)
        cx, cy = rng.uniform(-5, w + 5), rng.uniform(-5, h + 5)
        pts = []
        for j in range(k):
            ang = 2 * np.pi * j / k + rng.uniform(-0.3, 0.3)
            rad = rng.uniform(1, max(h, w) * 0.6)
            pts += [round(cx + rad * np.cos(ang), rng.choice([0, 1, 2, 3])), round(cy + rad * np.sin(ang), rng.choice([0, 1, 2, 3]))]
        poly_case(h, w, pts, 'random')
    poly_case(20, 20, [-1.7, -1.7, 10.2, -3.3, 12.5, 8.8, -2.5, 9.1], 'negative coordinates (C truncation toward zero)')
    poly_case(20, 20, [2, 2, 2, 2, 10, 2, 10, 2, 10, 10, 2, 10], 'zero-length edges')
    poly_case(20, 20, [2, 2, 15, 3, 9, 14, 4.5], 'odd number of coordinates')
    poly_case(20, 20, [5, 5, 5, 5, 5, 5], 'all points equal')
    poly_case(15, 25, [0, 0, 25, 0, 25, 15, 0, 15], 'the full image')
    poly_case(15, 25, [30, 30, 40, 30, 40, 40], 'outside the image')
    poly_case(15, 25, [-100, -100, 200, -50, 150, 300, -80, 250], 'covering beyond the image')
    poly_case(40, 40, [0.5, 0.5, 20.5, 0.5, 20.5, 20.5, 0.5, 20.5], 'half-pixel box')
    poly_case(40, 40, [3.1, 3.1, 30.9, 3.1, 3.1, 30.9, 30.9, 30.9], 'self-intersecting bow tie')
    poly_case(30, 30, [1, 1, 28, 1, 28, 28, 1, 28, 10, 10, 20, 10, 20, 20, 10, 20], 'ring traced into a hole')
    # multi-part polygons through frPyObjects (one RLE per part, a later 4-number part rasterises to nothing)
    for parts in ([[1, 1, 8, 1, 8, 8, 1, 8], [10, 10, 15, 10, 12, 16]], [[2, 2, 12, 2, 7, 9], [3, 3, 9, 9]]):
        rles = maskUtils.frPyObjects(parts, 20, 20)
        out['polygons'].append({'h': 20, 'w': 20, 'parts': parts, 'note': 'multi-part', 'rles': [s(r) for r in rles],
                                'merged': s(maskUtils.merge(rles))})
    # 9.7 boxes (ndarray branch of frPyObjects)
    boxes = [[0, 0, 5, 5], [1.5, 2.25, 7.3, 3.9], [-3, -3, 6, 6], [10, 10, 30, 30], [2, 2, 0, 0], [0.1, 0.1, 0.2, 0.2], [19.5, 0, 5, 20]]
    for _ in range(20):
        boxes.append([round(rng.uniform(-5, 25), 2), round(rng.uniform(-5, 25), 2), round(rng.uniform(0, 20), 2), round(rng.uniform(0, 20), 2)])
    rles = maskUtils.frPyObjects(np.array(boxes, dtype=np.double), 20, 24)
    out['boxes'] = {'h': 20, 'w': 24, 'boxes': boxes, 'rles': [s(r) for r in rles]}
    # 9.9 uncompressed RLEs, incl. zero-length runs, big counts (delta coding with negative deltas), [25, 0].
    for size, counts in [([5, 5], [25, 0]), ([5, 5], [0, 25]), ([5, 5], [3, 0, 0, 4, 18]), ([4, 6], [0, 3, 5, 0, 2, 14]),
                         ([1000, 1000], [123456, 70000, 5, 300000, 1, 506538]), ([5, 5], [25]), ([5, 5], []),
                         ([6000, 6000], [35000000, 1000000, 7, 2, 999999, 0]), ([3, 3], [2, 3, 1, 1, 2]),
                         ([10, 10], [0, 0, 0, 10, 0, 5, 85])]:
        r = maskUtils.frPyObjects({'size': size, 'counts': counts}, size[0], size[1])
        out['uncompressed'].append({'size': size, 'counts': counts, 'rle': s(r), 'area': int(maskUtils.area(r)),
                                    'bbox': maskUtils.toBbox(r).tolist()})
    # 9.2 decode (round trip through Fortran order) of a few strings
    for e in out['encode'][:12]:
        pass
    for r in [out['uncompressed'][2]['rle'], out['uncompressed'][3]['rle'], out['polygons'][0]['rle']]:
        m = maskUtils.decode({'size': r['size'], 'counts': r['counts'].encode()})
        out['decode'].append({'rle': r, 'data': m.ravel().tolist()})  # row-major
    # 9.5 merge: union, intersection, n==1 copy of a non-canonical RLE, size mismatch, zero-length runs.
    polys = [p for p in out['polygons'] if 'rle' in p and p['h'] == 64 and p['w'] == 80][:6]
    pr = [{'size': p['rle']['size'], 'counts': p['rle']['counts']} for p in polys]
    def mcase(rles, intersect, note):
        r = maskUtils.merge([{'size': x['size'], 'counts': x['counts'].encode()} for x in rles], intersect)
        out['merge'].append({'rles': rles, 'intersect': intersect, 'note': note, 'rle': s(r)})
    if len(pr) >= 3:
        mcase(pr[:2], 0, 'union of two'); mcase(pr[:3], 0, 'union of three'); mcase(pr[:2], 1, 'intersection')
        mcase(pr[:3], 1, 'intersection of three')
    nc = out['uncompressed'][2]['rle']
    mcase([nc], 0, 'one non-canonical RLE is copied')
    mcase([nc, nc], 0, 'zero-length runs')
    mcase([nc, out['uncompressed'][0]['rle']], 1, 'intersection with an empty mask')
    mcase([nc, out['uncompressed'][3]['rle']], 0, 'size mismatch')
    mcase([], 0, 'empty list')
    # 6 iou: RLE (crowd / not, different size -> -1) and boxes (crowd, zero / negative width)
    pool = [p['rle'] for p in out['polygons'] if 'rle' in p and p['h'] == 37 and p['w'] == 29][:8]
    dt = pool[:5]
    gt = pool[3:8] + [out['polygons'][0]['rle']]
    crowd = [0, 1, 0, 1, 0, 0][:len(gt)]
    enc = lambda L: [{'size': x['size'], 'counts': x['counts'].encode()} for x in L]
    res = maskUtils.iou(enc(dt), enc(gt), crowd)
    out['iou_rle'].append({'dt': dt, 'gt': gt, 'iscrowd': crowd, 'iou': np.asarray(res).tolist()})
    bdt = [[0, 0, 10, 10], [5, 5, 10, 10], [2.5, 3.5, 0, 4], [1, 1, -2, 5], [0.3, 0.7, 9.1, 3.3], [20, 20, 1, 1]]
    bgt = [[0, 0, 10, 10], [5, 0, 5, 20], [1, 1, 3, 3], [0, 0, 10, 5]]
    bcr = [0, 1, 0, 1]
    out['iou_box'].append({'dt': bdt, 'gt': bgt, 'iscrowd': bcr, 'iou': np.asarray(maskUtils.iou(bdt, bgt, bcr)).tolist()})
    return out


# ---------------------------------------------------------------------------------------------------------------
# numpy mean (7.3) and Python formatting (7.2)
# ---------------------------------------------------------------------------------------------------------------
def numpy_vectors():
    sizes = list(range(0, 40)) + [63, 64, 65, 127, 128, 129, 130, 255, 256, 257, 1000, 1001, 4097, 8191, 8192, 8193,
                                  16385, 20000, 80800]
    cases = []
    for n in sizes:
        if n == 0:
            continue
        # Values reproducible bit for bit in JS: quotient of small integers (correctly rounded in both).
        a = np.array([((i * 7919 + 13) % 1009) / 1013.0 for i in range(n)], dtype=np.float64)
        cases.append({'n': n, 'mean': float(np.mean(a)), 'sum': float(np.add.reduce(a))})
    return {'generator': GENERATOR, 'env': ENV, 'formula': '((i*7919+13) % 1009) / 1013', 'cases': cases}


def format_vectors():
    vals = [0.0625, 0.1875, 0.3125, 0.4375, 0.5625, 0.6875, 0.8125, 0.9375, 0.0005, 0.0015, 0.5045806987249628,
            -1.0, 0.9995, 0.99951, 0.125, 0.375, 0.625, 0.875, 0.005, 0.015, 0.025, 0.0, 1.0, 0.8999999999999999,
            0.95, 0.45, 0.55, 1 / 3, 2 / 3, 0.00049999999999999999, 0.1234567]
    return {'generator': GENERATOR, 'cases': [{'x': v, 'f3': '{:0.3f}'.format(v), 'f2': '{:0.2f}'.format(v)} for v in vals]}


# ---------------------------------------------------------------------------------------------------------------
# Evaluation cases (1-7, 10-11)
# ---------------------------------------------------------------------------------------------------------------
def poly_of_box(x, y, w, h):
    return [[x, y, x + w, y, x + w, y + h, x, y + h]]


def star(rng, cx, cy, r, k=7):
    pts = []
    for j in range(k):
        ang = 2 * np.pi * j / k
        rr = r * rng.uniform(0.6, 1.0)
        pts += [round(cx + rr * np.cos(ang), 2), round(cy + rr * np.sin(ang), 2)]
    return pts


def traps_case(rng):
    """Hand-built traps: exact-threshold IoUs, closed area ranges, GT id 0, ignore key, duplicate ids, crowd,
    category without GT, category without dts, unknown category, >100 dets, score ties across images."""
    images = [{'id': i, 'height': h, 'width': w} for i, (h, w) in zip([3, 1, 7, 2, 5], [(60, 80), (100, 120), (48, 64), (200, 150), (80, 80)])]
    cats = [{'id': c, 'name': f'c{c}'} for c in [1, 2, 5, 7]]
    anns = []
    def gt(aid, img, cat, box, area=None, crowd=0, seg=None, **extra):
        a = {'id': aid, 'image_id': img, 'category_id': cat, 'bbox': box, 'area': box[2] * box[3] if area is None else area,
             'iscrowd': crowd, 'segmentation': seg if seg is not None else poly_of_box(*box)}
        a.update(extra)
        anns.append(a)
    gt(10, 1, 1, [10, 10, 10, 10])                   # exact IoU 0.5 / 0.75 / 0.9 targets
    gt(11, 1, 1, [40, 40, 32, 32])                   # area exactly 1024: small AND medium (5.1)
    gt(12, 1, 1, [5, 60, 96, 30], area=9216)         # area field 9216 (never recomputed, 4)
    gt(0, 1, 2, [20, 20, 30, 20])                    # GT id 0 looks unmatched (5.2)
    gt(13, 1, 2, [60, 5, 25, 25], ignore=1)          # 'ignore' key has no effect (4)
    gt(14, 3, 1, [0, 0, 40, 30], crowd=1,
       seg={'size': [60, 80], 'counts': [5, 20, 40, 20, 100, 30, 4585]})  # crowd with uncompressed RLE
    gt(15, 3, 1, [30, 20, 20, 20])
    gt(16, 3, 5, [5, 5, 20, 20])                     # category 5 has GT but no dts
    gt(17, 7, 2, [10, 10, 20, 12])
    gt(17, 2, 2, [50, 50, 40, 40])                   # duplicate id 17: both resolve to this one (2)
    gt(18, 2, 1, [20, 30, 60, 50], seg=[[20, 30, 80, 30, 80, 80, 20, 80], [100, 100, 110, 100, 105, 112]])
    gt(19, 5, 1, [10, 10, 20, 20])
    gt(20, 5, 1, [10, 10, 20, 20])                   # two identical GTs: equal IoU -> last one wins (5.2)
    gt(21, 5, 2, [0, 0, 80, 80], crowd=1)
    res = []
    def det(img, cat, box, score, seg=None):
        r = {'image_id': img, 'category_id': cat, 'bbox': box, 'score': score}
        if seg is not None:
            r['segmentation'] = seg
        res.append(r)
    det(1, 1, [10, 10, 10, 5], 0.9)      # IoU 0.5 exactly
    det(1, 1, [10, 10, 10, 7.5], 0.9)    # IoU 0.75, same score (tie inside image)
    det(1, 1, [10, 10, 10, 9], 0.8)      # IoU 0.9 exactly (matches at 0.8999999999999999)
    det(1, 1, [41, 41, 32, 32], 0.7)
    det(1, 1, [5, 60, 96, 30], 0.7)
    det(1, 2, [20, 20, 30, 20], 0.6)
    det(1, 2, [21, 21, 30, 20], 0.6)
    det(1, 2, [60, 5, 25, 25], 0.5)
    det(3, 1, [1, 1, 30, 20], 0.9)       # on the crowd region
    det(3, 1, [2, 2, 30, 25], 0.9)
    det(3, 1, [30, 20, 20, 20], 0.9)     # tie across images with image 1
    det(7, 2, [10, 10, 20, 12], 0.95)
    det(2, 2, [50, 50, 40, 40], 0.85)
    det(2, 1, [20, 30, 60, 50], 0.4)
    det(5, 1, [10, 10, 20, 20], 0.3)
    det(5, 1, [11, 11, 20, 20], 0.3)
    det(5, 2, [5, 5, 30, 30], 0.2)
    det(5, 7, [5, 5, 30, 30], 0.99)      # category 7: dts but no GT -> -1 (7)
    det(2, 99, [5, 5, 30, 30], 0.99)     # category 99 not in GT categories: never selected (3)
    det(3, 1, [0, 0, 200, 200], 0.1)     # huge unmatched dt: ignored in small/medium ranges (5)
    for j in range(104):                 # >100 dets in one image: maxDets cut (5)
        x, y = rng.uniform(0, 100), rng.uniform(0, 180)
        det(2, 1, [round(x, 1), round(y, 1), round(rng.uniform(2, 40), 1), round(rng.uniform(2, 40), 1)], round(rng.choice([0.05, 0.1, 0.15, 0.2, 0.25]), 2))
    det(2, 1, [20, 30, 60, 50], 0.05)    # a true positive past the 100th detection
    return {'images': images, 'categories': cats, 'annotations': anns}, res


def random_case(rng, n_images, cat_ids, per_img=(1, 6), dts_per_gt=(0, 3), fp=(0, 4), size=(64, 96)):
    images, anns, res = [], [], []
    aid = 1
    for i in range(n_images):
        img_id = 100 + 3 * i
        h, w = rng.randint(*size), rng.randint(*size)
        images.append({'id': img_id, 'height': h, 'width': w, 'file_name': f'{img_id}.jpg'})
        for _ in range(rng.randint(*per_img)):
            cat = rng.choice(cat_ids)
            bw, bh = rng.uniform(3, w * 0.7), rng.uniform(3, h * 0.7)
            x, y = rng.uniform(0, w - bw), rng.uniform(0, h - bh)
            crowd = 1 if rng.random() < 0.08 else 0
            pts = star(rng, x + bw / 2, y + bh / 2, min(bw, bh) / 2)
            seg = [pts]
            if crowd:
                seg = s(maskUtils.merge(maskUtils.frPyObjects([pts], h, w)))
                if rng.random() < 0.5:  # uncompressed form
                    m = maskUtils.decode({'size': seg['size'], 'counts': seg['counts'].encode()})
                    flat = m.ravel(order='F')
                    counts, prev, c = [], 0, 0
                    for v in flat:
                        if v != prev:
                            counts.append(c); c = 0; prev = v
                        c += 1
                    counts.append(c)
                    seg = {'size': [h, w], 'counts': counts}
            area = round(bw * bh * rng.uniform(0.5, 0.9), 2)
            if rng.random() < 0.1:
                area = rng.choice([1024, 9216, 1024.0])
            anns.append({'id': aid, 'image_id': img_id, 'category_id': cat, 'bbox': [round(x, 2), round(y, 2), round(bw, 2), round(bh, 2)],
                         'area': area, 'iscrowd': crowd, 'segmentation': seg})
            aid += 1
            for _ in range(rng.randint(*dts_per_gt)):
                j = lambda v, s_: round(v + rng.gauss(0, s_), 2)
                dx, dy, dw, dh = j(x, bw * 0.1), j(y, bh * 0.1), max(1, j(bw, bw * 0.1)), max(1, j(bh, bh * 0.1))
                dpts = [round(v + rng.gauss(0, 1.5), 2) for v in pts]
                res.append({'image_id': img_id, 'category_id': cat if rng.random() < 0.9 else rng.choice(cat_ids),
                            'bbox': [dx, dy, dw, dh], 'score': round(rng.uniform(0.05, 1.0), 2), '_poly': dpts, '_hw': [h, w]})
        for _ in range(rng.randint(*fp)):
            bw, bh = rng.uniform(2, w * 0.5), rng.uniform(2, h * 0.5)
            x, y = rng.uniform(0, w - bw), rng.uniform(0, h - bh)
            res.append({'image_id': img_id, 'category_id': rng.choice(cat_ids), 'bbox': [round(x, 2), round(y, 2), round(bw, 2), round(bh, 2)],
                        'score': round(rng.uniform(0.05, 1.0), 1), '_poly': star(rng, x + bw / 2, y + bh / 2, min(bw, bh) / 2), '_hw': [h, w]})
    cats = [{'id': c, 'name': f'cat{c}', 'supercategory': 'thing'} for c in sorted(set(cat_ids))]
    return {'info': {'description': 'synthetic'}, 'images': images, 'annotations': anns, 'categories': cats}, res


def bbox_results(res):
    return [{k: v for k, v in r.items() if not k.startswith('_')} for r in res]


def segm_results(res, with_bbox=False):
    """Compressed-RLE results (segm branch of loadRes: area = pixel count, bbox = toBbox)."""
    out = []
    for r in res:
        h, w = r['_hw']
        rle = s(maskUtils.merge(maskUtils.frPyObjects([r['_poly']], h, w)))
        o = {'image_id': r['image_id'], 'category_id': r['category_id'], 'segmentation': rle, 'score': r['score']}
        if with_bbox:
            o['bbox'] = r['bbox']
        out.append(o)
    return out


def runs(arr):
    """Array in [K, A, M, T, R] (or [K, A, M, T]) order → [[value, count], ...] runs (compact, exact)."""
    flat = arr.ravel().tolist()
    out = []
    for v in flat:
        if out and out[-1][0] == v:
            out[-1][1] += 1
        else:
            out.append([v, 1])
    return out


def run_eval(name, gt_data, results, iou_type, params=None, detail=False, covers=(), arrays=True):
    gt = COCO()
    gt.dataset = copy.deepcopy(gt_data)
    quiet(gt.createIndex)
    dt = quiet(gt.loadRes, copy.deepcopy(results))
    ev = COCOeval(gt, dt, iou_type)
    for k, v in (params or {}).items():
        setattr(ev.params, k, v)
    quiet(ev.evaluate)
    quiet(ev.accumulate)
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        ev.summarize()
    e = ev.eval
    case = {'case': name, 'iouType': iou_type, 'params': params or {}, 'covers': list(covers),
            'stats': [float(v) for v in ev.stats], 'summary_text': buf.getvalue().rstrip('\n').split('\n'),
            'counts': e['counts'],
            # precision / scores transposed to [K, A, M, T, R] and run-length coded; recall flat in C order [T,K,A,M]
            'recall_runs': runs(e['recall']),
            'params_after': {'imgIds': [int(v) for v in ev.params.imgIds], 'catIds': [int(v) for v in ev.params.catIds],
                             'maxDets': [int(v) for v in ev.params.maxDets]}}
    if arrays:
        case['precision_runs'] = runs(np.transpose(e['precision'], (2, 3, 4, 0, 1)))
        case['scores_runs'] = runs(np.transpose(e['scores'], (2, 3, 4, 0, 1)))
    if detail:
        case['evalImgs'] = [None if x is None else {
            'image_id': int(x['image_id']), 'category_id': int(x['category_id']), 'aRng': list(x['aRng']), 'maxDet': int(x['maxDet']),
            'dtIds': [int(v) for v in x['dtIds']], 'gtIds': [int(v) for v in x['gtIds']],
            'dtMatches': x['dtMatches'].astype(np.int64).tolist(), 'gtMatches': x['gtMatches'].astype(np.int64).tolist(),
            'dtScores': [float(v) for v in x['dtScores']], 'gtIgnore': [int(v) for v in x['gtIgnore']],
            'dtIgnore': x['dtIgnore'].tolist()} for x in ev.evalImgs]
        case['ious'] = [[int(k[0]), int(k[1]), np.asarray(v).tolist()] for k, v in ev.ious.items() if len(v) > 0]
        case['dt_loaded'] = [{'id': a['id'], 'area': float(a['area']), 'bbox': [float(v) for v in a['bbox']]}
                             for a in dt.dataset['annotations']]
    print(f'  {name} {iou_type}: AP={ev.stats[0]:.4f}')
    return case


def eval_cases(rng):
    cases = []
    traps_gt, traps_res = traps_case(rng)
    cover_traps = ['1 thresholds', '4 ignore key / area field', '5 order, exact-threshold IoU, ties, crowd, GT id 0',
                   '5.1 closed area ranges', '2 duplicate ids', '3 categories not in GT', '7 -1 for no GT', '11']
    cases.append({'name': 'traps', 'gt': traps_gt, 'dt': traps_res,
                  'evals': [run_eval('traps', traps_gt, traps_res, 'bbox', detail=True, covers=cover_traps),
                            run_eval('traps', traps_gt, traps_res, 'segm', detail=False, covers=cover_traps + ['bbox-branch results in segm eval (box area, default polygon)'])]})
    small_gt, small_res = random_case(rng, 6, [1, 2, 3])
    seg_small = segm_results(small_res)
    cases.append({'name': 'random_small', 'gt': small_gt, 'dt': bbox_results(small_res), 'dt_segm': seg_small,
                  'evals': [run_eval('random_small', small_gt, bbox_results(small_res), 'bbox', detail=False, covers=['5', '7']),
                            run_eval('random_small', small_gt, seg_small, 'segm', detail=True, covers=['3 segm branch', '6 rleIou', '9'])]})
    mid_gt, mid_res = random_case(rng, 20, [1, 2, 3, 4, 6], per_img=(2, 9), dts_per_gt=(0, 4), fp=(0, 8))
    mid_bbox = bbox_results(mid_res)
    mid_segm = segm_results(mid_res)
    mid_segm_bb = segm_results(mid_res, with_bbox=True)
    evals = [run_eval('random_mid', mid_gt, mid_bbox, 'bbox'),
             run_eval('random_mid', mid_gt, mid_segm, 'segm'),
             run_eval('random_mid_segm_with_bbox', mid_gt, mid_segm_bb, 'bbox', covers=['3 bbox branch with RLE segmentation'], arrays=False),
             run_eval('random_mid_segm_with_bbox', mid_gt, mid_segm_bb, 'segm', covers=['3 bbox branch: area = box area in segm eval'], arrays=False),
             run_eval('params_maxdets', mid_gt, mid_bbox, 'bbox', params={'maxDets': [20, 1, 5]}, covers=['1 maxDets sorted', '7.1 stats[0] -1'], arrays=False),
             run_eval('use_cats_0', mid_gt, mid_bbox, 'bbox', params={'useCats': 0}, covers=['5 useCats=0', '7 K=1']),
             run_eval('use_cats_0', mid_gt, mid_segm, 'segm', params={'useCats': 0}, covers=['5 useCats=0'], arrays=False),
             run_eval('subset', mid_gt, mid_bbox, 'bbox', params={'imgIds': [145, 100, 118, 145, 103, 999], 'catIds': [4, 2, 2, 77]},
                      covers=['1 np.unique of ids', '2 absent images skipped'], arrays=False),
             run_eval('iou_thrs_custom', mid_gt, mid_bbox, 'bbox', params={'iouThrs': np.array([0.5, 0.6, 0.75]), 'recThrs': np.linspace(0, 1, 11)},
                      covers=['7.1 threshold chosen by exact equality']),
             run_eval('area_custom', mid_gt, mid_segm, 'segm', params={'areaRng': [[0, 1e10], [0, 400], [400, 1500], [1500, 1e10]]},
                      covers=['5.1 custom ranges'], arrays=False)]
    # dt_segm_bbox is not stored: it is dt_segm[i] plus dt[i]['bbox'] (same order), rebuilt by the tests.
    cases.append({'name': 'random_mid', 'gt': mid_gt, 'dt': mid_bbox, 'dt_segm': mid_segm, 'evals': evals})
    # many categories: 90 categories -> T*R*K > 8192 elements in the means (7.3)
    many_gt, many_res = random_case(rng, 40, list(range(1, 91)), per_img=(3, 10), dts_per_gt=(0, 2), fp=(0, 3), size=(30, 50))
    many_bbox = bbox_results(many_res)
    cases.append({'name': 'many_categories', 'gt': many_gt, 'dt': many_bbox,
                  'evals': [run_eval('many_categories', many_gt, many_bbox, 'bbox', covers=['7.3 pairwise sum over > 8192 values'], arrays=False)]})
    for c in cases:
        for e in c['evals']:
            e['params'] = {k: (v.tolist() if isinstance(v, np.ndarray) else v) for k, v in e['params'].items()}
    return {'generator': GENERATOR, 'env': ENV, 'cases': cases}


def main():
    rng = random.Random(20240501)
    dump('mask-vectors.json', mask_vectors(rng))
    dump('numpy-mean.json', numpy_vectors())
    dump('format.json', format_vectors())
    dump('eval-cases.json', eval_cases(rng))


if __name__ == '__main__':
    main()
