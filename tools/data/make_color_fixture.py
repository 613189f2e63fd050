#!/usr/bin/python3
"""Reference for packages/data/test/fixtures/color-ops.json: torchvision 0.14's functional colour operations on a
uint8 RGB tensor (the strong augmentation of boxteacher.md section 7.7): brightness, contrast, saturation, hue,
grayscale and a 3x3 Gaussian blur, with fixed factors. Run with /usr/bin/python3 (torch 1.13, torchvision 0.14)."""
import base64, json, sys
import numpy as np
import torch
import torchvision
import torchvision.transforms.functional as F

rng = np.random.RandomState(11)
h, w = 24, 31
img = rng.randint(0, 256, size=(h, w, 3)).astype(np.uint8)
img[:6, :6] = [200, 40, 40]  # flat patches: exact ties in HSV and blur
img[6:12, :6] = [17, 17, 17]
t = torch.from_numpy(img).permute(2, 0, 1).contiguous()  # [3, H, W]


def enc(x):
    return base64.b64encode(x.permute(1, 2, 0).contiguous().numpy().tobytes()).decode()


cases = []
for f in [0.6, 1.0, 1.37]:
    cases.append({'op': 'brightness', 'factor': f, 'data': enc(F.adjust_brightness(t, f))})
for f in [0.6, 1.23]:
    cases.append({'op': 'contrast', 'factor': f, 'data': enc(F.adjust_contrast(t, f))})
for f in [0.6, 1.4]:
    cases.append({'op': 'saturation', 'factor': f, 'data': enc(F.adjust_saturation(t, f))})
for f in [-0.1, 0.0, 0.037, 0.1]:
    cases.append({'op': 'hue', 'factor': f, 'data': enc(F.adjust_hue(t, f))})
cases.append({'op': 'grayscale', 'factor': 0, 'data': enc(F.rgb_to_grayscale(t, 3))})
for s in [0.1, 0.8, 2.0]:
    cases.append({'op': 'blur', 'factor': s, 'data': enc(F.gaussian_blur(t, [3, 3], [s, s]))})
json.dump({'generator': 'tools/data/make_color_fixture.py (torch %s, torchvision %s)' % (torch.__version__, torchvision.__version__),
           'input': {'height': h, 'width': w, 'data': base64.b64encode(img.tobytes()).decode()}, 'cases': cases}, sys.stdout)
