// The coco-eval CLI logic (in-process): summary and --json output identical to pycocotools on the real case,
// exit codes 2 (usage) and 1 (data), messages without stack traces.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../src/cli-main';
import { REAL_DIR } from './helpers/cases';
import { FIXTURES, fixture } from './helpers/fixtures';

const dir = join(FIXTURES, REAL_DIR);
const GT = join(dir, 'instances_val2014_100.json');
const DT = join(dir, 'instances_val2014_fakebbox100_results.json');

async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(args, { out: (s) => (out += s), err: (s) => (err += s) });
  return { code, out, err };
}

describe('runCli', () => {
  it("prints pycocotools' 12-line summary", async () => {
    const r = await cli('--gt', GT, '--dt', DT, '--iou-type', 'bbox');
    expect(r.code).toBe(0);
    expect(r.out.trimEnd().split('\n')).toEqual(fixture(`${REAL_DIR}/expected_bbox.json`).summary_text);
  });
  it('--json prints {"stats": [12 numbers]} that parse to the exact stats', async () => {
    const r = await cli('--gt', GT, '--dt', join(dir, 'instances_val2014_fakesegm100_results.json'), '--iou-type', 'segm', '--json', '--workers', '1');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.stats).toEqual(fixture(`${REAL_DIR}/expected_segm.json`).stats);
    expect(j.perCategory.length).toBe(80);
  });
  it('passes --max-dets / --img-ids / --cat-ids / --use-cats to the parameters', async () => {
    const r = await cli('--gt', GT, '--dt', DT, '--iou-type', 'bbox', '--max-dets', '1,10,50', '--cat-ids', '1,18', '--use-cats', '1', '--json');
    const j = JSON.parse(r.out);
    expect(j.params).toMatchObject({ catIds: [1, 18], maxDets: [1, 10, 50] });
    expect(j.stats[0]).toBe(-1); // maxDets lacks 100: pycocotools gives -1 for stats[0]
  });
  it.each([
    [['--gt', GT, '--dt', DT], /missing --iou-type/],
    [['--gt', GT, '--dt', DT, '--iou-type', 'mask'], /expected bbox or segm/],
    [['--gt', GT, '--dt', DT, '--iou-type', 'keypoints'], /not supported yet/],
    [['--gt', GT, '--bogus'], /Unknown option '--bogus'/],
    [['--gt', GT, '--dt', DT, '--iou-type', 'bbox', '--max-dets', '1,x'], /--max-dets/],
    [['--gt', GT, '--dt', DT, '--iou-type', 'bbox', '--use-cats', '2'], /--use-cats/],
  ])('usage error %j exits 2 with one line on what is wrong and one usage line', async (args, message) => {
    const r = await cli(...(args as string[]));
    expect(r.code).toBe(2);
    const lines = r.err.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^coco-eval: /);
    expect(lines[0]).toMatch(message);
    expect(lines[1]).toMatch(/^usage: coco-eval --gt FILE --dt FILE --iou-type bbox\|segm .*--help/);
    expect(r.err).not.toMatch(/\n\s+at /);
  });
  it('data errors exit 1 naming the file (missing file, result on an unknown image)', async () => {
    const missing = await cli('--gt', GT, '--dt', join(dir, 'nope.json'), '--iou-type', 'bbox');
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/nope\.json: cannot read file/);
    const wrong = await cli('--gt', join(FIXTURES, 'format.json'), '--dt', DT, '--iou-type', 'bbox');
    expect(wrong.code).toBe(1);
    expect(wrong.err).toMatch(/image_id \d+ is not an image of the ground truth/);
    expect(wrong.err).not.toMatch(/\n\s+at /);
  });
  it('--help prints the usage and exits 0', async () => {
    const r = await cli('--help');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/--iou-type/);
  });
});
