// shiftHuePixel computes only the hue candidate torchvision's masks select; this checks it against a transcription
// of torchvision's three-candidate float32 code over millions of colours (the fixture image covers far fewer).
import { describe, expect, it } from 'vitest';
import { shiftHuePixel } from '../../src/transforms/color-ops';

describe('shiftHuePixel', () => {
  // torchvision's `_rgb2hsv` / `_hsv2rgb` as written there: all three hue candidates computed and masked, in float32.
  const f32 = Math.fround;
  function torchvisionHue(r8: number, g8: number, b8: number, hf: number): number {
    const [r, g, b] = [f32(r8 / 255), f32(g8 / 255), f32(b8 / 255)];
    const maxc = Math.max(r, g, b);
    const minc = Math.min(r, g, b);
    const eqc = maxc === minc ? 1 : 0;
    const cr = f32(maxc - minc);
    const s = f32(cr / (eqc ? 1 : maxc));
    const crd = eqc ? 1 : cr;
    const [rc, gc, bc] = [f32(f32(maxc - r) / crd), f32(f32(maxc - g) / crd), f32(f32(maxc - b) / crd)];
    const hr = f32((maxc === r ? 1 : 0) * f32(bc - gc));
    const hg = f32((maxc === g && maxc !== r ? 1 : 0) * f32(f32(2 + rc) - bc));
    const hb = f32((maxc !== g && maxc !== r ? 1 : 0) * f32(f32(4 + gc) - rc));
    let h = f32(f32(hr + hg) + hb);
    h = f32(f32(f32(h / 6) + 1) % 1);
    h = f32(h + hf);
    h = f32(h - Math.floor(h));
    if (h >= 1) h = 0;
    const i = Math.floor(f32(h * 6)) % 6;
    const f = f32(f32(h * 6) - Math.floor(f32(h * 6)));
    const c = (x: number) => Math.min(Math.max(x, 0), 1);
    const p = c(f32(maxc * f32(1 - s)));
    const q = c(f32(maxc * f32(1 - f32(s * f))));
    const t = c(f32(maxc * f32(1 - f32(s * f32(1 - f)))));
    const rgb = [[maxc, t, p], [q, maxc, p], [p, maxc, t], [p, q, maxc], [t, p, maxc], [maxc, p, q]][i]!;
    const byte = (x: number) => Math.min(255, Math.max(0, Math.trunc(f32(x * 255))));
    return (byte(rgb[0]!) << 16) | (byte(rgb[1]!) << 8) | byte(rgb[2]!);
  }

  it('equals the three-candidate float32 transcription on every 3rd level of each channel (5.6M colours, two shifts)', () => {
    for (const hf of [f32(0.1), f32(-0.0731)]) {
      let differ = 0;
      for (let r = 0; r < 256; r += 3) for (let g = 0; g < 256; g += 1) for (let b = 0; b < 256; b += 3) if (shiftHuePixel(r, g, b, hf) !== torchvisionHue(r, g, b, hf)) differ++;
      expect(differ).toBe(0);
    }
  });
});
