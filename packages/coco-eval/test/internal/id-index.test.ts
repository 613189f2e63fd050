// IdIndex: typed table for small integer ids, Map otherwise; both give the first index and -1 when absent.
import { describe, expect, it } from 'vitest';
import { IdIndex } from '../../src/internal/id-index';

describe('IdIndex', () => {
  it.each([
    ['small integers (table)', [5, 3, 9, 3]],
    ['large / fractional / negative ids (Map)', [5e9, 3.5, -2, 3.5]],
  ])('%s', (_name, ids) => {
    const ix = new IdIndex(ids);
    expect(ids.map((id) => ix.get(id))).toEqual([0, 1, 2, 1]);
    for (const missing of [0, 4, 1.5, -1, 1e12, NaN]) expect(ix.get(missing)).toBe(-1);
  });
});
