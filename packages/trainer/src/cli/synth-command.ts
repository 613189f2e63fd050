// `boxteacher synth`: writes syntheticShapes as a COCO folder (images/, annotations.json with masks,
// annotations_boxes.json without).
import { syntheticShapes, writeCocoFolder } from '@boxteacher/data';
import { presetConfig } from '../config/presets';
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
  const paths = await writeCocoFolder(dataset, String(flags.out));
  const instances = dataset.coco.annotations.length;
  process.stdout.write(`${params.count} images, ${instances} instances → ${paths.dir}\n  ${paths.annotations}\n  ${paths.boxAnnotations}\n  ${paths.imagesDir}/\n`);
}
