// loadImage: decode a JPEG / PNG / WebP file with sharp (libvips) into RGB uint8 HWC, with EXIF orientation
// applied (as detectron2's `read_image` does via `_apply_exif_orientation`) and greyscale / alpha images turned
// into 3-channel RGB. Images stay RGB in this package; the model converts to BGR and subtracts the pixel mean
// (boxteacher.md §2).

import { readFile } from 'node:fs/promises';
import sharp from 'sharp';
import { DataFormatError } from '../errors';
import type { RgbImage } from '../types';

const SUPPORTED = new Set(['jpeg', 'png', 'webp']);

/**
 * Reads an image file as RGB uint8 `[H, W, 3]`. Throws a DataFormatError naming the file for a missing, empty,
 * corrupt (e.g. truncated) or unsupported file.
 */
export async function loadImage(path: string): Promise<RgbImage> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new DataFormatError('FILE_NOT_FOUND', path, '', 'no such image file', 'a JPEG, PNG or WebP file (check imagesDir and file_name)');
    if (code === 'EISDIR') throw new DataFormatError('INVALID_ARGUMENT', path, '', 'is a directory', 'an image file');
    if (code === 'EACCES' || code === 'EPERM') throw new DataFormatError('INVALID_ARGUMENT', path, '', 'cannot read the image file (permission denied)', 'a readable image file');
    throw new DataFormatError('INVALID_ARGUMENT', path, '', `cannot read the image file (${code ?? (e as Error).message})`, 'a readable image file');
  }
  return decodeImage(bytes, path);
}

/** Decodes encoded image bytes (see loadImage); `name` is used in error messages. */
export async function decodeImage(bytes: Uint8Array, name = '<buffer>'): Promise<RgbImage> {
  if (bytes.length === 0) throw new DataFormatError('FILE_EMPTY', name, '', 'the image file is empty (0 bytes)', 'a JPEG, PNG or WebP file');
  let format: string | undefined;
  try {
    format = (await sharp(bytes).metadata()).format;
  } catch (e) {
    // A known signature with an unreadable header is a damaged file, anything else is not an image at all.
    const sniffed = sniffFormat(bytes);
    if (sniffed) {
      throw new DataFormatError('IMAGE_CORRUPT', name, '', `the ${sniffed} data is corrupt or truncated (${(e as Error).message.split('\n')[0]})`, `a complete ${sniffed} file`);
    }
    throw new DataFormatError('IMAGE_UNSUPPORTED', name, '', `not a recognised image (starts with ${describeStart(bytes)})`, 'a JPEG, PNG or WebP file');
  }
  if (!format || !SUPPORTED.has(format)) {
    throw new DataFormatError('IMAGE_UNSUPPORTED', name, '', `${format ?? 'unknown'} images are not supported`, 'a JPEG, PNG or WebP file');
  }
  try {
    // failOn 'warning': a truncated JPEG is an error, not a silently grey bottom half.
    const { data, info } = await sharp(bytes, { failOn: 'warning' })
      .rotate() // apply EXIF orientation
      .removeAlpha()
      .toColourspace('srgb')
      .raw()
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) throw new Error(`decoded ${info.channels} channels`);
    return { data: new Uint8Array(data.buffer, data.byteOffset, data.length), height: info.height, width: info.width };
  } catch (e) {
    const msg = (e as Error).message.split('\n')[0];
    throw new DataFormatError('IMAGE_CORRUPT', name, '', `the ${format} data is corrupt or truncated (${msg})`, `a complete ${format} file`);
  }
}

/** The format named by the file signature (magic bytes), if it is one loadImage supports. */
function sniffFormat(b: Uint8Array): string | null {
  if (b[0] === 0xff && b[1] === 0xd8) return 'jpeg';
  if (b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47) return 'png';
  if (Buffer.from(b.subarray(0, 4)).toString('latin1') === 'RIFF' && Buffer.from(b.subarray(8, 12)).toString('latin1') === 'WEBP') return 'webp';
  return null;
}

function describeStart(bytes: Uint8Array): string {
  const head = Buffer.from(bytes.subarray(0, 8));
  const printable = head.every((b) => b >= 0x20 && b < 0x7f);
  return printable ? JSON.stringify(head.toString('latin1')) : head.toString('hex');
}
