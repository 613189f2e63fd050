// Saving the page's edits: the COCO text it sends is written to a temporary file beside the output, flushed,
// checked with the data package's reader (a file the page got wrong is refused, not saved), and renamed over the
// output: the saved file is always whole and valid, and the previous save stays until the new one is in place.
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { readCoco } from '@boxteacher/data';
import { outputError } from '../cli/output-files';

export interface SavedCoco {
  file: string;
  images: number;
  annotations: number;
  /** annotations with a segmentation */
  labelled: number;
}

/** Thrown for a COCO text that does not validate (the page shows the message; nothing is written). */
export class InvalidSaveError extends Error {
  override name = 'InvalidSaveError';
}

export async function saveStudioCoco(target: string, text: string, imagesDir: string): Promise<SavedCoco> {
  const temp = path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  let handle: fs.FileHandle | undefined;
  try {
    try {
      handle = await fs.open(temp, 'w');
      await handle.writeFile(text);
      await handle.sync();
      await handle.close();
      handle = undefined;
    } catch (error) {
      throw outputError(target, error);
    }
    let checked;
    try {
      checked = await readCoco(temp, { imagesDir, boxesOnly: false, dropCrowd: false, dropDegenerate: false });
    } catch (error) {
      throw new InvalidSaveError(`not saved: ${(error as Error).message.split(temp).join(target)}`);
    }
    await fs.rename(temp, target).catch((error: unknown) => {
      throw outputError(target, error);
    });
    const instances = checked.images.flatMap((r) => r.segmentations ?? []);
    return { file: target, images: checked.images.length, annotations: checked.stats.annotations, labelled: instances.filter((s) => s != null).length };
  } finally {
    await handle?.close().catch(() => undefined);
    await fs.rm(temp, { force: true }).catch(() => undefined);
  }
}
