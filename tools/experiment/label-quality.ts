// `npm run label-quality -- --run RUN_DIR --coco FILE_WITH_MASKS [--images DIR] [--backend B]`: what `boxteacher
// label` buys on a real dataset — the COCO file's boxes alone are labelled by the run, then the labels and the
// filled boxes are scored against the file's own masks (mean mask IoU of each). Prints one line and writes
// RUN_DIR/labelling-coco/labelling.json.
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { formatLabellingQuality, labellingQualityOnCoco } from '@boxteacher/trainer';

const args = process.argv.slice(2);
const flag = (name: string): string | undefined => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const run = flag('run');
const coco = flag('coco');
if (run == null || coco == null) {
  process.stderr.write('usage: npm run label-quality -- --run RUN_DIR --coco FILE_WITH_MASKS [--images DIR] [--backend B]\n');
  process.exit(2);
}
for (const [name, p] of [['--run', run], ['--coco', coco]] as const) {
  if (!existsSync(p)) {
    process.stderr.write(`label-quality: ${name} ${p}: no such file or folder\n`);
    process.exit(2);
  }
}
const q = await labellingQualityOnCoco(path.resolve(run), { annotations: path.resolve(coco), images: path.resolve(flag('images') ?? path.dirname(coco)), backend: flag('backend') });
process.stdout.write(`${formatLabellingQuality(q)}\n`);
