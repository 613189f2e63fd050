// The labelling part of docs/results.md (issue 17): what `boxteacher label` makes of held-out photos' true boxes,
// per method (mean ± std over seeds), next to the filled boxes themselves; the same split by object size and by
// class; and the issue's targets, BoxTeacher vs the box baseline and vs BoxInst paired by seed.
import type { DatasetName } from './experiment-plan';
import type { RunResult } from './results-markdown';
import type { LabellingGroupSummary, RunSummary } from './run-summary';
import { formatMeanStd, meanStd } from './seed-stats';

const mean = (xs: number[]) => meanStd(xs).mean;

const iou = (v: number) => (Number.isFinite(v) ? v.toFixed(3) : '–');
// The sign of the rounded value: a −0.00004 difference prints as +0.0, not −0.0.
const signed = (v: number, digits = 3) => (Number.isFinite(v) ? `${Number(v.toFixed(digits)) >= 0 ? '+' : '−'}${Math.abs(v).toFixed(digits)}` : '–');

/** The finished runs of a method on a dataset that measured labelling. */
function labelled(results: RunResult[], dataset: DatasetName, method: string): Array<{ seed: number; summary: RunSummary }> {
  return results
    .filter((r) => r.run.dataset === dataset && r.run.method === method && !r.run.diagnostic && r.summary?.labelling)
    .map((r) => ({ seed: r.run.seed, summary: r.summary! }));
}

/** Mean over runs of one group's IoU (the group looked up by name in each run's breakdown). */
function groupMean(runs: RunSummary[], kind: 'bySize' | 'byClass', name: string, key: 'maskIoU' | 'boxIoU'): number {
  const values = runs.map((s) => s.labelling?.breakdown?.[kind].find((g) => g.name === name)?.[key]).filter((v): v is number => typeof v === 'number');
  return mean(values);
}

/** Markdown lines for one dataset; [] when no run of it measured labelling. */
export function labellingLines(results: RunResult[], dataset: DatasetName, methods: readonly string[], classRows = 10): string[] {
  const perMethod = methods.map((m) => [m, labelled(results, dataset, m).map((r) => r.summary)] as const).filter(([, runs]) => runs.length > 0);
  if (perMethod.length === 0) return [];
  const first = perMethod[0]![1][0]!.labelling!;
  const out = [
    `### Labelling quality (${dataset})`,
    '',
    `The ${first.images} validation photos' ${first.boxes} true boxes (with their classes) labelled as \`boxteacher label\` does, then scored`,
    'against the true polygons: mean mask IoU of the labels, and of the filled boxes themselves (the baseline: what a',
    'box gives without a model). The supervised model, trained on the true masks, is the ceiling.',
    '',
    '| Method | Seeds | label IoU | filled-box IoU | gain over the box |',
    '|---|---|---|---|---|',
  ];
  for (const [method, runs] of perMethod) {
    const gains = runs.map((s) => s.labelling!.maskIoU - s.labelling!.boxIoU);
    out.push(`| ${method}${method === 'supervised' ? ' (ceiling)' : ''} | ${runs.length} | ${formatMeanStd(runs.map((s) => s.labelling!.maskIoU), 1, 3)} | ${iou(mean(runs.map((s) => s.labelling!.boxIoU)))} | ${signed(mean(gains))} |`);
  }
  const withBreakdown = perMethod.filter(([, runs]) => runs.some((s) => s.labelling!.breakdown));
  if (withBreakdown.length > 0) {
    const any = withBreakdown[0]![1].find((s) => s.labelling!.breakdown)!.labelling!.breakdown!;
    const header = `| | instances | filled box | ${withBreakdown.map(([m]) => m).join(' | ')} |`;
    const rule = `|---|---|---|${withBreakdown.map(() => '---').join('|')}|`;
    const row = (kind: 'bySize' | 'byClass', g: LabellingGroupSummary) =>
      `| ${g.name} | ${g.instances} | ${iou(g.boxIoU ?? NaN)} | ${withBreakdown.map(([, runs]) => iou(groupMean(runs, kind, g.name, 'maskIoU'))).join(' | ')} |`;
    out.push('', 'By object size (COCO\'s ranges on the true mask\'s area: small < 32², medium < 96² pixels), mean label IoU over seeds:', '', header, rule);
    for (const g of any.bySize) out.push(row('bySize', g));
    const shown = any.byClass.slice(0, classRows);
    out.push('', `By class (the ${shown.length} classes with most validation instances of ${any.byClass.length}), mean label IoU over seeds:`, '', header, rule);
    for (const g of shown) out.push(row('byClass', g));
  }
  out.push('');
  return out;
}

/** "a (seed 1), b (seed 2)" per-seed differences of `pick` between two methods, and their mean. */
function paired(results: RunResult[], dataset: DatasetName, pick: (s: RunSummary) => number, scale: number, digits: number): { text: string; mean: number; wins: number; n: number } {
  const mine = labelled(results, dataset, 'boxteacher');
  const theirs = labelled(results, dataset, 'boxinst');
  const diffs: Array<[number, number]> = [];
  for (const r of mine) {
    const base = theirs.find((b) => b.seed === r.seed);
    if (base) diffs.push([r.seed, scale * (pick(r.summary) - pick(base.summary))]);
  }
  return {
    text: diffs.map(([seed, d]) => `${signed(d, digits)} (seed ${seed})`).join(', '),
    mean: mean(diffs.map(([, d]) => d)),
    wins: diffs.filter(([, d]) => d >= 0).length,
    n: diffs.length,
  };
}

/** Issue 17's targets on the held-out photos, each with its margin. */
export function realPhotoTargetLines(results: RunResult[], dataset: DatasetName): string[] {
  const teacher = labelled(results, dataset, 'boxteacher').map((r) => r.summary.labelling!);
  if (teacher.length === 0) return [];
  const verdict = (ok: boolean, missedBy: string) => (ok ? '**met**' : `**missed** by ${missedBy}`);
  const gain = mean(teacher.map((l) => l.maskIoU - l.boxIoU));
  const lines = [`| BoxTeacher's labels ≥ filled box + 0.10 mean IoU | ${signed(gain)} (${iou(mean(teacher.map((l) => l.maskIoU)))} vs ${iou(mean(teacher.map((l) => l.boxIoU)))}) | ${verdict(gain >= 0.1, (0.1 - gain).toFixed(3))} |`];
  const label = paired(results, dataset, (s) => s.labelling!.maskIoU, 1, 3);
  const ap = paired(results, dataset, (s) => s.segm[0]!, 100, 1);
  for (const [name, p, unit] of [['label IoU', label, ''], ['mask AP', ap, ' AP']] as const) {
    if (p.n === 0) {
      lines.push(`| BoxTeacher ≥ BoxInst on ${name}, paired by seed | no pair finished | not measured |`);
      continue;
    }
    const ok = p.wins === p.n;
    lines.push(`| BoxTeacher ≥ BoxInst on ${name}, paired by seed | ${p.text}; mean ${signed(p.mean, unit ? 1 : 3)}${unit} | ${ok ? '**met**' : `**missed** on ${p.n - p.wins} of ${p.n} seeds`} |`);
  }
  return lines;
}
