// Option validation shared by the resolve*Options functions: each error names the option, the bad value and
// what was expected (spec/style.md §11).

export function checkPositiveInt(owner: string, field: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
    throw new Error(`${owner}: option ${field} must be a positive integer, got ${JSON.stringify(value)}`);
  }
  return value;
}

export function checkNonNegativeInt(owner: string, field: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw new Error(`${owner}: option ${field} must be a non-negative integer, got ${JSON.stringify(value)}`);
  }
  return value;
}

export function checkFinite(owner: string, field: string, value: unknown, { min = -Infinity, max = Infinity } = {}): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    throw new Error(`${owner}: option ${field} must be a finite number in [${min}, ${max}], got ${JSON.stringify(value)}`);
  }
  return value;
}

export function checkNumberList(owner: string, field: string, value: unknown, length?: number): number[] {
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'number' || !Number.isFinite(v)) || (length != null && value.length !== length)) {
    const want = length != null ? `an array of ${length} finite numbers` : 'an array of finite numbers';
    throw new Error(`${owner}: option ${field} must be ${want}, got ${JSON.stringify(value)}`);
  }
  return [...(value as number[])];
}

export function rejectUnknownKeys(owner: string, given: object, known: readonly string[]): void {
  for (const key of Object.keys(given)) {
    if (!known.includes(key)) throw new Error(`${owner}: unknown option ${JSON.stringify(key)}; valid options: ${known.join(', ')}`);
  }
}
