// Guarded loading of the native TensorFlow backend (@tensorflow/tfjs-node-gpu or @tensorflow/tfjs-node).
// Both are optional peers of @boxteacher/core: most machines don't have them, and the ways they fail are many
// (spec/runtime.md): not installed (ERR_MODULE_NOT_FOUND / MODULE_NOT_FOUND), installed without its native
// binary (a plain Error thrown *after* it registered its kernels), a libtensorflow that does not load
// (dlopen errors). Every one of them must end in "not available" with a reason, never a stack trace.
import { tf } from '../tf';

export const NATIVE_PACKAGES = ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node'] as const;

export interface NativeLoadResult {
  available: boolean;
  /** The package that registered the `tensorflow` backend, when available. */
  loadedFrom?: string;
  /** One line per package tried and why it failed. */
  reasons: string[];
}

function describeLoadError(pkg: string, error: unknown): string {
  const err = error as { code?: string; message?: string };
  if (err?.code === 'ERR_MODULE_NOT_FOUND' || err?.code === 'MODULE_NOT_FOUND') {
    const missingSelf = typeof err.message === 'string' && err.message.includes(pkg);
    return missingSelf ? `${pkg} is not installed` : `${pkg} is installed but a module it needs is missing (${firstLine(err.message)})`;
  }
  return `${pkg} failed to load: ${firstLine(err?.message ?? String(error))}`;
}

function firstLine(text: string | undefined): string {
  return (text ?? '').split('\n')[0]!.slice(0, 300);
}

/** Tries each native package in turn; never throws. */
export async function loadNativeBackend(): Promise<NativeLoadResult> {
  const reasons: string[] = [];
  if (tf.findBackendFactory('tensorflow') != null) return { available: true, loadedFrom: 'already registered', reasons };
  for (const pkg of NATIVE_PACKAGES) {
    try {
      await import(/* @vite-ignore */ pkg);
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
    }
  }
  return { available: false, reasons };
}
