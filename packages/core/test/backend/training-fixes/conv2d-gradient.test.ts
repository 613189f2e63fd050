// Gradient-parity tests of the Conv2D gradient fix (src/backend/training-fixes/conv2d-gradient.ts) on every test
// backend, over a grid of kernel shapes, strides, paddings and dilations. Two independent references:
//  1. the cpu backend's own Conv2DBackpropInput / Conv2DBackpropFilter kernels (tfjs' reference kernels); for
//     dilation d > 1 they run on the equivalent dilation-1 filter with d − 1 zeros between taps;
//  2. central finite differences of L = Σ conv2d(x, w) · r, exact for any eps because L is linear in x and in w.
// Each method (conv / im2col-gemm / builtin filter gradient, flipped-conv / builtin input gradient) is checked on
// its own, and so is the gradient that tf.grads picks. Relative error ≤ 1e-4 (scaledRelativeError).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '../../../src/index';
import {
  chooseConv2dGradientMethods,
  conv2dFilterGradientBy,
  conv2dInfo,
  conv2dInputGradientBy,
  type FilterGradientMethod,
  type InputGradientMethod,
} from '../../../src/backend/training-fixes/conv2d-gradient';
import { numericGradient, onBackend, scaledRelativeError, testBackends, testData } from '../../../src/testing/index';

type Pad = 'same' | 'valid' | number | [[number, number], [number, number], [number, number], [number, number]];

interface Case {
  x: [number, number, number, number];
  w: [number, number, number, number];
  stride: number | [number, number];
  pad: Pad;
  dilation: number;
}

const LAYERS: Array<Pick<Case, 'x' | 'w'>> = [
  { x: [2, 7, 7, 3], w: [3, 3, 3, 4] },
  { x: [1, 8, 6, 2], w: [2, 3, 2, 3] }, // even, non-square kernel: 'same' pads asymmetrically
  { x: [1, 9, 7, 2], w: [1, 1, 2, 3] },
  { x: [1, 11, 10, 2], w: [5, 5, 2, 2] },
  // A 1x1/2 'valid' conv on an even input leaves a row and column unread: tfjs-node's filter-gradient kernel
  // corrupted the heap on exactly this shape (fixed by cropping; the process died before).
  { x: [1, 16, 16, 8], w: [1, 1, 8, 16] },
];
const PADS: Pad[] = ['same', 'valid', 1, [[0, 0], [2, 1], [0, 2], [0, 0]]];

function grid(): Case[] {
  const cases: Case[] = [];
  for (const layer of LAYERS) {
    for (const pad of PADS) {
      for (const stride of [1, 2, [1, 2]] as const) cases.push({ ...layer, stride: stride as Case['stride'], pad, dilation: 1 });
      // tfjs allows dilation > 1 only with stride 1; a 1x1 kernel has nothing to dilate.
      if (layer.w[0] > 1) for (const dilation of [2, 3]) cases.push({ ...layer, stride: 1, pad, dilation });
    }
  }
  return cases.filter((c) => outputShape(c).every((d) => d > 0) && !numericPadQuirk(c));
}

// tfjs 4.22.0's forward conv2d sizes a numeric `pad` with the kernel height and the stride height on both axes
// (backend_util.computeOutputShape2D), so a number pad with a non-square kernel or unequal strides gives a
// wrong output shape before any gradient is involved. Explicit [[0,0],[t,b],[l,r],[0,0]] pads are fine.
function numericPadQuirk(c: Case): boolean {
  return typeof c.pad === 'number' && (c.w[0] !== c.w[1] || Array.isArray(c.stride));
}

function outputShape(c: Case): number[] {
  try {
    const info = tf.backend_util.computeConv2DInfo(c.x, c.w, c.stride, c.dilation, c.pad as never, undefined, false, 'channelsLast');
    return info.outShape;
  } catch {
    return [0];
  }
}

function label(c: Case): string {
  return `x[${c.x}] w[${c.w}] stride ${JSON.stringify(c.stride)} pad ${JSON.stringify(c.pad)} dilation ${c.dilation}`;
}

interface Data {
  x: Float32Array;
  w: Float32Array;
  r: Float32Array;
  yShape: number[];
}

function dataFor(c: Case, index: number): Data {
  const yShape = outputShape(c);
  return {
    x: testData(c.x.reduce((a, b) => a * b), 10 + index),
    w: testData(c.w.reduce((a, b) => a * b), 1000 + index),
    r: testData(yShape.reduce((a, b) => a * b), 5000 + index),
    yShape,
  };
}

