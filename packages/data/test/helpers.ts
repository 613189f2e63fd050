// Shared test helpers: fixture paths and decoding of base64 image fixtures.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join, dirname } from 'node:path';
import type { RgbImage } from '../src/index';

export const TEST_DIR = dirname(fileURLToPath(import.meta.url));
export const FIXTURES = join(TEST_DIR, 'fixtures');
export const BAD_INPUT = join(TEST_DIR, 'bad-input');

export function fixtureJson<T = any>(name: string): T {
  return JSON.parse(readFileSync(join(FIXTURES, name), 'utf8')) as T;
}

export function b64Image(o: { height: number; width: number; data: string }): RgbImage {
  return { height: o.height, width: o.width, data: new Uint8Array(Buffer.from(o.data, 'base64')) };
}

/** Count of differing bytes and the largest absolute difference. */
export function byteDiff(a: Uint8Array, b: Uint8Array): { count: number; max: number } {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let count = 0;
  let max = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    if (d) count++;
    if (d > max) max = d;
  }
  return { count, max };
}
