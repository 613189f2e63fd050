// Bench: one image's pseudo labels at BoxTeacher's training size (800×1216 student input, 100 teacher detections,
// 20 GT boxes) and one EMA update of a 1M-parameter module.
// Run: npm run bench -w @boxteacher/teacher   (env BENCH_BACKEND=cpu|wasm)
import { Conv2d, Module, initBackend, tf } from '@boxteacher/core';
import { EmaTeacher, makePseudoLabels } from '../src/index';

class Stack extends Module {
  constructor() {
    super();
    for (let i = 0; i < 4; i++) this.registerModule(`conv${i}`, new Conv2d({ inChannels: 256, outChannels: 256, kernelSize: 2 }));
  }
}

function time(label: string, fn: () => void, reps = 3): void {
  fn();
  const ms: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    fn();
    ms.push(performance.now() - t0);
  }
  ms.sort((a, b) => a - b);
  console.log(`${label.padEnd(60)} ${ms[Math.floor(reps / 2)]!.toFixed(0).padStart(7)} ms`);
}

async function main(): Promise<void> {
  await initBackend(process.env.BENCH_BACKEND ?? 'wasm');
  const [h, w, m, n] = [800, 1216, 100, 20];
  const boxes = tf.tidy(() => {
    const xy = tf.randomUniform([m, 2], 0, 900, 'float32', 1);
    return tf.concat([xy, xy.add(tf.randomUniform([m, 2], 20, 300, 'float32', 2))], 1);
  }) as tf.Tensor2D;
  const gtBoxes = tf.tidy(() => boxes.slice([0, 0], [n, 4]).add(tf.randomNormal([n, 4], 0, 5, 'float32', 3))) as tf.Tensor2D;
  const scores = tf.randomUniform([m], 0.05, 1, 'float32', 4) as tf.Tensor1D;
  const maskProbs = tf.randomUniform([m, h, w, 1], 0, 1, 'float32', 5) as tf.Tensor4D;
  console.log(`@boxteacher/teacher bench: backend ${tf.getBackend()}`);
  time(`makePseudoLabels (${m} detections, ${n} GTs, ${h}×${w})`, () => {
    const [labels] = makePseudoLabels([{ boxes, scores, maskProbs }], [{ gtBoxes }]);
    tf.dispose(Object.values(labels!).filter((v): v is tf.Tensor => v instanceof tf.Tensor));
  });
  const student = new Stack();
  const ema = new EmaTeacher(student);
  time(`EmaTeacher.update (${(student.numParameters() / 1e6).toFixed(2)}M parameters)`, () => void ema.update(500), 5);
  ema.dispose();
  student.dispose();
  tf.dispose([boxes, gtBoxes, scores, maskProbs]);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