/** The filter with d − 1 zeros between taps: [d(kh−1)+1, d(kw−1)+1, Cin, Cout]. */
function dilateFilter(w: Float32Array, [kh, kw, cin, cout]: number[], d: number): { values: Float32Array; shape: number[] } {
  const eh = d * (kh! - 1) + 1;
  const ew = d * (kw! - 1) + 1;
  const values = new Float32Array(eh * ew * cin! * cout!);
  const inner = cin! * cout!;
  for (let i = 0; i < kh!; i++) {
    for (let j = 0; j < kw!; j++) values.set(w.subarray((i * kw! + j) * inner, (i * kw! + j + 1) * inner), (i * d * ew + j * d) * inner);
  }
  return { values, shape: [eh, ew, cin!, cout!] };
}

/** The taps of a dilated-filter gradient that belong to the real filter. */
function undilate(g: Float32Array, [kh, kw, cin, cout]: number[], d: number): Float32Array {
  const ew = d * (kw! - 1) + 1;
  const inner = cin! * cout!;
  const out = new Float32Array(kh! * kw! * inner);
  for (let i = 0; i < kh!; i++) {
    for (let j = 0; j < kw!; j++) out.set(g.subarray((i * d * ew + j * d) * inner, (i * d * ew + j * d + 1) * inner), (i * kw! + j) * inner);
  }
  return out;
}

/** Reference gradients from the cpu backend's kernels. */
function cpuReference(c: Case, data: Data): { dx: Float32Array; dw: Float32Array } {
  return tf.tidy(() => {
    const dilated = dilateFilter(data.w, c.w, c.dilation);
    const x = tf.tensor4d(data.x, c.x);
    const w = tf.tensor4d(dilated.values, dilated.shape as Case['w']);
    const r = tf.tensor4d(data.r, data.yShape as Case['x']);
    const dx = tf.engine().runKernel('Conv2DBackpropInput', { dy: r, filter: w }, {
      strides: c.stride, pad: c.pad, dataFormat: 'NHWC', inputShape: c.x,
    } as never) as tf.Tensor;
    const dw = tf.engine().runKernel('Conv2DBackpropFilter', { x, dy: r }, {
      strides: c.stride, pad: c.pad, dataFormat: 'NHWC', filterShape: dilated.shape,
    } as never) as tf.Tensor;
    return { dx: dx.dataSync() as Float32Array, dw: undilate(dw.dataSync() as Float32Array, c.w, c.dilation) };
  });
}

function loss(c: Case, r: tf.Tensor4D) {
  return (x: tf.Tensor4D, w: tf.Tensor4D) => tf.conv2d(x, w, c.stride, c.pad as never, 'NHWC', c.dilation).mul(r);
}

const TOLERANCE = 1e-4;

