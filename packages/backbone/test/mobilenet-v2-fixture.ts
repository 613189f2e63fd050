// The MobileNetV2 parity fixture written by tools/backbone/gen_mobilenet_v2_fixture.py: its manifest, the fixed
// input and the reference tensors (taps NHWC, gradients in the module's layout).
import { readFileSync } from 'node:fs';
import { loadSafetensors, tf } from '@boxteacher/core';
import type { MobileNetV2Tap } from '@boxteacher/backbone';
import { FIXTURES } from './fixture-models';

export interface MobileNetV2Manifest {
  generator: string;
  input: string;
  taps: Record<MobileNetV2Tap, number>;
  model: { name: string; weights: string; expected: string; from: 'torchvision'; widthMult: number; gradients: string };
  parameterCounts: Record<string, { convs: number; depthwise: number; convWeights: number; norms: number; normChannels: number; stateDictKeys: number }>;
}

export const mnv2 = JSON.parse(readFileSync(`${FIXTURES}mobilenet-v2.json`, 'utf8')) as MobileNetV2Manifest;
export const MNV2_WEIGHTS = `${FIXTURES}${mnv2.model.weights}`;

/** The fixed NHWC input [1, 64, 96, 3]; caller disposes. */
export async function mnv2Input(): Promise<tf.Tensor4D> {
  return (await loadSafetensors(`${FIXTURES}${mnv2.input}`)).tensors.input as tf.Tensor4D;
}

/** stride4..stride32 (NHWC), grad.loss and grad.<name>; caller disposes. */
export async function mnv2Expected(): Promise<Record<string, tf.Tensor>> {
  return (await loadSafetensors(`${FIXTURES}${mnv2.model.expected}`)).tensors;
}
