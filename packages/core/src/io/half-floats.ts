// 16-bit float formats that weight files store and TensorFlow.js cannot hold: IEEE half (f16) and bfloat16 (the
// top half of a float32). Both widen to float32 exactly. Shared by the safetensors and PyTorch readers.

function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const fraction = h & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 0x1f) return fraction === 0 ? sign * Infinity : NaN;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}

export function float16ToFloat32(halves: Uint16Array): Float32Array {
  return Float32Array.from(halves, halfToFloat);
}

export function bfloat16ToFloat32(halves: Uint16Array): Float32Array {
  return new Float32Array(Uint32Array.from(halves, (v) => v << 16).buffer);
}