describe.each(testBackends())('conv2d gradient fix on %s', (backend) => {
  // The tensorflow backend's forward conv2d takes only 'same' / 'valid' pads.
  const CASES = grid().filter((c) => backend !== 'tensorflow' || typeof c.pad === 'string');
  let references: Array<{ dx: Float32Array; dw: Float32Array }>;

  beforeAll(async () => {
    references = await onBackend('cpu', () => CASES.map((c, i) => cpuReference(c, dataFor(c, i))));
    await initBackend(backend, { log: () => undefined });
  }, 60_000);

  afterAll(() => {
    expect(tf.getBackend()).toBe(backend);
  });

  it('covers a grid of shape/stride/padding/dilation cases', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(backend === 'tensorflow' ? 25 : 60);
    expect(CASES.filter((c) => c.dilation === 2).length).toBeGreaterThanOrEqual(4);
    expect(CASES.filter((c) => c.dilation === 3).length).toBeGreaterThanOrEqual(3);
  });

  it('tf.grads matches the cpu reference kernels on every case', () => {
    const before = tf.memory().numTensors;
    CASES.forEach((c, i) => {
      const data = dataFor(c, i);
      const [dx, dw] = tf.tidy(() => {
        const f = loss(c, tf.tensor4d(data.r, data.yShape as Case['x']));
        const grads = tf.grads((x: tf.Tensor, w: tf.Tensor) => f(x as tf.Tensor4D, w as tf.Tensor4D).sum())([tf.tensor4d(data.x, c.x), tf.tensor4d(data.w, c.w)]);
        return grads.map((g) => g.dataSync() as Float32Array);
      }) as unknown as [Float32Array, Float32Array];
      expect(scaledRelativeError(dx, references[i]!.dx), `dx ${label(c)}`).toBeLessThanOrEqual(TOLERANCE);
      expect(scaledRelativeError(dw, references[i]!.dw), `dw ${label(c)}`).toBeLessThanOrEqual(TOLERANCE);
    });
    expect(tf.memory().numTensors).toBe(before);
  });

  it('every filter-gradient method matches the cpu reference kernel', () => {
    const methods: FilterGradientMethod[] = ['conv', 'im2col-gemm', 'builtin'];
    let checked = 0;
    CASES.forEach((c, i) => {
      const data = dataFor(c, i);
      for (const method of methods) {
        // The builtin kernels have no dilation; wasm has no builtin filter kernel at all.
        if (method === 'builtin' && (c.dilation > 1 || backend === 'wasm')) continue;
        const dw = tf.tidy(() =>
          conv2dFilterGradientBy(method, tf.tensor4d(data.x, c.x), tf.tensor4d(data.r, data.yShape as Case['x']), c.w, {
            strides: c.stride, pad: c.pad, dataFormat: 'NHWC', dilations: c.dilation,
          }).dataSync(),
        );
        expect(scaledRelativeError(dw, references[i]!.dw), `${method} ${label(c)}`).toBeLessThanOrEqual(TOLERANCE);
        checked++;
      }
    });
    expect(checked).toBeGreaterThanOrEqual(2 * CASES.length);
  });

  it('every input-gradient method matches the cpu reference kernel', () => {
    const methods: InputGradientMethod[] = ['flipped-conv', 'polyphase-conv', 'builtin'];
    CASES.forEach((c, i) => {
      const data = dataFor(c, i);
      for (const method of methods) {
        if (method !== 'flipped-conv' && c.dilation > 1) continue;
        const dx = tf.tidy(() =>
          conv2dInputGradientBy(method, tf.tensor4d(data.r, data.yShape as Case['x']), tf.tensor4d(data.w, c.w), c.x, {
            strides: c.stride, pad: c.pad, dataFormat: 'NHWC', dilations: c.dilation,
          }).dataSync(),
        );
        expect(scaledRelativeError(dx, references[i]!.dx), `${method} ${label(c)}`).toBeLessThanOrEqual(TOLERANCE);
      }
    });
  });

  it('tf.grads matches finite differences (8 sampled elements of x and w per case, all of them on 3 cases)', () => {
    CASES.forEach((c, i) => {
      const data = dataFor(c, i);
      const full = i % 29 === 0;
      const pick = (n: number) => (full ? Array.from({ length: n }, (_, k) => k) : Array.from({ length: 8 }, (_, k) => Math.floor(((k * 7919 + i * 104729) % 1000) / 1000 * n)));
      tf.tidy(() => {
        const r = tf.tensor4d(data.r, data.yShape as Case['x']);
        const x = tf.tensor4d(data.x, c.x);
        const w = tf.tensor4d(data.w, c.w);
        const f = loss(c, r);
        const [gx, gw] = tf.grads((a: tf.Tensor, b: tf.Tensor) => f(a as tf.Tensor4D, b as tf.Tensor4D).sum())([x, w]);
        const ix = pick(x.size);
        const iw = pick(w.size);
        const numX = numericGradient((v) => f(v as tf.Tensor4D, w), x, 2, ix);
        const numW = numericGradient((v) => f(x, v as tf.Tensor4D), w, 2, iw);
        const gxData = gx!.dataSync();
        const gwData = gw!.dataSync();
        // Judge against the scale of the whole reference gradient, as the kernel comparison does.
        const scale = (ref: Float32Array) => ref.reduce((m, v) => Math.max(m, Math.abs(v)), 0) * 1e-2;
        ix.forEach((j, k) => expect(Math.abs(gxData[j]! - numX[k]!) / Math.max(Math.abs(numX[k]!), scale(references[i]!.dx)), `dx[${j}] ${label(c)}`).toBeLessThanOrEqual(TOLERANCE));
        iw.forEach((j, k) => expect(Math.abs(gwData[j]! - numW[k]!) / Math.max(Math.abs(numW[k]!), scale(references[i]!.dw)), `dw[${j}] ${label(c)}`).toBeLessThanOrEqual(TOLERANCE));
      });
    });
  });

  it('picks a method that exists on this backend for every case', () => {
    for (const c of CASES) {
      const m = chooseConv2dGradientMethods(backend, conv2dInfo(c.x, c.w, { strides: c.stride, pad: c.pad, dataFormat: 'NHWC', dilations: c.dilation }));
      if (c.dilation > 1) expect(m).toEqual({ filter: expect.not.stringMatching('builtin'), input: 'flipped-conv' });
      if (backend === 'wasm') expect(m.filter).not.toBe('builtin');
    }
  });
});
