// The one TensorFlow.js namespace every @boxteacher package uses.
// Re-exported from here so that all packages share a single tfjs-core engine: two copies would
// register kernels and backends on different engines (spec/runtime.md, "Gaps on every backend").
import * as tf from '@tensorflow/tfjs';

export { tf };
