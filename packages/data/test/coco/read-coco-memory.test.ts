// readCoco streams: a file far larger than the JS heap is read with a heap limit that JSON.parse of the same file
// cannot live with. (The 1 GB figures come from tools/data/coco-memory-check.ts; this is the same property at a
// size the test suite can afford.)
import { execFileSync, spawnSync } from 'node:child_process';
import { createWriteStream, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import { TEST_DIR } from '../helpers';

const dir = join(TEST_DIR, '..', '.tmp', 'memory-test');
const file = join(dir, 'big.json');
const bundle = join(dir, 'read-coco.mjs');
const HEAP_MB = 24;

beforeAll(async () => {
  mkdirSync(dir, { recursive: true });
  // ~60 MB: 300 annotations whose polygons are 200 kB of text each.
  const out = createWriteStream(file);
  out.write('{"images": [{"id": 1, "file_name": "a.jpg", "height": 1000, "width": 1000}], "annotations": [');
  const poly = Array.from({ length: 12_000 }, (_, k) => `${(500 + 400 * Math.cos(k / 1900)).toFixed(3)}, ${(500 + 400 * Math.sin(k / 1900)).toFixed(3)}`).join(', ');
  for (let i = 0; i < 300; i++) out.write(`${i ? ',' : ''}{"id": ${i + 1}, "image_id": 1, "category_id": 1, "bbox": [100, 100, 800, 800], "segmentation": [[${poly}]]}`);
  out.write('], "categories": [{"id": 1, "name": "thing"}]}');
  await new Promise<void>((r) => out.end(() => r()));
  await build({ entryPoints: [join(TEST_DIR, '../src/coco/read-coco.ts')], outfile: bundle, bundle: true, platform: 'node', format: 'esm', target: 'node20', logLevel: 'silent' });
}, 60_000);

describe('readCoco memory', () => {
  it(`reads a ~60 MB file box-only within a ${HEAP_MB} MB heap, where JSON.parse runs out of memory`, () => {
    expect(statSync(file).size).toBeGreaterThan(50 * 2 ** 20);
    const ok = execFileSync(
      process.execPath,
      [`--max-old-space-size=${HEAP_MB}`, '--input-type=module', '-e', `const { readCoco } = await import(${JSON.stringify(bundle)}); const d = await readCoco(${JSON.stringify(file)}, { boxesOnly: true }); process.stdout.write(String(d.stats.instances));`],
      { encoding: 'utf8', timeout: 60_000 },
    );
    expect(ok.trim()).toBe('300');
    const control = spawnSync(process.execPath, [`--max-old-space-size=${HEAP_MB}`, '-e', `JSON.parse(require('fs').readFileSync(${JSON.stringify(file)}, 'utf8'))`], { encoding: 'utf8', timeout: 60_000 });
    expect(control.status).not.toBe(0);
    expect(control.stderr).toMatch(/heap out of memory|Reached heap limit|Invalid string length/);
  });
});
