// The dataset a studio session edits: the input COCO file (or, with none, every image of the folder with no
// annotations), where the edits are saved, and which file each image id names. The working copy the page opens is
// the output file when an earlier session saved one (the work continues), else the input. Every file is checked
// with the data package's reader, the one `train` and `label` use, so the studio accepts what they accept.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { readCoco, type CocoJson } from '@boxteacher/data';
import sharp from 'sharp';
import { UsageError } from '../cli/parse-args';

const IMAGE_FILE = /\.(jpe?g|png|webp)$/i;

export interface StudioDatasetOptions {
  /** the COCO file to label (optional: without it, the folder's images with no annotations) */
  coco?: string;
  images: string;
  /** where edits are saved (default: beside the input, `NAME.studio.json`) */
  out?: string;
  /** allow `out` to be the input file itself */
  overwrite?: boolean;
  /** the categories of a dataset without a COCO file (the model's) */
  categories: Array<{ id: number; name: string }>;
}

export interface StudioDataset {
  /** the input COCO file, or null for a folder of images */
  input: string | null;
  imagesDir: string;
  out: string;
  /** the COCO text the page opens, or the one-line reason it cannot (shown in the page) */
  working(): Promise<{ file: string; text: string } | { file: string; error: string }>;
  /** the image file of a COCO image id in the working file, or null */
  imageFile(id: number): string | null;
  /** notes for the terminal (continuing from an earlier save, …) */
  notes: string[];
}

/** `file.json` → `file.studio.json`; a folder `imgs` → `imgs.studio.json` beside it. */
export function defaultStudioOut(coco: string | undefined, images: string): string {
  if (coco != null) return path.resolve(coco.replace(/(\.json)?$/i, '.studio.json'));
  return `${path.resolve(images).replace(/[\\/]+$/, '')}.studio.json`;
}

/** Width and height as the image is shown (EXIF orientations 5-8 swap them, as loadImage's rotation does). */
async function orientedSize(file: string): Promise<{ width: number; height: number } | null> {
  try {
    const m = await sharp(file).metadata();
    if (m.width == null || m.height == null) return null;
    return (m.orientation ?? 1) >= 5 ? { width: m.height, height: m.width } : { width: m.width, height: m.height };
  } catch {
    return null;
  }
}

/** A COCO file for a folder of images: ids 1… in file-name order, no annotations. Undecodable files keep 1×1 (the page says why). */
async function folderCoco(images: string, categories: StudioDatasetOptions['categories']): Promise<CocoJson> {
  const names = (await fs.readdir(images)).filter((n) => IMAGE_FILE.test(n)).sort();
  const entries = [];
  for (const [i, name] of names.entries()) {
    const size = (await orientedSize(path.join(images, name))) ?? { width: 1, height: 1 };
    entries.push({ id: i + 1, file_name: name, ...size });
  }
  return { images: entries, annotations: [], categories: categories.map((c) => ({ id: c.id, name: c.name })) } as CocoJson;
}

export async function openStudioDataset(o: StudioDatasetOptions): Promise<StudioDataset> {
  const imagesDir = path.resolve(o.images);
  if (!(await fs.stat(imagesDir).then((s) => s.isDirectory(), () => false))) throw new UsageError(`--images ${o.images}: no such folder`);
  const input = o.coco != null ? path.resolve(o.coco) : null;
  if (input != null && !(await fs.stat(input).then((s) => s.isFile(), () => false))) throw new UsageError(`--coco ${o.coco}: no such file`);
  const out = o.out != null ? path.resolve(o.out) : defaultStudioOut(o.coco, o.images);
  if (input != null && out === input && !o.overwrite) throw new UsageError(`--out ${o.out} is the input file: pass --overwrite to save over it, or choose another --out`);
  if (!(await fs.stat(path.dirname(out)).then((s) => s.isDirectory(), () => false))) throw new UsageError(`--out ${out}: its folder does not exist`);
  const notes: string[] = [];
  const isFile = (f: string) => fs.stat(f).then((s) => s.isFile(), () => false);
  if (out !== input && (await isFile(out))) notes.push(`continuing from ${out} (an earlier session's save); delete it to start again from ${input ?? imagesDir}`);

  let files = new Map<number, string>();
  // Asked again at every page load: once the page has saved, a reload opens the saved work.
  const working = async () => {
    const continuing = out !== input && (await isFile(out));
    const workingFile = continuing ? out : (input ?? out);
    const synthesized = input == null && !continuing ? `${JSON.stringify(await folderCoco(imagesDir, o.categories))}\n` : null;
    try {
      const text = synthesized ?? (await fs.readFile(workingFile, 'utf8'));
      // A folder's synthesized file is checked like a real one (written beside the output only for the check).
      const checked = synthesized != null ? await checkText(out, synthesized, imagesDir) : await readCoco(workingFile, { imagesDir, boxesOnly: false, dropCrowd: false, dropDegenerate: false });
      files = new Map(checked.images.map((r) => [r.id, r.path]));
      return { file: workingFile, text };
    } catch (error) {
      return { file: workingFile, error: (error as Error).message };
    }
  };
  return { input, imagesDir, out, working, imageFile: (id) => files.get(id) ?? null, notes };
}

/** readCoco on `text` written to a temporary file beside `target` (removed after). */
async function checkText(target: string, text: string, imagesDir: string) {
  const temp = path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.check.tmp`);
  await fs.writeFile(temp, text);
  try {
    return await readCoco(temp, { imagesDir, boxesOnly: false, dropCrowd: false, dropDegenerate: false });
  } finally {
    await fs.rm(temp, { force: true });
  }
}
