// Writes the labelled COCO file: the input copied member by member and annotation by annotation (streamed, never
// held whole), each annotation with its `segmentation` (RLE) and `mask_score` set, everything else as it was. The
// text is exactly `JSON.stringify` of the input with those two keys set, whichever run (whole, resumed, or shards
// merged) made the labels, so equal labels give equal bytes. Written with core's writeFileAtomicStream (a temporary
// file beside the target, flushed and renamed): the output appears whole or not at all. The input is read with the data package's streaming JSON
// scanner (the one readCoco validated it with), so a 1 GB file is never held whole.
import { createReadStream } from 'node:fs';
import { writeFileAtomicStream } from '@boxteacher/core';
import { JsonElementScanner } from '@boxteacher/data';
import { outputError } from '../cli/output-files';
import type { ResultIndex } from './result-index';

/** An image's position in the results from its COCO id (a Map, or the COCO index: no entry per image needed). */
export interface ImagePositions {
  get(id: number): number | undefined;
}

export interface WrittenCoco {
  annotations: number;
  labelled: number;
}

const FLUSH_BYTES = 1 << 20;
/**
 * Bytes of input read at a time. Small on purpose: a chunk's parsed elements live until they are written, across
 * awaits, so a large chunk's survive young-generation collections into the old one, which V8 lets grow before it
 * collects: with 1 MB chunks a label job's peak RSS was 1.57x larger at 100 k images than at 10 k, with 64 KB 1.18x.
 */
const READ_CHUNK_BYTES = 1 << 16;
const STREAM_KEYS: ReadonlySet<string> = new Set(['images', 'annotations', 'categories']);

type JsonEvent = { kind: 'key'; key: string } | { kind: 'value'; key: string; value: unknown } | { kind: 'element'; key: string; value: unknown };

/**
 * `file`'s top-level keys, whole member values, and the elements of the `streamKeys` arrays, in file order, through
 * the data package's streaming scanner (the one readCoco reads with). The scanner calls back synchronously; the
 * events of each chunk are replayed to the async `handle`, awaited one by one (so a slow writer slows the reader).
 */
async function streamJsonEvents(file: string, streamKeys: ReadonlySet<string>, handle: (event: JsonEvent) => Promise<void>, chunkSize: number): Promise<void> {
  const events: JsonEvent[] = [];
  const scanner = new JsonElementScanner(file, {
    streamKeys,
    onKey: (raw) => void events.push({ kind: 'key', key: decodeKey(raw) }),
    onValue: (key, value) => void events.push({ kind: 'value', key, value }),
    onElement: (key, _index, value) => void events.push({ kind: 'element', key, value }),
  });
  const replay = async (): Promise<void> => {
    for (const event of events.splice(0)) await handle(event);
  };
  for await (const chunk of createReadStream(file, { highWaterMark: chunkSize })) {
    scanner.feed(chunk as Buffer);
    await replay();
  }
  scanner.end();
  await replay();
}

/** The scanner gives a key as the bytes between its quotes; escapes (`\"`, `\u00e9`) are decoded here. */
function decodeKey(raw: string): string {
  try {
    return JSON.parse(`"${raw}"`) as string;
  } catch {
    return raw;
  }
}

/**
 * Writes `target` from the COCO file `input` and the labels in `results`; `imagePosition` gives an image id's
 * position in `results`. The k-th annotation of an image (in file order) takes the k-th label of that image.
 */
export async function writeLabelledCoco(input: string, target: string, imagePosition: ImagePositions, results: ResultIndex, chunkSize = READ_CHUNK_BYTES): Promise<WrittenCoco> {
  const nextBox = new Int32Array(results.imageCount);
  const counts: WrittenCoco = { annotations: 0, labelled: 0 };
  await writeFileAtomicStream(target, async (out) => {
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
    await emit('{');
    let first = true;
    // The member being copied: a streamed key's array is opened at its first element and closed at the next key
    // (the scanner reports elements, not brackets; a streamed key with a non-array value comes as one value).
    let open: { streamed: boolean; whole: boolean; elements: number } | null = null;
    const close = async (): Promise<void> => {
      if (open?.streamed && !open.whole) await emit(open.elements === 0 ? '[]' : ']');
      open = null;
    };
    await streamJsonEvents(input, STREAM_KEYS, async (event) => {
      if (event.kind === 'key') {
        await close();
        await emit(`${first ? '' : ','}${JSON.stringify(event.key)}:`);
        first = false;
        open = { streamed: STREAM_KEYS.has(event.key), whole: false, elements: 0 };
      } else if (event.kind === 'value') {
        open!.whole = true;
        await emit(JSON.stringify(event.value));
      } else {
        const value = event.value as Record<string, unknown>;
        if (event.key === 'annotations') {
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
        await emit(`${open!.elements++ === 0 ? '[' : ','}${JSON.stringify(value)}`);
      }
    }, chunkSize);
    await close();
    await emit('}');
    await flush();
  }).catch((error: unknown) => {
    throw outputError(target, error);
  });
  return counts;
}
