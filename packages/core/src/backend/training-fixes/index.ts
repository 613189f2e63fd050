// Installs the project's training fixes for one backend: kernels and gradients that TensorFlow.js 4.22.0
// lacks or gets wrong (spec/runtime.md):
//  - every backend: Conv2D gradient (dilation > 1; fast filter/input gradients), GatherNd and StridedSlice
//    gradients (none in tfjs-core), ResizeBilinear gradient (halfPixelCenters ignored by every kernel);
//  - wasm: MaxPoolGrad (wrong for all-negative windows) and UnsortedSegmentSum (missing: no gather gradient);
//    Slice, Unpack and SplitV as one strided heap copy (tfjs-wasm's are 10-100x slower: wasm-slice-kernels.ts);
//  - cpu and wasm: ResizeBilinearGrad kernels (cpu swaps H and W; both ignore halfPixelCenters);
//  - tensorflow: the Relu, Relu6, Sigmoid and Softplus gradients as one native TF op each, not ~4-9 tfjs ops
//    (native-activation-gradients.ts; the other backends keep tfjs-core's arithmetic).
// Idempotent: a marker kernel registered per backend records that the fixes are in place, on the tf engine
// itself, so ESM and CJS copies of this package agree.
import { tf } from '../../tf';
import { conv2dGradConfig } from './conv2d-gradient';
import { gatherNdGradConfig } from './gather-nd-gradient';
import { stridedSliceGradConfig } from './strided-slice-gradient';
import { installResizeBilinearGrad, resizeBilinearGradConfig } from './resize-bilinear-grad';
import { installWasmHeapKernels } from './wasm-heap-kernels';
import { installWasmSliceKernels } from './wasm-slice-kernels';
import { activationGradConfigs, installNativeActivationKernels } from './native-activation-gradients';

const MARKER_KERNEL = 'BoxTeacherTrainingFixes';
const GRADIENT_MARK = Symbol.for('boxteacher.gradientFix');

export function trainingFixesInstalled(backendName: string): boolean {
  return tf.getKernel(MARKER_KERNEL, backendName) != null;
}

// Gradients are global (one table for every backend); a mark on the registered config makes this idempotent.
function installGradients(): void {
  for (const config of [conv2dGradConfig, gatherNdGradConfig, stridedSliceGradConfig, resizeBilinearGradConfig, ...activationGradConfigs]) {
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
  if (backendName === 'wasm') {
    installWasmHeapKernels();
    installWasmSliceKernels();
  }
  if (backendName === 'wasm' || backendName === 'cpu') installResizeBilinearGrad(backendName);
  if (backendName === 'tensorflow') installNativeActivationKernels();
  tf.registerKernel({ kernelName: MARKER_KERNEL, backendName, kernelFunc: () => [] as never });
}
