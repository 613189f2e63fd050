// More of the bad-input corpus through the real CLI: synth and demo flags, missing checkpoints through every
// command that loads one, COCO-level errors (duplicate image, category and annotation ids, unknown image and category ids, NaN
// boxes). Each: the documented exit code, one to four lines naming the flag, file or JSON path, no stack trace, no
// raw Node error.
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { expectCleanError } from './clean-error';

let dir = '';

const coco = (images: unknown[], annotations: unknown[]) => JSON.stringify({ images, annotations, categories: [{ id: 1, name: 'a' }] });
const image = (id: number, fileName = 'a.png') => ({ id, file_name: fileName, width: 1, height: 1 });
const box = (id: number, imageId: number) => ({ id, image_id: imageId, category_id: 1, bbox: [0, 0, 1, 1], area: 1, iscrowd: 0 });

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'boxteacher-bad-input-more-'));
  await fs.writeFile(path.join(dir, 'a.png'), 'not an image');
  await fs.writeFile(path.join(dir, 'ok.json'), coco([image(1)], [box(1, 1)]));
  await fs.writeFile(path.join(dir, 'duplicate-image.json'), coco([image(1), image(1, 'b.png')], []));
  await fs.writeFile(path.join(dir, 'unknown-image.json'), coco([image(1)], [box(1, 7)]));
  await fs.writeFile(path.join(dir, 'duplicate-annotation.json'), coco([image(1), image(2, 'b.png')], [box(1, 1), box(2, 2), box(1, 2)]));
  // NaN is not JSON (Python's json.dump writes it for float('nan')); an unknown category; a category id used twice.
  await fs.writeFile(path.join(dir, 'nan-box.json'), coco([image(1)], [box(1, 1)]).replace('"bbox":[0,0,1,1]', '"bbox":[0,0,NaN,1]'));
  await fs.writeFile(path.join(dir, 'unknown-category.json'), coco([image(1)], [{ ...box(1, 1), category_id: 9 }]));
  await fs.writeFile(path.join(dir, 'duplicate-category.json'), JSON.stringify({ images: [image(1)], annotations: [], categories: [{ id: 1, name: 'a' }, { id: 1, name: 'b' }] }));
});

afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

describe('boxteacher: more bad input, one clear error each', () => {
  it('synth and demo flags (exit 2)', async () => {
    await expectCleanError(['synth', '--count', 'x', '--out', path.join(dir, 's')], 2, /^boxteacher synth: --count expects an integer, got "x"$/);
    await expectCleanError(['synth', '--count', '2'], 2, /^boxteacher synth: --out is required \(output folder\)$/);
    await expectCleanError(['demo', '--bogus'], 2, /^boxteacher demo: unknown flag --bogus; valid flags: --out/);
  });

  it('a missing checkpoint through label, predict and eval (exit 1, names the flag and path)', async () => {
    const missing = path.join(dir, 'no-such-run');
    await expectCleanError(['label', '--checkpoint', missing, '--coco', path.join(dir, 'ok.json'), '--out', path.join(dir, 'o.json')], 1, /--checkpoint .*no-such-run: no such folder or \.safetensors file/);
    await expectCleanError(['predict', '--checkpoint', missing, '--images', path.join(dir, 'a.png'), '--out', path.join(dir, 'p')], 1, /--checkpoint .*no-such-run: no such folder or \.safetensors file/);
    await expectCleanError(['eval', '--checkpoint', missing, '--coco', path.join(dir, 'ok.json')], 1, /--checkpoint .*no-such-run: no such folder or \.safetensors file/);
  });

  it('COCO duplicate image and annotation ids, unknown image ids (names the file and JSON path)', async () => {
    await expectCleanError(['label', '--checkpoint', 'x', '--coco', path.join(dir, 'duplicate-image.json'), '--out', path.join(dir, 'o.json')], 1, /duplicate-image\.json: images\[1\]\.id: image id 1 already used by images\[0\]/);
    await expectCleanError(['label', '--checkpoint', 'x', '--coco', path.join(dir, 'unknown-image.json'), '--out', path.join(dir, 'o.json')], 1, /unknown-image\.json: annotations\[0\]\.image_id: image id 7 is not in "images"/);
    await expectCleanError(['label', '--checkpoint', 'x', '--coco', path.join(dir, 'duplicate-annotation.json'), '--out', path.join(dir, 'o.json')], 1,
      /duplicate-annotation\.json: annotations\[2\]\.id: annotation id 1 already used by annotations\[0\]; expected unique annotation ids$/);
  });

  it('COCO NaN boxes, unknown category ids and duplicate category ids (names the file and JSON path)', async () => {
    const label = (file: string) => ['label', '--checkpoint', 'x', '--coco', path.join(dir, file), '--out', path.join(dir, 'o.json')];
    await expectCleanError(label('nan-box.json'), 1, /nan-box\.json: annotations\[0\]\.bbox\[2\]: .*NaN is not valid JSON/);
    await expectCleanError(label('unknown-category.json'), 1, /unknown-category\.json: annotations\[0\]\.category_id: .*9.*expected one of the category ids 1/);
    await expectCleanError(label('duplicate-category.json'), 1, /duplicate-category\.json: categories\[1\]\.id: category id 1 already used by categories\[0\]/);
  });
});
