// Installs the project's training fixes for one backend: kernels and gradients that TensorFlow.js 4.22.0
// lacks or gets wrong (spec/runtime.md). Idempotent: a marker kernel registered per backend records that the
// fixes are in place, on the tf engine itself, so ESM and CJS copies of this package agree.
import { tf } from '../../tf';
import { conv2dGradConfig } from './conv2d-gradient';
import { installWasmHeapKernels } from './wasm-heap-kernels';

const MARKER_KERNEL = 'BoxTeacherTrainingFixes';
const GRADIENT_MARK = Symbol.for('boxteacher.gradientFix');

export function trainingFixesInstalled(backendName: string): boolean {
  return tf.getKernel(MARKER_KERNEL, backendName) != null;
}

// Gradients are global (one table for every backend); a mark on the registered config makes this idempotent.
function installGradients(): void {
  for (const config of [conv2dGradConfig]) {
    const current = tf.getGradient(config.kernelName) as (tf.GradConfig & { [GRADIENT_MARK]?: boolean }) | undefined;
    if (current?.[GRADIENT_MARK]) continue;
    const marked = Object.assign({}, config, { [GRADIENT_MARK]: true });
    const warn = console.warn;
    console.warn = () => undefined; // tfjs warns "Overriding the gradient for …": that is exactly the intent
    try {
      tf.registerGradient(marked);
    } finally {
      console.warn = warn;
    }
  }
}

/** Registers every fix for `backendName`; call before `tf.setBackend(backendName)`. */
export function installTrainingFixes(backendName: string): void {
  installGradients();
  if (trainingFixesInstalled(backendName)) return;
  if (backendName === 'wasm') installWasmHeapKernels();
  tf.registerKernel({ kernelName: MARKER_KERNEL, backendName, kernelFunc: () => [] as never });
}
