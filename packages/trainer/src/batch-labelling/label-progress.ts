// Progress of a long labelling run: images/s, boxes/s and ETA while it runs, and the summary at the end (images,
// boxes labelled, unmatched boxes, mean mask score, time). For people a line on stderr (rewritten on a terminal,
// every 10 s in a log); with --json-progress one JSON object per line on stdout instead, for machines:
//   {"event":"progress","images":…,"totalImages":…,"boxes":…,"totalBoxes":…,"imagesPerSecond":…,"boxesPerSecond":…,"etaSeconds":…}
//   {"event":"summary","images":…,"boxes":…,"unmatched":…,"meanMaskScore":…,"seconds":…,"output":"…"}
// Rates count this run's work only; the totals include what a resumed run found already done.
import { formatDuration } from '../training/progress-line';
import type { ImageResult } from './result-journal';

export interface LabelTotals {
  images: number;
  boxes: number;
  unmatched: number;
  scoreSum: number;
}

export interface LabelProgressOptions {
  totalImages: number;
  totalBoxes: number;
  json: boolean;
  /** seconds between lines (default: 0.2 on a terminal, 10 otherwise; 5 for JSON) */
  everySeconds?: number;
  stderr?: NodeJS.WritableStream & { isTTY?: boolean };
  stdout?: NodeJS.WritableStream;
}

export function addResult(totals: LabelTotals, result: ImageResult): void {
  totals.images += 1;
  totals.boxes += result.labels.length;
  totals.unmatched += result.unmatched;
  for (const l of result.labels) totals.scoreSum += l.mask_score;
}

export class LabelProgress {
  readonly totals: LabelTotals = { images: 0, boxes: 0, unmatched: 0, scoreSum: 0 };
  private readonly started = Date.now();
  private lastPrinted = 0;
  private base = { images: 0, boxes: 0 };
  private readonly stderr: NodeJS.WritableStream & { isTTY?: boolean };
  private readonly stdout: NodeJS.WritableStream;

  constructor(readonly options: LabelProgressOptions) {
    this.stderr = options.stderr ?? process.stderr;
    this.stdout = options.stdout ?? process.stdout;
  }

  /** Counts work found done (a resumed run); it is not part of the rates. */
  resumed(result: ImageResult): void {
    addResult(this.totals, result);
    this.base = { images: this.totals.images, boxes: this.totals.boxes };
  }

  add(result: ImageResult): void {
    addResult(this.totals, result);
    this.print(false);
  }

  private rates(): { seconds: number; imagesPerSecond: number; boxesPerSecond: number; etaSeconds: number | null } {
    const seconds = (Date.now() - this.started) / 1000;
    const imagesPerSecond = (this.totals.images - this.base.images) / Math.max(seconds, 1e-9);
    const boxesPerSecond = (this.totals.boxes - this.base.boxes) / Math.max(seconds, 1e-9);
    const left = this.options.totalBoxes - this.totals.boxes;
    const etaSeconds = boxesPerSecond > 0 ? left / boxesPerSecond : imagesPerSecond > 0 ? (this.options.totalImages - this.totals.images) / imagesPerSecond : null;
    return { seconds, imagesPerSecond, boxesPerSecond, etaSeconds };
  }

  print(force: boolean): void {
    const tty = !this.options.json && this.stderr.isTTY === true;
    const every = this.options.everySeconds ?? (this.options.json ? 5 : tty ? 0.2 : 10);
    const now = Date.now();
    if (!force && now - this.lastPrinted < every * 1000) return;
    this.lastPrinted = now;
    const r = this.rates();
    const t = this.totals;
    if (this.options.json) {
      const eta = r.etaSeconds == null ? null : Math.round(r.etaSeconds);
      this.stdout.write(`${JSON.stringify({ event: 'progress', images: t.images, totalImages: this.options.totalImages, boxes: t.boxes, totalBoxes: this.options.totalBoxes, imagesPerSecond: round(r.imagesPerSecond), boxesPerSecond: round(r.boxesPerSecond), etaSeconds: eta })}\n`);
      return;
    }
    const text = `[boxteacher] label ${t.images}/${this.options.totalImages} img  ${r.imagesPerSecond.toFixed(2)} img/s  ${r.boxesPerSecond.toFixed(1)} boxes/s  ETA ${formatDuration(r.etaSeconds ?? Number.NaN)}`;
    this.stderr.write(tty ? `\r\x1b[2K${text}` : `${text}\n`);
  }

  /** Ends the progress line and prints the summary (stdout). */
  summary(output: string, annotations: number): void {
    const r = this.rates();
    const t = this.totals;
    const mean = t.boxes > 0 ? t.scoreSum / t.boxes : null;
    if (this.options.json) {
      this.stdout.write(`${JSON.stringify({ event: 'summary', images: t.images, boxes: t.boxes, annotations, unmatched: t.unmatched, meanMaskScore: mean == null ? null : round(mean, 4), seconds: round(r.seconds, 1), output })}\n`);
      return;
    }
    if (this.stderr.isTTY === true) this.stderr.write('\n');
    const scores = mean == null ? '' : `, mean mask score ${mean.toFixed(3)}`;
    this.stdout.write(`labelled ${t.boxes} of ${annotations} annotations on ${t.images} images in ${formatDuration(r.seconds)} (${t.unmatched} boxes unmatched by a detection${scores}) → ${output}\n`);
  }
}

function round(x: number, digits = 2): number {
  return Number(x.toFixed(digits));
}
