// The `coco-eval` command line: argument parsing, evaluation through evaluateCoco, pycocotools' 12-line summary
// or a JSON object, exit codes 0 (ok), 1 (data error), 2 (usage error), never a stack trace.

import { parseArgs } from 'node:util';
import { CocoFormatError } from './errors';
import { evaluateCoco } from './fast/evaluate-coco';
import type { ParamsOverrides } from './cocoeval/params';

/** The one usage line a usage error ends with; `--help` prints the whole USAGE text. */
export const USAGE_LINE = 'usage: coco-eval --gt FILE --dt FILE --iou-type bbox|segm [options]   (coco-eval --help for all options)';

export const USAGE = `Usage: coco-eval --gt FILE --dt FILE --iou-type bbox|segm [options]

Evaluates COCO detection results exactly like pycocotools (COCOeval) and prints its 12-line summary.

Options:
  --gt FILE            ground-truth COCO instances JSON
  --dt FILE            detection results JSON (a list of {image_id, category_id, score, bbox | segmentation})
  --iou-type TYPE      bbox or segm (keypoints are not supported yet)
  --use-cats 0|1       1 (default): per-category evaluation; 0: ignore categories
  --max-dets LIST      comma-separated detection limits (default 1,10,100)
  --img-ids LIST       comma-separated image ids to evaluate (default: all)
  --cat-ids LIST       comma-separated category ids to evaluate (default: all)
  --workers N          threads (default: all cores for large inputs)
  --json               print one JSON object {"stats": [...12 numbers...], ...} instead of the summary
  -h, --help           show this help
`;

/** Where the CLI writes. */
export interface CliIo {
  out: (s: string) => void;
  err: (s: string) => void;
}

class UsageError extends Error {}

function idList(name: string, v: string | undefined): number[] | undefined {
  if (v === undefined) return undefined;
  const parts = v.split(',').map((s) => s.trim());
  const nums = parts.map(Number);
  if (parts.some((s) => s === '') || nums.some((n) => !Number.isFinite(n))) {
    throw new UsageError(`--${name}: expected comma-separated numbers, got "${v}"`);
  }
  return nums;
}

/**
 * Runs the CLI with the given arguments (without `node` and the script path).
 * @returns the exit code
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({
      args: [...argv],
      options: {
        gt: { type: 'string' },
        dt: { type: 'string' },
        'iou-type': { type: 'string' },
        'use-cats': { type: 'string' },
        'max-dets': { type: 'string' },
        'img-ids': { type: 'string' },
        'cat-ids': { type: 'string' },
        workers: { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (err) {
    io.err(`coco-eval: ${(err as Error).message}\n${USAGE_LINE}\n`);
    return 2;
  }
  if (values['help']) {
    io.out(USAGE);
    return 0;
  }
  try {
    const gt = values['gt'] as string | undefined;
    const dt = values['dt'] as string | undefined;
    const iouType = values['iou-type'] as string | undefined;
    if (gt === undefined) throw new UsageError('missing --gt FILE');
    if (dt === undefined) throw new UsageError('missing --dt FILE');
    if (iouType === undefined) throw new UsageError('missing --iou-type bbox|segm');
    if (iouType === 'keypoints') throw new UsageError('--iou-type keypoints is not supported yet (use bbox or segm)');
    if (iouType !== 'bbox' && iouType !== 'segm') throw new UsageError(`--iou-type: expected bbox or segm, got "${iouType}"`);
    const params: ParamsOverrides = {};
    const useCats = values['use-cats'] as string | undefined;
    if (useCats !== undefined) {
      if (useCats !== '0' && useCats !== '1') throw new UsageError(`--use-cats: expected 0 or 1, got "${useCats}"`);
      params.useCats = Number(useCats);
    }
    const maxDets = idList('max-dets', values['max-dets'] as string | undefined);
    if (maxDets !== undefined) {
      if (maxDets.length < 3 || maxDets.some((m) => !Number.isInteger(m) || m < 0)) {
        throw new UsageError('--max-dets: expected at least 3 comma-separated non-negative integers (the summary reads 3)');
      }
      params.maxDets = maxDets;
    }
    const imgIds = idList('img-ids', values['img-ids'] as string | undefined);
    if (imgIds !== undefined) params.imgIds = imgIds;
    const catIds = idList('cat-ids', values['cat-ids'] as string | undefined);
    if (catIds !== undefined) params.catIds = catIds;
    let workers: number | undefined;
    if (values['workers'] !== undefined) {
      workers = Number(values['workers']);
      if (!Number.isInteger(workers) || workers < 1) throw new UsageError(`--workers: expected a positive integer, got "${String(values['workers'])}"`);
    }
    const r = await evaluateCoco({ gt, dt, iouType, params, workers });
    if (values['json']) {
      io.out(
        `${JSON.stringify({
          stats: r.stats,
          iouType,
          summary: r.summaryLines,
          params: {
            numImages: r.params.imgIds.length,
            catIds: r.params.catIds,
            maxDets: r.params.maxDets,
            useCats: r.params.useCats,
          },
          perCategory: r.perCategory,
        })}\n`,
      );
    } else {
      io.out(`${r.summaryLines.join('\n')}\n`);
    }
    return 0;
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`coco-eval: ${err.message}\n${USAGE_LINE}\n`);
      return 2;
    }
    if (err instanceof CocoFormatError) {
      io.err(`coco-eval: ${err.message}\n`);
      return 1;
    }
    io.err(`coco-eval: unexpected error: ${(err as Error)?.message ?? String(err)}\n`);
    return 1;
  }
}
