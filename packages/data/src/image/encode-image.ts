// Writes RGB uint8 images to PNG/JPEG files with sharp (synthetic datasets, prediction overlays).

import { writeFileAtomic } from '@boxteacher/core';
import sharp from 'sharp';
import type { RgbImage } from '../types';

export interface EncodeImageOptions {
  format?: 'png' | 'jpeg';
  /** JPEG quality (default 95). */
  quality?: number;
}

/** Encodes `image` as PNG (lossless, so synthetic pixels read back exactly; sharp's level 6) or JPEG bytes. */
export async function encodeImage(image: RgbImage, { format = 'png', quality = 95 }: EncodeImageOptions = {}): Promise<Buffer> {
  const s = sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } });
  return (format === 'png' ? s.png({ compressionLevel: 6 }) : s.jpeg({ quality })).toBuffer();
}

/** Writes `image` to `path` (see encodeImage), atomically: the file appears complete or not at all. */
export async function saveImage(image: RgbImage, path: string, options: EncodeImageOptions = {}): Promise<void> {
  await writeFileAtomic(path, await encodeImage(image, options));
}
