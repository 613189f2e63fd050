// Activation gradients as one native TensorFlow op each on the `tensorflow` backend. tfjs-core writes them as
// element-wise chains, and tfjs-node runs every link as its own TF op with its own output buffer: the ReLU gradient
// is Cast + Step (Step alone is IsNan, Greater, Fill, Select and two constants) + Multiply, about 9 ops for what
// TensorFlow's `ReluGrad` does in one pass. Same for Relu6 (`Relu6Grad`), Sigmoid (`SigmoidGrad`) and Softplus
// (`SoftplusGrad`). Every other backend keeps tfjs-core's arithmetic, written out here, because the gradient table
// is one for all backends: a gradient uses the native op where its kernel is registered for the active backend.
//
// Where they differ: at x = 6 exactly, TF's Relu6Grad (like PyTorch's hardtanh_backward) passes no gradient and
// tfjs-core's passes it; at x = NaN, ReluGrad gives 0 (as PyTorch) and tfjs-core NaN.
import { tf } from '../../tf';

interface NodeBackendLike {
  binding: { TF_ATTR_TYPE: number; TF_FLOAT: number };
  executeSingleOutput(name: string, attrs: Array<{ name: string; type: number; value: number }>, inputs: tf.TensorInfo[]): tf.TensorInfo;
}

interface Activation {
  /** the forward kernel whose gradient this is */
  forward: string;
  /** the native kernel registered on `tensorflow` */
  fusedKernel: string;
  /** TensorFlow's op and its input order */
  tfOp: string;
  tfInputs: (dy: tf.TensorInfo, saved: tf.TensorInfo) => tf.TensorInfo[];
  /** what the gradient saves from the forward pass: its input x, or its output y */
  saves: 'input' | 'output';
  /** the gradient on backends without the native op (tfjs-core's arithmetic) */
  unfused: (dy: tf.Tensor, saved: tf.Tensor) => tf.Tensor;
}

const gradientsFirst = (dy: tf.TensorInfo, saved: tf.TensorInfo) => [dy, saved];

export const NATIVE_ACTIVATIONS: Activation[] = [
  {
    forward: 'Relu',
    fusedKernel: 'BoxTeacherNativeReluGrad',
    tfOp: 'ReluGrad',
    tfInputs: gradientsFirst,
    saves: 'input',
    unfused: (dy, x) => tf.mul(dy, tf.cast(tf.step(x), 'float32')),
  },
  {
    forward: 'Relu6',
    fusedKernel: 'BoxTeacherNativeRelu6Grad',
    tfOp: 'Relu6Grad',
    tfInputs: gradientsFirst,
    saves: 'input',
    unfused: (dy, x) => tf.mul(dy, tf.cast(tf.mul(tf.lessEqual(x, 6), tf.step(x)), 'float32')),
  },
  {
    forward: 'Softplus',
    fusedKernel: 'BoxTeacherNativeSoftplusGrad',
    tfOp: 'SoftplusGrad',
    tfInputs: gradientsFirst,
    saves: 'input',
    unfused: (dy, x) => tf.mul(dy, tf.sigmoid(x)),
  },
  {
    forward: 'Sigmoid',
    fusedKernel: 'BoxTeacherNativeSigmoidGrad',
    tfOp: 'SigmoidGrad',
    tfInputs: (dy, y) => [y, dy],
    saves: 'output',
    unfused: (dy, y) => tf.mul(dy, tf.mul(y, tf.sub(tf.scalar(1), y))),
  },
];

function gradConfig(a: Activation): tf.GradConfig {
  return {
    kernelName: a.forward,
    ...(a.saves === 'input' ? { inputsToSave: ['x'] } : { outputsToSave: [true] }),
    gradFunc: (dy, saved) => {
      const dyT = dy as tf.Tensor;
      const s = saved[0]!;
      const native = dyT.dtype === 'float32' && s.dtype === 'float32' && tf.getKernel(a.fusedKernel, tf.getBackend()) != null;
      return { x: () => (native ? (tf.engine().runKernel(a.fusedKernel, { dy: dyT, saved: s }) as tf.Tensor) : a.unfused(dyT, s)) };
    },
  };
}

export const activationGradConfigs: tf.GradConfig[] = NATIVE_ACTIVATIONS.map(gradConfig);

/** Registers the native activation-gradient kernels on the `tensorflow` backend. */
export function installNativeActivationKernels(): void {
  for (const a of NATIVE_ACTIVATIONS) {
    if (tf.getKernel(a.fusedKernel, 'tensorflow') != null) continue;
    tf.registerKernel({
      kernelName: a.fusedKernel,
      backendName: 'tensorflow',
      kernelFunc: ({ inputs, backend }) => {
        const { dy, saved } = inputs as { dy: tf.TensorInfo; saved: tf.TensorInfo };
        const node = backend as unknown as NodeBackendLike;
        const type = [{ name: 'T', type: node.binding.TF_ATTR_TYPE, value: node.binding.TF_FLOAT }];
        return node.executeSingleOutput(a.tfOp, type, a.tfInputs(dy, saved));
      },
    });
  }
}
