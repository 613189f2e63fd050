// Writes RGB uint8 images to PNG/JPEG files with sharp (synthetic datasets, prediction overlays).

import sharp from 'sharp';
import type { RgbImage } from '../types';

/** Encodes `image` to a PNG (lossless, so synthetic pixels read back exactly) or JPEG file at `path`. */
export async function saveImage(image: RgbImage, path: string, { format = 'png' as 'png' | 'jpeg', quality = 95 } = {}): Promise<void> {
  const s = sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } });
  await (format === 'png' ? s.png({ compressionLevel: 6 }) : s.jpeg({ quality })).toFile(path);
}
