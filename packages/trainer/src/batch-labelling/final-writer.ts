// Writes the labelled COCO file: the input copied member by member and annotation by annotation (streamed, never
// held whole), each annotation with its `segmentation` (RLE) and `mask_score` set, everything else as it was. The
// text is exactly `JSON.stringify` of the input with those two keys set, whichever run (whole, resumed, or shards
// merged) made the labels, so equal labels give equal bytes. Written to a temporary file beside the target, flushed
// and renamed: the output appears whole or not at all.
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { outputError } from '../cli/output-files';
import { streamJsonMembers } from './json-members';
import type { ResultIndex } from './result-index';

export interface WrittenCoco {
  annotations: number;
  labelled: number;
}

const FLUSH_BYTES = 1 << 20;

/**
 * Writes `target` from the COCO file `input` and the labels in `results`; `imagePosition` maps an image id to its
 * position in `results`. The k-th annotation of an image (in file order) takes the k-th label of that image.
 */
export async function writeLabelledCoco(input: string, target: string, imagePosition: ReadonlyMap<number, number>, results: ResultIndex): Promise<WrittenCoco> {
  const temp = path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const nextBox = new Int32Array(results.imageCount);
  const counts: WrittenCoco = { annotations: 0, labelled: 0 };
  let fh: fs.FileHandle | null = null;
  try {
    fh = await fs.open(temp, 'w');
    const out = fh;
    let pending: string[] = [];
    let pendingBytes = 0;
    const emit = async (text: string): Promise<void> => {
      pending.push(text);
      pendingBytes += text.length;
      if (pendingBytes >= FLUSH_BYTES) await flush();
    };
    const flush = async (): Promise<void> => {
      const data = pending.join('');
      pending = [];
      pendingBytes = 0;
      await out.write(data);
    };
    let firstMember = true;
    let firstElement = true;
    await emit('{');
    await streamJsonMembers(input, {
      streamKeys: new Set(['images', 'annotations', 'categories']),
      async onKey(key) {
        await emit(`${firstMember ? '' : ','}${JSON.stringify(key)}:`);
        firstMember = false;
      },
      async onValue(_key, raw) {
        await emit(JSON.stringify(JSON.parse(raw)));
      },
      async onArrayStart() {
        firstElement = true;
        await emit('[');
      },
      async onElement(key, raw) {
        const value = JSON.parse(raw) as Record<string, unknown>;
        if (key === 'annotations') {
          counts.annotations++;
          const image = imagePosition.get(value.image_id as number);
          if (image !== undefined) {
            const k = nextBox[image]!++;
            const label = (await results.read(image))?.labels[k];
            if (label != null) {
              value.segmentation = label.segmentation;
              value.mask_score = label.mask_score;
              counts.labelled++;
            }
          }
        }
        await emit(`${firstElement ? '' : ','}${JSON.stringify(value)}`);
        firstElement = false;
      },
      async onArrayEnd() {
        await emit(']');
      },
    });
    await emit('}');
    await flush();
    await fh.sync();
    await fh.close();
    fh = null;
    await fs.rename(temp, target);
    return counts;
  } catch (error) {
    await fh?.close().catch(() => undefined);
    await fs.rm(temp, { force: true }).catch(() => undefined);
    throw outputError(target, error);
  }
}
