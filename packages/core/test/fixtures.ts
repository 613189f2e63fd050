// Loads the committed reference fixtures (test/fixtures/*.json, each naming the tools/core script that wrote it).
import { readFileSync } from 'node:fs';
import * as path from 'node:path';

export function loadFixture<T>(name: string): T {
  return JSON.parse(readFileSync(path.join(__dirname, 'fixtures', name), 'utf8')) as T;
}

export interface OpsFixture {
  generator: string;
  aligned_upsample: Array<{ factor: number; shape: [number, number, number, number]; x: number[]; r: number[]; y: number[]; grad: number[] }>;
  unfold_neighbours: Array<{ size: number; dilation: number; shape: [number, number, number, number]; x: number[]; r: number[]; y: number[]; grad: number[] }>;
  batch_norm: {
    channels: number;
    shape: [number, number, number, number];
    weight: number[];
    bias: number[];
    train_steps: Array<{ x: number[]; y: number[]; running_mean: number[]; running_var: number[]; num_batches_tracked: number }>;
    eval: { shape: [number, number, number, number]; x: number[]; y: number[] };
  };
  group_norm: { groups: number; channels: number; shape: [number, number, number, number]; weight: number[]; bias: number[]; x: number[]; y: number[] };
  group_norm_grad: { groups: number; channels: number; shape: [number, number, number, number]; weight: number[]; bias: number[]; x: number[]; r: number[]; dx: number[]; dweight: number[]; dbias: number[] };
  frozen_batch_norm: { shape: [number, number, number, number]; weight: number[]; bias: number[]; running_mean: number[]; running_var: number[]; x: number[]; y: number[] };
  conv2d: Array<{
    shape: [number, number, number, number];
    out_channels: number;
    kernel_size: number;
    stride: number;
    padding: number;
    dilation: number;
    x: number[];
    weight_hwio: number[];
    bias: number[];
    y_shape: number[];
    y: number[];
  }>;
}
