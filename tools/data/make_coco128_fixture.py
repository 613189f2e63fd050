#!/usr/bin/env python3
"""Copies three coco128-seg images (smallest files: 000000000472, 000000000562, 000000000359) into
packages/data/test/fixtures/coco128/ with their annotations (all 80 categories kept, so the label mapping is the
real one), and writes packages/data/test/fixtures/masks.json: pycocotools 2.0.11's rasterisation of every fixture
polygon (compressed RLE string + area + bbox) and of hand-made edge-case polygons and random masks (compressed
strings and column-major run lengths), the reference for polygonToRle / countsFromString / countsToString.
Run with the pyenv python3 (pycocotools, numpy)."""
import json, os, shutil
import numpy as np
from pycocotools import mask as M

SRC = '/work/shared/data/coco128-seg'
OUT = os.path.join(os.path.dirname(__file__), '../../packages/data/test/fixtures')
KEEP = ['images/000000000472.jpg', 'images/000000000562.jpg', 'images/000000000359.jpg']

d = json.load(open(os.path.join(SRC, 'annotations.json')))
images = [im for im in d['images'] if im['file_name'] in KEEP]
ids = {im['id'] for im in images}
anns = [a for a in d['annotations'] if a['image_id'] in ids]
os.makedirs(os.path.join(OUT, 'coco128', 'images'), exist_ok=True)
for im in images:
    shutil.copy(os.path.join(SRC, im['file_name']), os.path.join(OUT, 'coco128', im['file_name']))
info = {'description': 'subset of coco128-seg (see /work/shared/data/coco128-seg/SOURCE.md)', 'generator': 'tools/data/make_coco128_fixture.py'}
json.dump({'info': info, 'images': images, 'annotations': anns, 'categories': d['categories']},
          open(os.path.join(OUT, 'coco128', 'annotations.json'), 'w'))

size = {im['id']: (im['height'], im['width']) for im in images}
coco_masks = []
for a in anns:
    h, w = size[a['image_id']]
    rle = M.merge(M.frPyObjects(a['segmentation'], h, w))
    coco_masks.append({'annotationId': a['id'], 'counts': rle['counts'].decode(), 'area': int(M.area(rle)), 'bbox': M.toBbox(rle).tolist()})


def runs(mask):
    flat = np.asfortranarray(mask).flatten(order='F')
    out, cur, n = [], 0, 0
    for v in flat:
        if v != cur:
            out.append(n); n = 0; cur = v
        n += 1
    out.append(n)
    return out


polys = [
    {'h': 12, 'w': 15, 'poly': [1, 1, 10, 2, 6, 9]},
    {'h': 12, 'w': 15, 'poly': [2.3, 3.7, 12.9, 3.1, 13.2, 10.8, 2.1, 11.4]},
    {'h': 10, 'w': 10, 'poly': [-3, -2, 14, 1, 5, 13]},  # beyond the image on three sides
    {'h': 9, 'w': 11, 'poly': [5, 0, 6, 4, 10, 5, 6, 6, 5, 9, 4, 6, 0, 5, 4, 4]},  # star, concave
    {'h': 8, 'w': 8, 'poly': [3.2, 3.2, 3.4, 3.2, 3.3, 3.5]},  # sub-pixel sliver
    {'h': 20, 'w': 7, 'poly': [0, 0, 7, 0, 7, 20, 0, 20]},  # whole image
    {'h': 16, 'w': 16, 'poly': [0.5, 8, 8, 0.5, 15.5, 8, 8, 15.5, 4, 8, 8, 12, 12, 8, 8, 4, 4, 8]},  # self-touching
]
poly_cases = []
for p in polys:
    rle = M.frPyObjects([p['poly']], p['h'], p['w'])[0]
    m = M.decode(rle)
    poly_cases.append({**p, 'counts': rle['counts'].decode(), 'runs': runs(m), 'area': int(m.sum())})

rng = np.random.RandomState(3)
rle_cases = []
for (h, w, p) in [(5, 7, 0.5), (13, 9, 0.1), (30, 40, 0.9), (1, 1, 1.0), (4, 4, 0.0)]:
    m = (rng.rand(h, w) < p).astype(np.uint8)
    rle = M.encode(np.asfortranarray(m))
    rle_cases.append({'h': h, 'w': w, 'counts': rle['counts'].decode(), 'runs': runs(m), 'mask': m.flatten().tolist()})

json.dump({'generator': 'tools/data/make_coco128_fixture.py (pycocotools 2.0.11)', 'coco128': coco_masks, 'polygons': poly_cases, 'rle': rle_cases},
          open(os.path.join(OUT, 'masks.json'), 'w'))
print(len(images), 'images', len(anns), 'annotations')
