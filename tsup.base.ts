// Shared tsup options: every package ships ESM + CJS + .d.ts for Node 20.
// TensorFlow.js is never bundled: the wasm backend finds its .wasm files next to its own file,
// and two copies of tfjs-core would register kernels on two engines.
import type { Options } from 'tsup';

export function packageTsupOptions(entry: Record<string, string>, extra: Partial<Options> = {}): Options {
  return {
    entry,
    format: ['esm', 'cjs'],
    target: 'node20',
    platform: 'node',
    dts: true,
    sourcemap: true,
    clean: true,
    splitting: false,
    external: [/^@tensorflow\//, /^@boxteacher\//, 'sharp'],
    ...extra,
  };
}
