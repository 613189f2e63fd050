// The image with its boxes and masks, and the mouse: drag to draw a box, click a box to select it. The image is
// drawn from the pixels the model sees (decoded by the server), scaled to fit; boxes come back in image pixels.
import { mask as cocoMask, type Rle } from '@boxteacher/coco-eval';
import type { RgbImage } from '@boxteacher/data';
import { categoryColour, maskBitmap } from './mask-bitmaps';
import { isRle, type StudioAnnotation } from './working-dataset';

export interface DrawnAnnotation {
  annotation: StudioAnnotation;
  /** a mask proposed and not yet accepted (drawn dashed), else the annotation's own */
  pending: { segmentation: Rle; mask_score: number } | null;
  selected: boolean;
}

/** Smallest box side (image pixels) a drag makes; a shorter drag is a click. */
const MIN_BOX = 2;

const polygonRles = new WeakMap<object, Rle>();

/** The RLE of an annotation's segmentation (polygons are rasterised as pycocotools does), or null. */
function segmentationRle(seg: unknown, h: number, w: number): Rle | null {
  if (isRle(seg)) return seg;
  if (!Array.isArray(seg) || seg.length === 0) return null;
  let rle = polygonRles.get(seg);
  if (!rle) {
    rle = cocoMask.merge(cocoMask.frPyObjects(seg as number[][], h, w));
    polygonRles.set(seg, rle);
  }
  return rle;
}

export class ImageView {
  readonly canvas: HTMLCanvasElement;
  private readonly ctx: CanvasRenderingContext2D;
  private image: HTMLCanvasElement | null = null;
  private imageSize = { width: 1, height: 1 };
  private scale = 1;
  private items: DrawnAnnotation[] = [];
  private drag: { x0: number; y0: number; x1: number; y1: number } | null = null;
  /** a drag finished: the box `[x, y, w, h]` in image pixels */
  onBox: (bbox: [number, number, number, number], mouseUpAt: number) => void = () => undefined;
  onSelect: (annotation: StudioAnnotation | null) => void = () => undefined;

  constructor(private readonly host: HTMLElement) {
    this.canvas = document.createElement('canvas');
    this.canvas.className = 'image-canvas';
    this.canvas.setAttribute('aria-label', 'image: drag to draw a box');
    host.append(this.canvas);
    this.ctx = this.canvas.getContext('2d')!;
    this.canvas.addEventListener('mousedown', (e) => this.down(e));
    window.addEventListener('mousemove', (e) => this.move(e));
    window.addEventListener('mouseup', (e) => this.up(e));
    new ResizeObserver(() => this.layout()).observe(host);
  }

  /** Shows `rgb` (or clears the view for null). */
  setImage(rgb: RgbImage | null): void {
    this.drag = null;
    if (rgb == null) {
      this.image = null;
      this.layout();
      return;
    }
    const c = document.createElement('canvas');
    c.width = rgb.width;
    c.height = rgb.height;
    const ctx = c.getContext('2d')!;
    const rgba = ctx.createImageData(rgb.width, rgb.height);
    for (let i = 0, j = 0; i < rgb.data.length; i += 3, j += 4) {
      rgba.data[j] = rgb.data[i]!;
      rgba.data[j + 1] = rgb.data[i + 1]!;
      rgba.data[j + 2] = rgb.data[i + 2]!;
      rgba.data[j + 3] = 255;
    }
    ctx.putImageData(rgba, 0, 0);
    this.image = c;
    this.imageSize = { width: rgb.width, height: rgb.height };
    this.layout();
  }

  setAnnotations(items: DrawnAnnotation[]): void {
    this.items = items;
    this.draw();
  }

  /** Where the image lies on the screen and its scale (for tests and the benchmark). */
  geometry(): { left: number; top: number; scale: number; width: number; height: number } {
    const r = this.canvas.getBoundingClientRect();
    return { left: r.left, top: r.top, scale: this.scale, width: this.imageSize.width, height: this.imageSize.height };
  }

  private layout(): void {
    const { clientWidth: w, clientHeight: h } = this.host;
    const { width, height } = this.imageSize;
    this.scale = this.image ? Math.min(w / width, h / height, 8) : 1;
    const dpr = window.devicePixelRatio || 1;
    const cw = Math.max(1, Math.floor(width * this.scale));
    const ch = Math.max(1, Math.floor(height * this.scale));
    this.canvas.style.width = `${cw}px`;
    this.canvas.style.height = `${ch}px`;
    this.canvas.width = Math.floor(cw * dpr);
    this.canvas.height = Math.floor(ch * dpr);
    this.draw();
  }

