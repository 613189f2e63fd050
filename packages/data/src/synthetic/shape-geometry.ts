// Shapes of the synthetic dataset as exact pixel-centre rasters: a pixel (x, y) belongs to a shape when its centre
// (x + 0.5, y + 0.5) is inside. Ellipses (rotated), simple star-shaped polygons and rings (annuli).

export type Shape =
  | { kind: 'ellipse'; cx: number; cy: number; rx: number; ry: number; angle: number }
  | { kind: 'polygon'; points: number[] }
  | { kind: 'ring'; cx: number; cy: number; rx: number; ry: number; angle: number; inner: number };

function insideEllipse(px: number, py: number, cx: number, cy: number, rx: number, ry: number, angle: number): boolean {
  const dx = px - cx;
  const dy = py - cy;
  const c = Math.cos(angle);
  const s = Math.sin(angle);
  const u = (dx * c + dy * s) / rx;
  const v = (-dx * s + dy * c) / ry;
  return u * u + v * v <= 1;
}

/** Even-odd rule point-in-polygon. */
function insidePolygon(px: number, py: number, pts: number[]): boolean {
  let inside = false;
  const n = pts.length / 2;
  for (let i = 0, j = n - 1; i < n; j = i++) {
    const xi = pts[2 * i]!;
    const yi = pts[2 * i + 1]!;
    const xj = pts[2 * j]!;
    const yj = pts[2 * j + 1]!;
    if (yi > py !== yj > py && px < ((xj - xi) * (py - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/** Rasterises a shape to a row-major `[h, w]` 0/1 mask (pixel-centre rule). */
export function rasteriseShape(shape: Shape, h: number, w: number): Uint8Array {
  const out = new Uint8Array(h * w);
  for (let y = 0; y < h; y++) {
    const py = y + 0.5;
    for (let x = 0; x < w; x++) {
      const px = x + 0.5;
      let hit: boolean;
      switch (shape.kind) {
        case 'ellipse':
          hit = insideEllipse(px, py, shape.cx, shape.cy, shape.rx, shape.ry, shape.angle);
          break;
        case 'polygon':
          hit = insidePolygon(px, py, shape.points);
          break;
        case 'ring':
          hit =
            insideEllipse(px, py, shape.cx, shape.cy, shape.rx, shape.ry, shape.angle) &&
            !insideEllipse(px, py, shape.cx, shape.cy, shape.rx * shape.inner, shape.ry * shape.inner, shape.angle);
          break;
      }
      if (hit) out[y * w + x] = 1;
    }
  }
  return out;
}
