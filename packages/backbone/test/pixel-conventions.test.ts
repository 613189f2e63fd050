// Input conventions per weight source (detectron2 configs: MODEL.PIXEL_MEAN/PIXEL_STD, INPUT.FORMAT).
import { describe, it, expect, beforeAll } from 'vitest';
import { initBackend, tf } from '@boxteacher/core';
import { expectNoLeaks } from '@boxteacher/core/testing';
import { normalizePixels, PIXEL_CONVENTIONS } from '@boxteacher/backbone';

describe('PIXEL_CONVENTIONS', () => {
  it('detectron2/MSRA: BGR, mean only; torchvision: RGB, ImageNet mean/std ×255', () => {
    expect(PIXEL_CONVENTIONS.detectron2).toEqual({ format: 'BGR', pixelMean: [103.53, 116.28, 123.675], pixelStd: [1, 1, 1] });
    expect(PIXEL_CONVENTIONS.torchvision.format).toBe('RGB');
    const mean = [0.485, 0.456, 0.406].map((v) => v * 255);
    const std = [0.229, 0.224, 0.225].map((v) => v * 255);
    PIXEL_CONVENTIONS.torchvision.pixelMean.forEach((v, i) => expect(v).toBeCloseTo(mean[i]!, 10));
    PIXEL_CONVENTIONS.torchvision.pixelStd.forEach((v, i) => expect(v).toBeCloseTo(std[i]!, 10));
  });
});

describe('normalizePixels', () => {
  beforeAll(async () => {
    await initBackend('cpu', { log: () => {} });
  });

  it('reorders to BGR and subtracts the mean for detectron2; divides by std for torchvision', async () => {
    const rgb = tf.tensor4d([10, 20, 30, 255, 0, 128], [1, 1, 2, 3]);
    const d2 = normalizePixels(rgb, 'detectron2');
    const expectedD2 = [30 - 103.53, 20 - 116.28, 10 - 123.675, 128 - 103.53, 0 - 116.28, 255 - 123.675];
    [...d2.dataSync()].forEach((v, i) => expect(v).toBeCloseTo(expectedD2[i]!, 3));
    const tv = normalizePixels(rgb, 'torchvision');
    expect(tv.dataSync()[0]).toBeCloseTo((10 / 255 - 0.485) / 0.229, 4);
    expect(tv.dataSync()[5]).toBeCloseTo((128 / 255 - 0.406) / 0.225, 4);
    await expectNoLeaks(() => normalizePixels(rgb, 'torchvision').dispose(), 'normalizePixels');
    expect(() => normalizePixels(tf.zeros([1, 2, 2, 1]) as tf.Tensor4D, 'torchvision')).toThrow(/expected RGB images \[N, H, W, 3\]; got \[1, 2, 2, 1\]/);
    expect(() => normalizePixels(rgb, 'caffe' as never)).toThrow(/source "caffe" is invalid/);
    tf.dispose([rgb, d2, tv]);
  });
});
