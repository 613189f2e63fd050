// `boxteacher synth`: writes syntheticShapes as a COCO folder (images/, annotations.json with masks,
// annotations_boxes.json without), the layout of data's writeCocoFolder. Each file is written atomically, images
// first and annotations.json last, so a full disk or an unwritable folder leaves no partial file, and a folder with
// annotations.json is complete.
import * as path from 'node:path';
import sharp from 'sharp';
import { syntheticShapes } from '@boxteacher/data';
import { presetConfig } from '../config/presets';
import { makeOutputDir, writeOutputFile } from './output-files';
import type { FlagSpec, ParsedFlags } from './parse-args';

export const SYNTH_FLAGS: Record<string, FlagSpec> = {
  count: { kind: 'int', description: 'number of images (default: the demo preset’s training set)' },
  size: { kind: 'int', description: 'image side in pixels (default: the demo preset’s)' },
  seed: { kind: 'int', description: 'seed (default: the demo preset’s)' },
  out: { kind: 'string', description: 'output folder', required: true },
};

export async function synthCommand(flags: ParsedFlags): Promise<void> {
  const demo = presetConfig('demo').data.train.synthetic!;
  const params = {
    count: (flags.count as number | undefined) ?? demo.count,
    size: (flags.size as number | undefined) ?? demo.size,
    seed: (flags.seed as number | undefined) ?? demo.seed,
  };
  const dataset = syntheticShapes(params);
  const dir = String(flags.out);
  const paths = { dir, imagesDir: path.join(dir, 'images'), annotations: path.join(dir, 'annotations.json'), boxAnnotations: path.join(dir, 'annotations_boxes.json') };
  await makeOutputDir(paths.imagesDir);
  for (const { image, fileName } of dataset.images) {
    // PNG at sharp's level 6, as data's saveImage: lossless, so the pixels read back exactly.
    const png = await sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } }).png({ compressionLevel: 6 }).toBuffer();
    await writeOutputFile(path.join(dir, fileName), png);
  }
  await writeOutputFile(paths.boxAnnotations, JSON.stringify(dataset.cocoBoxes));
  await writeOutputFile(paths.annotations, JSON.stringify(dataset.coco));
  const instances = dataset.coco.annotations.length;
  process.stdout.write(`${params.count} images, ${instances} instances → ${paths.dir}\n  ${paths.annotations}\n  ${paths.boxAnnotations}\n  ${paths.imagesDir}/\n`);
}
