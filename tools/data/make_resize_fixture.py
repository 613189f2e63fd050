#!/usr/bin/python3
"""Reference for packages/data/test/fixtures/pil-resize.json: Pillow's Image.resize(BILINEAR) on a small RGB image
(the resampler detectron2 uses for ResizeShortestEdge, boxteacher.md section 8), plus the detectron2 output-size rule
(written from the spec's formula) for a few image sizes. Run with /usr/bin/python3 (Pillow 9.4)."""
import base64, json, sys
import numpy as np
from PIL import Image

rng = np.random.RandomState(7)
h, w = 37, 53
# Smooth gradient + noise: exercises rounding and the antialiasing widths.
yy, xx = np.mgrid[0:h, 0:w]
img = np.stack([xx * 4.5, yy * 6.5, (xx + yy) * 2.7], -1) + rng.randint(-40, 40, size=(h, w, 3))
img = np.clip(img, 0, 255).astype(np.uint8)
pil = Image.fromarray(img, 'RGB')
cases = []
for oh, ow in [(20, 29), (80, 111), (37, 30), (50, 53), (13, 7), (36, 52), (101, 17)]:
    out = np.asarray(pil.resize((ow, oh), Image.BILINEAR))
    cases.append({'height': oh, 'width': ow, 'data': base64.b64encode(out.tobytes()).decode()})


def shortest_edge(oldh, oldw, short, max_size):
    scale = short * 1.0 / min(oldh, oldw)
    if oldh < oldw:
        newh, neww = short * 1.0, scale * oldw
    else:
        newh, neww = scale * oldh, short * 1.0
    if max(newh, neww) > max_size:
        s = max_size * 1.0 / max(newh, neww)
        newh, neww = newh * s, neww * s
    return [int(newh + 0.5), int(neww + 0.5)]


sizes = []
for (oh, ow) in [(480, 640), (640, 427), (226, 640), (333, 500), (100, 1000), (640, 640), (37, 53), (1, 3)]:
    for short in [640, 672, 704, 736, 768, 800]:
        sizes.append({'in': [oh, ow], 'short': short, 'max': 1333, 'out': shortest_edge(oh, ow, short, 1333)})

json.dump({'generator': 'tools/data/make_resize_fixture.py (Pillow %s)' % Image.__version__ if hasattr(Image, '__version__') else 'tools/data/make_resize_fixture.py',
           'input': {'height': h, 'width': w, 'data': base64.b64encode(img.tobytes()).decode()},
           'cases': cases, 'shortestEdge': sizes}, sys.stdout)
