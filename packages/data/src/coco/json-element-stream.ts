// Streaming reader for one big JSON object whose large members are arrays (a COCO file: `images`, `annotations`,
// `categories`). A byte-level scanner finds where each array element starts and ends (tracking only strings and
// bracket depth), then parses that element alone with JSON.parse and hands it over. Memory is one element plus
// what the consumer keeps, never the whole text: a 1 GB file is read in fixed-size chunks.

import { createReadStream } from 'node:fs';
import { DataFormatError } from '../errors';
import { diagnoseJson } from './json-diagnose';

export interface JsonStreamHandlers {
  /** Top-level keys whose array values are delivered element by element. */
  streamKeys: ReadonlySet<string>;
  /** One element of a streamed array, already parsed. */
  onElement(key: string, index: number, value: unknown): void;
  /** Called with each top-level key as it is read. */
  onKey?(key: string): void;
  /** Any other top-level member (or a streamed key whose value is not an array), parsed whole. */
  onValue(key: string, value: unknown): void;
}

const enum S {
  Start, // before the top-level '{'
  KeyOrEnd, // expecting a key or '}'
  Key, // inside a key string
  Colon,
  ValueStart,
  ElementOrEnd, // inside a streamed array: expecting an element or ']'
  AfterElement, // ',' or ']'
  Capture, // inside a captured value
  AfterValue, // ',' or '}'
  Done,
}

const WS = new Uint8Array(256);
for (const c of [0x20, 0x09, 0x0a, 0x0d]) WS[c] = 1;

/** Incremental scanner: call feed() with consecutive chunks, then end(). */
export class JsonElementScanner {
  private state = S.Start;
  private line = 1;
  private key = '';
  private keyBytes: number[] = [];
  private readonly seenKeys = new Set<string>();
  private index = 0;
  private streaming = false; // capturing an array element (true) or a whole member value (false)
  // Capture state.
  private pieces: Buffer[] = [];
  private depth = 0;
  private inString = false;
  private escape = false;
  private primitive = false;
  private captureLine = 0;
  private afterCommaInArray = false;
  private afterCommaInObject = false;

  constructor(
    private readonly file: string,
    private readonly handlers: JsonStreamHandlers,
  ) {}

  private where(): string {
    return this.streaming ? `${this.key}[${this.index}]` : this.key;
  }

  private fail(problem: string, expected: string, path = ''): never {
    throw new DataFormatError('INVALID_JSON', this.file, path, `line ${this.line}: ${problem}`, expected);
  }

  feed(chunk: Buffer): void {
    let i = 0;
    const n = chunk.length;
    let captureFrom = this.state === S.Capture ? 0 : -1;
    while (i < n) {
      const c = chunk[i]!;
      switch (this.state) {
        case S.Capture: {
          // Hot loop: scan until the captured value ends.
          let ended = false;
          for (; i < n; i++) {
            const b = chunk[i]!;
            if (b === 0x0a) this.line++;
            if (this.inString) {
              if (this.escape) this.escape = false;
              else if (b === 0x5c) this.escape = true;
              else if (b === 0x22) {
                this.inString = false;
                if (this.depth === 0) {
                  i++;
                  ended = true;
                  break;
                }
              }
              continue;
            }
            if (this.primitive) {
              if (WS[b] || b === 0x2c || b === 0x5d || b === 0x7d) {
                if (b === 0x0a) this.line--; // the delimiter is re-read by the next state
                ended = true; // the delimiter is not part of the value
                break;
              }
              continue;
            }
            if (b === 0x22) this.inString = true;
            else if (b === 0x7b || b === 0x5b) this.depth++;
            else if (b === 0x7d || b === 0x5d) {
              this.depth--;
              if (this.depth === 0) {
                i++;
                ended = true;
                break;
              }
            }
          }
          this.pieces.push(chunk.subarray(captureFrom, i));
          captureFrom = -1;
          if (ended) this.finishCapture();
          continue;
        }
        case S.Start:
          if (WS[c]) break;
          if (c !== 0x7b) this.fail(`the file starts with ${describeByte(c)}`, 'a JSON object ({"images": …, "annotations": …, "categories": …})');
          this.state = S.KeyOrEnd;
          break;
        case S.KeyOrEnd:
          if (WS[c]) break;
          if (c === 0x22) {
            this.state = S.Key;
            this.keyBytes = [];
            this.afterCommaInObject = false;
          } else if (c === 0x7d && !this.afterCommaInObject) this.state = S.Done;
          else this.fail(`found ${describeByte(c)} where a top-level key was expected`, this.afterCommaInObject ? 'a quoted key after the comma' : 'a quoted key or }');
          break;
        case S.Key:
          if (c === 0x22 && this.keyBytes[this.keyBytes.length - 1] !== 0x5c) {
            this.key = Buffer.from(this.keyBytes).toString('utf8');
            if (this.seenKeys.has(this.key)) {
              throw new DataFormatError('INVALID_JSON', this.file, this.key, `line ${this.line}: the top-level key "${this.key}" appears twice`, 'each key once');
            }
            this.seenKeys.add(this.key);
            this.handlers.onKey?.(this.key);
            this.state = S.Colon;
          } else this.keyBytes.push(c);
          break;
        case S.Colon:
          if (WS[c]) break;
          if (c !== 0x3a) this.fail(`found ${describeByte(c)} after the key "${this.key}"`, "':'", this.key);
          this.state = S.ValueStart;
          break;
        case S.ValueStart:
          if (WS[c]) break;
          if (c === 0x5b && this.handlers.streamKeys.has(this.key)) {
            this.state = S.ElementOrEnd;
            this.streaming = true;
            this.index = 0;
            this.afterCommaInArray = false;
            break;
          }
          this.streaming = false;
          this.beginCapture(c);
          captureFrom = i;
          continue; // re-read this byte in Capture
        case S.ElementOrEnd:
          if (WS[c]) break;
          if (c === 0x5d && !this.afterCommaInArray) {
            this.streaming = false;
            this.state = S.AfterValue;
            break;
          }
          if (c === 0x5d) this.fail(`trailing comma before ']' in "${this.key}"`, 'another element after the comma', `${this.key}[${this.index}]`);
          this.beginCapture(c);
          captureFrom = i;
          continue;
        case S.AfterElement:
          if (WS[c]) break;
          if (c === 0x2c) {
            this.index++;
            this.afterCommaInArray = true;
            this.state = S.ElementOrEnd;
          } else if (c === 0x5d) {
            this.streaming = false;
            this.state = S.AfterValue;
          } else this.fail(`found ${describeByte(c)} after an element`, "',' or ']'", `${this.key}[${this.index}]`);
          break;
        case S.AfterValue:
          if (WS[c]) break;
          if (c === 0x2c) {
            this.afterCommaInObject = true;
            this.state = S.KeyOrEnd;
          } else if (c === 0x7d) this.state = S.Done;
          else this.fail(`found ${describeByte(c)} after the value of "${this.key}"`, "',' or '}'", this.key);
          break;
        case S.Done:
          if (!WS[c]) this.fail(`found ${describeByte(c)} after the closing '}'`, 'the end of the file');
          break;
      }
      if (c === 0x0a) this.line++;
      i++;
    }
  }

