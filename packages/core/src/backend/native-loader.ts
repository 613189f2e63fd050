// Guarded loading of the native TensorFlow backend (@tensorflow/tfjs-node-gpu or @tensorflow/tfjs-node).
// Both are optional peers of @boxteacher/core: most machines don't have them, and the ways they fail are many
// (spec/runtime.md): not installed (ERR_MODULE_NOT_FOUND / MODULE_NOT_FOUND), installed without its native
// binary (a plain Error thrown *after* it registered its kernels), a libtensorflow that does not load
// (dlopen errors), or a copy that brought its own @tensorflow/tfjs-core and so registered its backend on another
// engine. Every one of them must end in "not available" with a reason, never a stack trace.
// `npm run setup:native` (tools/native-tf/) installs @tensorflow/tfjs-node built against a TensorFlow wheel.
import { tf } from '../tf';

export const NATIVE_PACKAGES = ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node'] as const;

export interface NativeLoadResult {
  available: boolean;
  /** The package that registered the `tensorflow` backend, when available. */
  loadedFrom?: string;
  /** One line per package tried and why it failed. */
  reasons: string[];
}

function firstLine(text: string | undefined): string {
  return (text ?? '').split('\n')[0]!.slice(0, 300);
}

function describeLoadError(pkg: string, error: unknown): string {
  const err = error as { code?: string; message?: string };
  const message = err?.message ?? String(error);
  if (err?.code === 'ERR_MODULE_NOT_FOUND' || err?.code === 'MODULE_NOT_FOUND') {
    // "Cannot find package '<pkg>' imported from …" (ESM) / "Cannot find module '<pkg>'" (CJS); a dependency of
    // an installed package names that dependency instead (and <pkg> only later, in its require stack).
    const head = firstLine(message);
    const missingSelf = head.includes(`'${pkg}'`) || head.includes(`"${pkg}"`);
    return missingSelf ? `${pkg} is not installed` : `${pkg} is installed but a module it needs is missing (${firstLine(message)})`;
  }
  // tfjs-node throws this when its install script could not download or build the binding.
  if (message.includes('tfjs_binding.node')) return `${pkg} is installed without its native binding (tfjs_binding.node)`;
  // dlopen failures: a missing or incompatible libtensorflow / CUDA library.
  if (/cannot open shared object file|undefined symbol|wrong ELF class|GLIBC/.test(message)) {
    return `${pkg}'s binding failed to load a library: ${firstLine(message)}`;
  }
  return `${pkg} failed to load: ${firstLine(message)}`;
}

/**
 * Imports `pkg` with TensorFlow's C++ INFO logs off unless the user set TF_CPP_MIN_LOG_LEVEL (libtensorflow
 * reads it when it loads), with TensorFlow's oneDNN kernels off unless the user set TF_ENABLE_ONEDNN_OPTS (on an
 * AVX-512 AMD EPYC, TensorFlow 2.21's oneDNN path gives MobileNetV2's weight gradients 15-27 % away from PyTorch's
 * and the plain kernels 1e-5: backbone/test/mobilenet-v2.test.ts; correct before fast; with it on, the backbone bench's
 * ResNet-50 step at 512² dies of SIGFPE there), and without the "kernel already registered" warnings that a second flavour prints
 * when a first one registered its kernels and then failed.
 */
async function importQuietly(pkg: string): Promise<void> {
  process.env['TF_CPP_MIN_LOG_LEVEL'] ??= '1';
  process.env['TF_ENABLE_ONEDNN_OPTS'] ??= '0';
  const warn = console.warn;
  console.warn = (...args: unknown[]) => {
    if (typeof args[0] === 'string' && /is already registered/.test(args[0])) return;
    warn(...args);
  };
  try {
    await import(/* @vite-ignore */ pkg);
  } finally {
    console.warn = warn;
  }
}

/**
 * Tries each native package in turn; never throws. On success the `tensorflow` backend is registered on core's
 * tfjs engine and initialised (it becomes the active backend).
 */
export async function loadNativeBackend(): Promise<NativeLoadResult> {
  const reasons: string[] = [];
  if (tf.findBackendFactory('tensorflow') != null) return { available: true, loadedFrom: 'already registered', reasons };
  for (const pkg of NATIVE_PACKAGES) {
    let imported = false;
    try {
      await importQuietly(pkg);
      imported = true;
    } catch (error) {
      reasons.push(describeLoadError(pkg, error));
    }
    // A package that threw after registering its kernels may still have registered the backend factory.
    if (tf.findBackendFactory('tensorflow') != null) {
      try {
        if (tf.engine().registry['tensorflow'] == null) await tf.setBackend('tensorflow');
        return { available: true, loadedFrom: pkg, reasons };
      } catch (error) {
        reasons.push(`${pkg} registered the backend but it failed to initialise: ${firstLine((error as Error).message)}`);
        tf.removeBackend('tensorflow');
      }
    } else if (imported) {
      reasons.push(
        `${pkg} loaded but registered no backend on this TensorFlow.js engine (a second copy of @tensorflow/tfjs-core? ` +
          'every @tensorflow/* package must be the same version, 4.22.0, so that npm installs one copy)',
      );
    }
  }
  return { available: false, reasons };
}
