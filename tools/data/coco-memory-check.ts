// Measures readCoco on a large generated COCO file: wall time and peak resident memory (maxRSS) of a fresh
// process, for boxesOnly and for full polygon reading, plus whether plain JSON.parse of the file is even possible.
// Usage (from packages/data): npx tsx --conditions=@boxteacher/source ../../tools/data/coco-memory-check.ts [MB] [file]
// Default 1024 MB written to /tmp/bt-coco-big.json (reused if it already has the size). Not part of the test suite.
import { execFileSync } from 'node:child_process';
import { createWriteStream, existsSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(import.meta.url);

async function generate(file: string, megabytes: number): Promise<void> {
  const out = createWriteStream(file);
  const write = (s: string) => (out.write(s) ? Promise.resolve() : new Promise<void>((r) => out.once('drain', () => r())));
  const target = megabytes * 1024 * 1024;
  const nImages = 120_000;
  await write('{"info": {"description": "synthetic large COCO file"}, "images": [');
  let bytes = 0;
  for (let i = 0; i < nImages; i++) {
    const s = `${i ? ',' : ''}\n{"id": ${i + 1}, "file_name": "${String(i + 1).padStart(12, '0')}.jpg", "height": 480, "width": 640}`;
    bytes += s.length;
    await write(s);
  }
  await write('],\n"annotations": [');
  let id = 0;
  let seed = 1;
  const rnd = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 4294967296);
  while (bytes < target) {
    // A COCO-like instance: one polygon of 20-60 points with 2-decimal coordinates.
    const n = 20 + Math.floor(rnd() * 40);
    const cx = 100 + rnd() * 440;
    const cy = 100 + rnd() * 280;
    const r = 10 + rnd() * 80;
    const poly: string[] = [];
    for (let k = 0; k < n; k++) {
      const a = (2 * Math.PI * k) / n;
      poly.push((cx + r * Math.cos(a)).toFixed(2), (cy + r * Math.sin(a)).toFixed(2));
    }
    const s = `${id ? ',' : ''}\n{"segmentation": [[${poly.join(', ')}]], "area": ${(Math.PI * r * r).toFixed(2)}, "iscrowd": 0, "image_id": ${1 + Math.floor(rnd() * nImages)}, "bbox": [${(cx - r).toFixed(2)}, ${(cy - r).toFixed(2)}, ${(2 * r).toFixed(2)}, ${(2 * r).toFixed(2)}], "category_id": ${1 + Math.floor(rnd() * 80)}, "id": ${++id}}`;
    bytes += s.length;
    await write(s);
  }
  await write('],\n"categories": [');
  for (let c = 1; c <= 80; c++) await write(`${c > 1 ? ',' : ''}{"id": ${c}, "name": "class${c}"}`);
  await write(']}\n');
  await new Promise<void>((r) => out.end(() => r()));
}

async function child(mode: string, file: string): Promise<void> {
  const t = performance.now();
  if (mode === 'baseline') {
    await import('../../packages/data/src/coco/read-coco');
    console.log(JSON.stringify({ mode }));
  } else if (mode === 'json-parse') {
    const { readFileSync } = await import('node:fs');
    try {
      const doc = JSON.parse(readFileSync(file, 'utf8'));
      console.log(JSON.stringify({ mode, annotations: doc.annotations.length }));
    } catch (e) {
      console.log(JSON.stringify({ mode, error: (e as Error).message.slice(0, 120) }));
    }
  } else {
    const { readCoco } = await import('../../packages/data/src/coco/read-coco');
    const ds = await readCoco(file, { boxesOnly: mode === 'boxes-only' });
    console.log(JSON.stringify({ mode, instances: ds.stats.instances, images: ds.stats.images }));
  }
  const seconds = (performance.now() - t) / 1000;
  console.log(JSON.stringify({ seconds: Number(seconds.toFixed(1)), maxRssMB: Math.round(process.resourceUsage().maxRSS / 1024) }));
}

async function main(): Promise<void> {
  const [a, b, c] = process.argv.slice(2);
  if (a === '--child') return child(b!, c!);
  const megabytes = Number(a ?? 1024);
  const file = b ?? '/tmp/bt-coco-big.json';
  if (!existsSync(file) || Math.abs(statSync(file).size / 2 ** 20 - megabytes) > 2) {
    const t = performance.now();
    await generate(file, megabytes);
    console.log(`generated ${file}: ${(statSync(file).size / 2 ** 20).toFixed(0)} MiB in ${((performance.now() - t) / 1000).toFixed(0)} s`);
  }
  for (const mode of ['baseline', 'boxes-only', 'full', 'json-parse']) {
    const out = execFileSync(process.execPath, [...process.execArgv, here, '--child', mode, file], { encoding: 'utf8', maxBuffer: 1 << 20 });
    console.log(out.trim().split('\n').filter((l) => l.startsWith('{')).join('  '));
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
