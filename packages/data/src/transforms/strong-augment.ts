// The photometric views of BoxTeacher's dataset mapper (boxteacher.md §7.7, `INPUT.AUG_TYPE`):
//   'strong'   RandomApply(ColorJitter(0.4, 0.4, 0.4, 0.1), p=0.8) → RandomGrayscale(p=0.2)   (R-50 1x)
//   'strongv2' 'strong' → RandomApply(GaussianBlur(3, σ ~ U[0.1, 2]), p=0.5)                (3x schedules)
//   'weak'     RandomApply(ColorJitter(0.2, 0.2, 0.2, 0.1), p=0.2)
//   'none'     the student sees the weak image.
// The random draws are separated from the pixel work: sampleStrongAugment() draws a plain parameter object on the
// training thread (so the order is fixed by the seed, whatever thread applies it), applyStrongAugment() applies it.

import type { Rng } from '@boxteacher/core';
import { DataFormatError } from '../errors';
import type { RgbImage } from '../types';
import { adjustBrightness, adjustContrast, adjustHue, adjustSaturation, gaussianBlur, toGrayscale } from './color-ops';

export const AUG_TYPES = ['none', 'weak', 'strong', 'strongv2'] as const;
export type AugType = (typeof AUG_TYPES)[number];

/** ColorJitter draw: the op order (0 brightness, 1 contrast, 2 saturation, 3 hue) and the four factors. */
export interface ColorJitterParams {
  order: [number, number, number, number];
  brightness: number;
  contrast: number;
  saturation: number;
  hue: number;
}

/** One strong-view draw. null fields = that step not applied. */
export interface StrongAugmentParams {
  jitter: ColorJitterParams | null;
  grayscale: boolean;
  blurSigma: number | null;
}

type RngLike = Pick<Rng, 'random' | 'uniform' | 'int' | 'shuffle'>;

/**
 * torchvision `ColorJitter.get_params`: a random permutation of the four ops, brightness/contrast/saturation
 * factors ~ U[max(0, 1 − s), 1 + s], hue shift ~ U[−h, h].
 */
export function sampleColorJitter(rng: RngLike, { brightness = 0.4, contrast = 0.4, saturation = 0.4, hue = 0.1 } = {}): ColorJitterParams {
  const order = rng.shuffle([0, 1, 2, 3]) as [number, number, number, number];
  return {
    order,
    brightness: rng.uniform(Math.max(0, 1 - brightness), 1 + brightness),
    contrast: rng.uniform(Math.max(0, 1 - contrast), 1 + contrast),
    saturation: rng.uniform(Math.max(0, 1 - saturation), 1 + saturation),
    hue: rng.uniform(-hue, hue),
  };
}

/** Applies a ColorJitter draw (torchvision `ColorJitter.forward` order). */
export function colorJitter(img: RgbImage, p: ColorJitterParams): RgbImage {
  // The first op writes a new image, the others overwrite it: the input (the weak view) stays as it was.
  let out = img;
  for (const op of p.order) {
    const into = out === img ? undefined : out.data;
    if (op === 0) out = adjustBrightness(out, p.brightness, into);
    else if (op === 1) out = adjustContrast(out, p.contrast, into);
    else if (op === 2) out = adjustSaturation(out, p.saturation, into);
    else out = adjustHue(out, p.hue, into);
  }
  return out;
}

/** Draws the parameters of one strong view of type `kind`. */
export function sampleStrongAugment(rng: RngLike, kind: AugType = 'strong'): StrongAugmentParams {
  switch (kind) {
    case 'none':
      return { jitter: null, grayscale: false, blurSigma: null };
    case 'weak':
      return { jitter: rng.random() < 0.2 ? sampleColorJitter(rng, { brightness: 0.2, contrast: 0.2, saturation: 0.2, hue: 0.1 }) : null, grayscale: false, blurSigma: null };
    case 'strong':
    case 'strongv2': {
      const jitter = rng.random() < 0.8 ? sampleColorJitter(rng) : null;
      const grayscale = rng.random() < 0.2;
      const blurSigma = kind === 'strongv2' && rng.random() < 0.5 ? rng.uniform(0.1, 2.0) : null;
      return { jitter, grayscale, blurSigma };
    }
    default: {
      const never: never = kind;
      throw new DataFormatError('INVALID_ARGUMENT', 'augType', '', `unknown augmentation type ${JSON.stringify(never)}`, `one of ${AUG_TYPES.join(', ')}`);
    }
  }
}

/** Applies a strong-view draw to an RGB image (after resize/flip). Returns a new image (or the input if no-op). */
export function applyStrongAugment(img: RgbImage, p: StrongAugmentParams): RgbImage {
  let out = img;
  if (p.jitter) out = colorJitter(out, p.jitter);
  if (p.grayscale) out = toGrayscale(out, out === img ? undefined : out.data);
  if (p.blurSigma !== null) out = gaussianBlur(out, p.blurSigma, 3);
  return out;
}

/** Draws and applies one strong view. */
export function strongAugment(img: RgbImage, rng: RngLike, kind: AugType = 'strong'): RgbImage {
  return applyStrongAugment(img, sampleStrongAugment(rng, kind));
}
