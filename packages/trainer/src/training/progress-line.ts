// A live progress line for long work: step, rate, ETA and the latest losses. On a TTY it rewrites one line;
// elsewhere (CI logs, files) it prints a full line every `everySeconds`.

export interface ProgressOptions {
  total: number;
  label: string;
  stream?: NodeJS.WriteStream;
  everySeconds?: number;
  unit?: string;
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '--';
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const r = s % 60;
  return h > 0 ? `${h}h${String(m).padStart(2, '0')}m` : m > 0 ? `${m}m${String(r).padStart(2, '0')}s` : `${r}s`;
}

export class ProgressLine {
  private readonly started = Date.now();
  private lastPrinted = 0;
  private doneAtStart: number | null = null;
  private readonly stream: NodeJS.WriteStream;

  constructor(readonly options: ProgressOptions) {
    this.stream = options.stream ?? process.stderr;
  }

  /** Reports `done` of `total` units with extra text (losses). */
  update(done: number, detail = '', force = false): void {
    this.doneAtStart ??= done - 1;
    const now = Date.now();
    const tty = this.stream.isTTY === true;
    const interval = (this.options.everySeconds ?? (tty ? 0.2 : 10)) * 1000;
    if (!force && now - this.lastPrinted < interval && done < this.options.total) return;
    this.lastPrinted = now;
    const elapsed = (now - this.started) / 1000;
    const rate = (done - this.doneAtStart) / Math.max(elapsed, 1e-9);
    const eta = (this.options.total - done) / rate;
    const unit = this.options.unit ?? 'it';
    const text = `${this.options.label} ${done}/${this.options.total}  ${rate.toFixed(2)} ${unit}/s  ETA ${formatDuration(eta)}  ${detail}`;
    this.stream.write(tty ? `\r\x1b[2K${text}` : `${text}\n`);
  }

  /** Ends the line on a TTY. */
  finish(): void {
    if (this.stream.isTTY) this.stream.write('\n');
  }
}
