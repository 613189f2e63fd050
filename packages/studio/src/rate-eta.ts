// Rate and time left of a long run ("label the whole dataset"), from the items done so far.
export class RateEta {
  private readonly start = performance.now();

  constructor(private readonly total: number) {}

  /** e.g. `12 / 40 images · 1.8 images/s · 16 s left` */
  line(done: number, unit = 'images'): string {
    const seconds = (performance.now() - this.start) / 1000;
    const rate = seconds > 0 ? done / seconds : 0;
    const left = rate > 0 ? (this.total - done) / rate : NaN;
    const eta = Number.isFinite(left) ? ` · ${formatDuration(left)} left` : '';
    return `${done} / ${this.total} ${unit} · ${rate.toFixed(rate < 10 ? 2 : 1)} ${unit}/s${eta}`;
  }
}

export function formatDuration(seconds: number): string {
  if (seconds < 60) return `${Math.ceil(seconds)} s`;
  const m = Math.floor(seconds / 60);
  if (m < 60) return `${m} min ${Math.round(seconds - 60 * m)} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}
