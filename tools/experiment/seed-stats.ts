// Figures over seeds, as every table of results.md shows them: the mean and the sample standard deviation.

/** Mean and sample standard deviation (n − 1; NaN for one value). */
export function meanStd(values: number[]): { mean: number; std: number; n: number } {
  const n = values.length;
  const mean = n ? values.reduce((a, b) => a + b, 0) / n : NaN;
  const std = n > 1 ? Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / (n - 1)) : NaN;
  return { mean, std, n };
}

/** "mean ± std" of `values × scale` to `digits` decimals ("mean" alone for one value, "–" for none). */
export function formatMeanStd(values: number[], scale = 100, digits = 1): string {
  const { mean, std, n } = meanStd(values);
  if (n === 0) return '–';
  return `${(scale * mean).toFixed(digits)}${Number.isFinite(std) ? ` ± ${(scale * std).toFixed(digits)}` : ''}`;
}
