// Merges a partial JSON config over defaults with strict checking: every key must exist in the defaults
// (unknown keys are errors with a "did you mean" hint), and every value must have the default's JSON type.
// Arrays replace arrays wholesale; nested objects merge key by key. Optional fields are declared by listing them
// in `nullable` (their default is null and any value of the listed type is accepted).
import { ConfigError } from './config-error';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + (a[i - 1]!.toLowerCase() === b[j - 1]!.toLowerCase() ? 0 : 1));
    }
  }
  return d[a.length]![b.length]!;
}

function suggestion(key: string, known: string[]): string {
  const best = known.map((k) => [k, editDistance(key, k)] as const).sort((x, y) => x[1] - y[1])[0];
  return best && best[1] <= Math.max(2, Math.floor(key.length / 3)) ? ` (did you mean "${best[0]}"?)` : '';
}

/** Nullable leaf types by key path, e.g. {"model.backbone.weights": "string"}. */
export type NullableFields = Record<string, 'string' | 'number' | 'object'>;

export function mergeConfig<T>(defaults: T, partial: unknown, nullable: NullableFields, source?: string, path = ''): T {
  if (partial === undefined) return structuredClone(defaults);
  const base = defaults as Json;
  const here = path || '(root)';
  const nullableType = nullable[path];
  if (nullableType != null) {
    // An optional field: null, or any value of its type (an object here replaces the default wholesale; its
    // contents are checked by the caller).
    if (partial === null) return null as T;
    const actual = typeName(partial);
    if (actual !== nullableType) throw new ConfigError(here, `expected ${nullableType} or null, got ${actual} ${JSON.stringify(partial)}`, source);
    return structuredClone(partial) as T;
  }
  if (base !== null && typeof base === 'object' && !Array.isArray(base)) {
    if (partial === null || typeof partial !== 'object' || Array.isArray(partial)) {
      throw new ConfigError(here, `expected an object, got ${typeName(partial)}`, source);
    }
    const known = Object.keys(base);
    const out: Record<string, Json> = {};
    for (const key of Object.keys(partial)) {
      if (!known.includes(key)) throw new ConfigError(path ? `${path}.${key}` : key, `unknown key${suggestion(key, known)}; valid keys here: ${known.join(', ')}`, source);
    }
    for (const key of known) {
      const childPath = path ? `${path}.${key}` : key;
      out[key] = mergeConfig(base[key] as Json, (partial as Record<string, unknown>)[key], nullable, source, childPath) as Json;
    }
    return out as T;
  }
  const expected = typeName(base);
  const actual = typeName(partial);
  if (expected !== actual) throw new ConfigError(here, `expected ${expected === 'array' ? 'an array' : `a ${expected}`}, got ${actual} ${JSON.stringify(partial)}`, source);
  if (typeof partial === 'number' && !Number.isFinite(partial)) throw new ConfigError(here, `expected a finite number, got ${partial}`, source);
  if (Array.isArray(base) && Array.isArray(partial) && base.length > 0) {
    const itemType = typeName(base[0]);
    partial.forEach((item, i) => {
      if (typeName(item) !== itemType) throw new ConfigError(`${here}[${i}]`, `expected a ${itemType}, got ${typeName(item)} ${JSON.stringify(item)}`, source);
    });
  }
  return structuredClone(partial) as T;
}
