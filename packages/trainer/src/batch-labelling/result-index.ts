// Where each image's labels lie on disk: file, offset and length of its line in a journal or shard file, in typed
// arrays indexed by the image's position in the COCO file (16 bytes an image, whatever its masks weigh). The final
// writer reads the lines back one image at a time, so the labels never sit in memory together.
import { promises as fs } from 'node:fs';
import type { ImageResult } from './result-journal';

export class ResultIndex {
  readonly files: string[] = [];
  private readonly fileOf: Int32Array;
  private readonly offsets: Float64Array;
  private readonly lengths: Uint32Array;
  private handles = new Map<number, fs.FileHandle>();
  private cached: { image: number; result: ImageResult } | null = null;
  count = 0;

  constructor(readonly imageCount: number) {
    this.fileOf = new Int32Array(imageCount).fill(-1);
    this.offsets = new Float64Array(imageCount);
    this.lengths = new Uint32Array(imageCount);
  }

  /** The number of a file the index refers to (added on first use). */
  fileNumber(file: string): number {
    const at = this.files.indexOf(file);
    if (at >= 0) return at;
    this.files.push(file);
    return this.files.length - 1;
  }

  has(image: number): boolean {
    return this.fileOf[image]! >= 0;
  }

  set(image: number, file: number, offset: number, length: number): void {
    if (!this.has(image)) this.count++;
    this.fileOf[image] = file;
    this.offsets[image] = offset;
    this.lengths[image] = length;
  }

  /** The labels of image position `image`, or null when none were recorded. Keeps the last one read. */
  async read(image: number): Promise<ImageResult | null> {
    if (this.cached?.image === image) return this.cached.result;
    const f = this.fileOf[image]!;
    if (f < 0) return null;
    let fh = this.handles.get(f);
    if (fh == null) {
      fh = await fs.open(this.files[f]!, 'r');
      this.handles.set(f, fh);
    }
    const buf = Buffer.alloc(this.lengths[image]!);
    const { bytesRead } = await fh.read(buf, 0, buf.length, this.offsets[image]!);
    if (bytesRead !== buf.length) throw new Error(`${this.files[f]}: the file is shorter than its index (was it changed while in use?)`);
    const result = JSON.parse(buf.toString('utf8')) as ImageResult;
    this.cached = { image, result };
    return result;
  }

  async close(): Promise<void> {
    const all = [...this.handles.values()];
    this.handles = new Map();
    this.cached = null;
    await Promise.all(all.map((h) => h.close()));
  }
}
