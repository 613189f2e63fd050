// Neighbourhood options shared by the pairwise losses: size/dilation with BoxInst defaults, validated by name.
import { neighbourOffsets, type NeighbourOptions } from '@boxteacher/core';
import { assertNumber } from './validate';

/** Resolved neighbourhood: BoxInst PAIRWISE.SIZE = 3, PAIRWISE.DILATION = 2 (boxteacher.md §6). */
export interface ResolvedNeighbours {
  size: number;
  dilation: number;
  /** k² − 1 */
  count: number;
}

export function resolveNeighbours(fn: string, options: NeighbourOptions = {}): ResolvedNeighbours {
  const size = options.size ?? 3;
  const dilation = options.dilation ?? 2;
  assertNumber(fn, 'size', size, { min: 1 });
  assertNumber(fn, 'dilation', dilation, { min: 1 });
  try {
    return { size, dilation, count: neighbourOffsets({ size, dilation }).length };
  } catch (e) {
    throw new Error(`${fn}: ${(e as Error).message}`);
  }
}
