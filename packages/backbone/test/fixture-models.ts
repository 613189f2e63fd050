// Shared helpers for the parity tests: the fixture manifest written by tools/backbone/gen_fixtures.py and
// a normwise relative error (max |a − b| / max |b|), the tolerance measure used per stage.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadSafetensors, tf } from '@boxteacher/core';

export const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));

export interface FixtureModel {
  name: string;
  weights: string;
  expected: string;
  from: 'torchvision' | 'detectron2';
  depth: 18 | 34 | 50 | 101;
  width: number;
  strideInOneByOne: boolean;
  /** 'freezeAt N' when the expected file holds grad.loss and grad.<name> (HWIO) for that freezing. */
  gradients?: string;
}

export interface FixtureManifest {
  generator: string;
  input: string;
  stages: Array<'res2' | 'res3' | 'res4' | 'res5'>;
  parameterCounts: Record<string, { convs: number; convWeights: number; norms: number; normChannels: number }>;
  models: FixtureModel[];
}

export const manifest = JSON.parse(readFileSync(`${FIXTURES}fixtures.json`, 'utf8')) as FixtureManifest;

export function fixtureModel(name: string): FixtureModel {
  const m = manifest.models.find((x) => x.name === name);
  if (!m) throw new Error(`fixture model ${name} not in fixtures.json`);
  return m;
}

/** The fixed NHWC input [1, 64, 64, 3]; caller disposes. */
export async function fixtureInput(): Promise<tf.Tensor4D> {
  const { tensors } = await loadSafetensors(`${FIXTURES}${manifest.input}`);
  return tensors.input as tf.Tensor4D;
}

/** The reference tensors of one model (res2..res5 NHWC, gradients HWIO); caller disposes. */
export async function fixtureExpected(model: FixtureModel): Promise<Record<string, tf.Tensor>> {
  return (await loadSafetensors(`${FIXTURES}${model.expected}`)).tensors;
}

/** max |a − b| / max |b| over all elements (normwise relative error). */
export function normwiseRelativeError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  if (actual.length !== expected.length) throw new Error(`length ${actual.length} vs ${expected.length}`);
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < actual.length; i++) {
    const d = Math.abs(actual[i]! - expected[i]!);
    diff = Number.isNaN(d) ? Infinity : Math.max(diff, d);
    scale = Math.max(scale, Math.abs(expected[i]!));
  }
  return diff / scale;
}