  private toImage(e: MouseEvent): { x: number; y: number } {
    const r = this.canvas.getBoundingClientRect();
    const clamp = (v: number, max: number) => Math.min(Math.max(v, 0), max);
    return { x: clamp((e.clientX - r.left) / this.scale, this.imageSize.width), y: clamp((e.clientY - r.top) / this.scale, this.imageSize.height) };
  }

  private down(e: MouseEvent): void {
    if (!this.image || e.button !== 0) return;
    e.preventDefault();
    const p = this.toImage(e);
    this.drag = { x0: p.x, y0: p.y, x1: p.x, y1: p.y };
  }

  private move(e: MouseEvent): void {
    if (!this.drag) return;
    const p = this.toImage(e);
    this.drag.x1 = p.x;
    this.drag.y1 = p.y;
    this.draw();
  }

  private up(e: MouseEvent): void {
    if (!this.drag) return;
    const at = performance.now();
    const p = this.toImage(e);
    const { x0, y0 } = this.drag;
    this.drag = null;
    const round = (v: number) => Math.round(v * 100) / 100;
    const [x, y, w, h] = [Math.min(x0, p.x), Math.min(y0, p.y), Math.abs(p.x - x0), Math.abs(p.y - y0)];
    if (w >= MIN_BOX && h >= MIN_BOX) {
      this.onBox([round(x), round(y), round(w), round(h)], at);
    } else {
      // A click: the smallest box under the pointer.
      const hits = this.items.filter(({ annotation: { bbox: b } }) => p.x >= b[0] && p.x <= b[0] + b[2] && p.y >= b[1] && p.y <= b[1] + b[3]);
      hits.sort((a, b) => a.annotation.bbox[2] * a.annotation.bbox[3] - b.annotation.bbox[2] * b.annotation.bbox[3]);
      this.onSelect(hits[0]?.annotation ?? null);
    }
    this.draw();
  }

  draw(): void {
    const ctx = this.ctx;
    const dpr = window.devicePixelRatio || 1;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, this.canvas.width, this.canvas.height);
    if (!this.image) return;
    const s = this.scale * dpr;
    ctx.setTransform(s, 0, 0, s, 0, 0);
    ctx.imageSmoothingEnabled = this.scale < 1;
    ctx.drawImage(this.image, 0, 0);
    const { width, height } = this.imageSize;
    ctx.imageSmoothingEnabled = false;
    for (const item of this.items) {
      const colour = categoryColour(item.annotation.category_id);
      const rle = item.pending?.segmentation ?? segmentationRle(item.annotation.segmentation, height, width);
      if (rle) {
        const m = maskBitmap(rle, colour);
        ctx.globalAlpha = item.pending || item.selected ? 1 : 0.8; // the bitmap carries its own translucency
        if (m.area > 0) ctx.drawImage(m.canvas, m.x, m.y);
        ctx.globalAlpha = 1;
      }
    }
    for (const item of this.items) {
      const [x, y, w, h] = item.annotation.bbox;
      const width = (item.selected ? 3 : 1.5) / this.scale;
      ctx.setLineDash(item.pending ? [6 / this.scale, 4 / this.scale] : []);
      // A dark edge under the colour keeps the box visible on any photo.
      ctx.strokeStyle = 'rgba(0, 0, 0, 0.7)';
      ctx.lineWidth = width + 2 / this.scale;
      ctx.strokeRect(x, y, w, h);
      ctx.strokeStyle = categoryColour(item.annotation.category_id);
      ctx.lineWidth = width;
      ctx.strokeRect(x, y, w, h);
    }
    ctx.setLineDash([]);
    if (this.drag) {
      const { x0, y0, x1, y1 } = this.drag;
      ctx.strokeStyle = '#ffffff';
      ctx.lineWidth = 1.5 / this.scale;
      ctx.setLineDash([4 / this.scale, 3 / this.scale]);
      ctx.strokeRect(Math.min(x0, x1), Math.min(y0, y1), Math.abs(x1 - x0), Math.abs(y1 - y0));
      ctx.setLineDash([]);
    }
  }
}