  private beginCapture(c: number): void {
    this.state = S.Capture;
    this.pieces = [];
    this.depth = 0;
    this.inString = false;
    this.escape = false;
    this.primitive = c !== 0x7b && c !== 0x5b && c !== 0x22;
    this.captureLine = this.line;
    this.afterCommaInArray = false;
  }

  private finishCapture(): void {
    const text = Buffer.concat(this.pieces).toString('utf8');
    this.pieces = [];
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      const d = diagnoseJson(text);
      const line = this.captureLine + (d?.line ?? 0);
      throw new DataFormatError(
        'INVALID_JSON',
        this.file,
        `${this.where()}${d?.path ?? ''}`,
        `line ${line}: ${d?.message ?? 'invalid JSON'}`,
        d?.expected ?? 'valid JSON',
      );
    }
    if (this.streaming) {
      this.handlers.onElement(this.key, this.index, value);
      this.state = S.AfterElement;
    } else {
      this.handlers.onValue(this.key, value);
      this.state = S.AfterValue;
    }
  }

  /** Call after the last chunk: a file that stops early is an error naming where it stopped. */
  end(): void {
    if (this.state === S.Capture && this.primitive && !this.inString) this.finishCapture();
    if (this.state === S.Done) return;
    if (this.state === S.Start) throw new DataFormatError('FILE_EMPTY', this.file, '', 'the file is empty (or only whitespace)', 'a COCO JSON object');
    const inside = this.state === S.Capture || this.state === S.ElementOrEnd || this.state === S.AfterElement ? this.where() : this.key;
    this.fail(`the file ends early${inside ? ` inside ${inside}` : ''} (truncated download or copy?)`, 'the rest of the JSON up to the closing }', inside);
  }
}

function describeByte(c: number): string {
  return c >= 0x20 && c < 0x7f ? `'${String.fromCharCode(c)}'` : `byte 0x${c.toString(16).padStart(2, '0')}`;
}

/** Streams `file` through a JsonElementScanner in chunks of `chunkSize` bytes. */
export async function streamJsonFile(file: string, handlers: JsonStreamHandlers, chunkSize = 1 << 20): Promise<void> {
  const scanner = new JsonElementScanner(file, handlers);
  const stream = createReadStream(file, { highWaterMark: chunkSize });
  try {
    for await (const chunk of stream) scanner.feed(chunk as Buffer);
  } catch (e) {
    stream.destroy();
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new DataFormatError('FILE_NOT_FOUND', file, '', 'no such file', 'a COCO annotation JSON file');
    }
    if ((e as NodeJS.ErrnoException).code === 'EISDIR') {
      throw new DataFormatError('INVALID_ARGUMENT', file, '', 'is a directory', 'a COCO annotation JSON file');
    }
    throw e;
  }
  scanner.end();
}
