// Writes a small safetensors file with @boxteacher/core's saveSafetensors, for tools/core/gen_safetensors.py's
// `check` command to read back with the reference reader (safetensors.torch.load_file): the Python side of the
// interop proof, run by hand, never by the tests.
// Run: npx tsx --conditions=@boxteacher/source tools/core/write-safetensors-sample.ts /tmp/ours.safetensors
import { initBackend, saveSafetensors, tf } from '@boxteacher/core';

const target = process.argv[2];
if (!target) throw new Error('usage: write-safetensors-sample.ts OUT.safetensors');
await initBackend('cpu', { log: () => undefined });
// The same values are listed in gen_safetensors.py (SAMPLE) to compare against.
const tensors = {
  'backbone.res2.0.conv1.weight': tf.tensor2d([1.5, -2, 3, 4.25, 5, 6], [2, 3]),
  ids: tf.tensor1d([7, -8, 2147483647], 'int32'),
  mask: tf.tensor1d([true, false], 'bool'),
  scalar: tf.scalar(2.5),
  empty: tf.zeros([0, 2]),
};
await saveSafetensors(target, tensors, { step: '3' });
tf.dispose(Object.values(tensors));
console.log(`wrote ${target}`);
