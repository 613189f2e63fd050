// The SIMD path of adjustHue: hue-simd.wat, four pixels per step in float32 lanes, the same bytes as the scalar
// shiftHuePixel (test/transforms/hue-simd.test.ts compares them). Where WebAssembly SIMD is not available the
// module fails to compile and adjustHue stays on the scalar code.
import { HUE_SIMD_WASM_BASE64 } from './hue-simd-wasm';

interface HueModule {
  memory: { buffer: ArrayBuffer; grow(pages: number): number };
  hue: (inPtr: number, outPtr: number, pixels: number, hf: number) => void;
}

// This package's TypeScript lib has no WebAssembly types: the two constructors it uses, typed here.
interface WebAssemblyApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
}

let loaded: HueModule | null | undefined;
let enabled = true;

function decodeBase64(b64: string): Uint8Array {
  if (typeof Buffer !== 'undefined') return new Uint8Array(Buffer.from(b64, 'base64'));
  return Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
}

function hueModule(): HueModule | null {
  if (loaded === undefined) {
    try {
      const wasm = (globalThis as { WebAssembly?: WebAssemblyApi }).WebAssembly;
      if (!wasm) throw new Error('no WebAssembly');
      const instance = new wasm.Instance(new wasm.Module(decodeBase64(HUE_SIMD_WASM_BASE64)), {});
      loaded = instance.exports as unknown as HueModule;
    } catch {
      loaded = null;
    }
  }
  return loaded;
}

/** Turns the SIMD path off (false) or back on; returns whether it is available and on. For tests and benchmarks. */
export function useHueSimd(on: boolean): boolean {
  enabled = on;
  return on && hueModule() != null;
}

/**
 * Shifts the hue of the first `pixels` pixels (a multiple of 4) of `src` into `out` (which may be `src`). Returns
 * false, having written nothing, where the SIMD module is unavailable or turned off.
 */
export function shiftHueSimd(src: Uint8Array, out: Uint8Array, pixels: number, hf: number): boolean {
  const m = enabled ? hueModule() : null;
  if (!m || pixels === 0) return m != null && pixels === 0;
  const bytes = pixels * 3;
  // Input at 0, output after it; each region has 16 bytes of slack for the last group's 16-byte load and store.
  const outOffset = bytes + 16;
  const needed = 2 * (bytes + 16);
  const have = m.memory.buffer.byteLength;
  if (needed > have) m.memory.grow(Math.ceil((needed - have) / 65536));
  const heap = new Uint8Array(m.memory.buffer);
  heap.set(src.subarray(0, bytes), 0);
  m.hue(0, outOffset, pixels, hf);
  out.set(heap.subarray(outOffset, outOffset + bytes), 0);
  return true;
}
