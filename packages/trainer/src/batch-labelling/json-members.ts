// Streams a big JSON object member by member, with chosen top-level arrays element by element, so that a COCO file
// can be copied into the labelled output without ever holding its text whole. A byte-level scanner tracks only
// strings and bracket depth; each member value or array element is handed over as its raw bytes, parsed by the
// caller. The input was already validated by readCoco (the data package's streaming reader), so errors here are
// short: the file changed or is not an object.
import { createReadStream } from 'node:fs';

export interface JsonMemberHandlers {
  /** Top-level keys whose array values are delivered element by element. */
  streamKeys: ReadonlySet<string>;
  /** A top-level key, before its value. */
  onKey(key: string): void | Promise<void>;
  /** The raw text of a whole member value (a key not in streamKeys, or one whose value is not an array). */
  onValue(key: string, raw: string): void | Promise<void>;
  /** A streamed array opens (`[`) / one element's raw text / the array closes (`]`). */
  onArrayStart(key: string): void | Promise<void>;
  onElement(key: string, raw: string): void | Promise<void>;
  onArrayEnd(key: string): void | Promise<void>;
}

const WS = new Uint8Array(256);
for (const c of [0x20, 0x09, 0x0a, 0x0d]) WS[c] = 1;

type State = 'start' | 'key-or-end' | 'key' | 'colon' | 'value' | 'element-or-end' | 'after-element' | 'capture' | 'after-value' | 'done';

/** Events collected from one chunk, replayed asynchronously so that handlers may await (write back-pressure). */
type Event = ['key' | 'value' | 'start' | 'element' | 'end', string, string];

class MemberScanner {
  private state: State = 'start';
  private key = '';
  private keyBytes: number[] = [];
  private inArray = false;
  private pieces: Buffer[] = [];
  private depth = 0;
  private inString = false;
  private escape = false;
  private primitive = false;
  readonly events: Event[] = [];

  constructor(
    private readonly file: string,
    private readonly streamKeys: ReadonlySet<string>,
  ) {}

  private fail(what: string): never {
    throw new Error(`${this.file}: ${what} (did the file change while it was being labelled?)`);
  }

  feed(chunk: Buffer): void {
    let i = 0;
    while (i < chunk.length) {
      if (this.state === 'capture') {
        i = this.capture(chunk, i);
        continue;
      }
      const c = chunk[i]!;
      i++;
      switch (this.state) {
        case 'start':
          if (WS[c]) break;
          if (c !== 0x7b) this.fail('not a JSON object');
          this.state = 'key-or-end';
          break;
        case 'key-or-end':
          if (WS[c] || c === 0x2c) break;
          if (c === 0x7d) this.state = 'done';
          else if (c === 0x22) {
            this.keyBytes = [];
            this.state = 'key';
          } else this.fail('a top-level key was expected');
          break;
        case 'key':
          // A backslash escapes the next byte; keys are decoded with JSON.parse below.
          if (c === 0x22 && !endsWithOddBackslashes(this.keyBytes)) {
            this.key = JSON.parse(`"${Buffer.from(this.keyBytes).toString('utf8')}"`) as string;
            this.events.push(['key', this.key, '']);
            this.state = 'colon';
          } else this.keyBytes.push(c);
          break;
        case 'colon':
          if (WS[c]) break;
          if (c !== 0x3a) this.fail(`':' expected after "${this.key}"`);
          this.state = 'value';
          break;
        case 'value':
          if (WS[c]) break;
          if (c === 0x5b && this.streamKeys.has(this.key)) {
            this.inArray = true;
            this.events.push(['start', this.key, '']);
            this.state = 'element-or-end';
            break;
          }
          this.inArray = false;
          this.begin(c);
          i--; // the first byte of the value is captured too
          break;
        case 'element-or-end':
          if (WS[c]) break;
          if (c === 0x5d) this.closeArray();
          else {
            this.begin(c);
            i--;
          }
          break;
        case 'after-element':
          if (WS[c]) break;
          if (c === 0x2c) this.state = 'element-or-end';
          else if (c === 0x5d) this.closeArray();
          else this.fail(`',' or ']' expected in "${this.key}"`);
          break;
        case 'after-value':
          if (WS[c]) break;
          if (c === 0x2c) this.state = 'key-or-end';
          else if (c === 0x7d) this.state = 'done';
          else this.fail(`',' or '}' expected after "${this.key}"`);
          break;
        case 'done':
          if (!WS[c]) this.fail('text after the closing }');
          break;
      }
    }
  }

  private closeArray(): void {
    this.events.push(['end', this.key, '']);
    this.inArray = false;
    this.state = 'after-value';
  }

  private begin(c: number): void {
    this.state = 'capture';
    this.pieces = [];
    this.depth = 0;
    this.inString = false;
    this.escape = false;
    this.primitive = c !== 0x7b && c !== 0x5b && c !== 0x22;
  }

  /** Scans a captured value from `from`; returns where scanning stopped. */
  private capture(chunk: Buffer, from: number): number {
    let i = from;
    let ended = false;
    for (; i < chunk.length; i++) {
      const b = chunk[i]!;
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
      } else if (this.primitive) {
        if (WS[b] || b === 0x2c || b === 0x5d || b === 0x7d) {
          ended = true; // the delimiter belongs to the next state
          break;
        }
      } else if (b === 0x22) this.inString = true;
      else if (b === 0x7b || b === 0x5b) this.depth++;
      else if (b === 0x7d || b === 0x5d) {
        if (--this.depth === 0) {
          i++;
          ended = true;
          break;
        }
      }
    }
    this.pieces.push(chunk.subarray(from, i));
    if (ended) this.finish();
    return i;
  }

  private finish(): void {
    const raw = Buffer.concat(this.pieces).toString('utf8');
    this.pieces = [];
    this.events.push([this.inArray ? 'element' : 'value', this.key, raw]);
    this.state = this.inArray ? 'after-element' : 'after-value';
  }

  end(): void {
    if (this.state === 'capture' && this.primitive && !this.inString) this.finish();
    if (this.state !== 'done') this.fail('the file ends early');
  }
}

function endsWithOddBackslashes(bytes: number[]): boolean {
  let n = 0;
  for (let i = bytes.length - 1; i >= 0 && bytes[i] === 0x5c; i--) n++;
  return n % 2 === 1;
}

/** Streams `file`'s top-level members to `handlers`, awaiting each handler (so a slow writer slows the reader). */
export async function streamJsonMembers(file: string, handlers: JsonMemberHandlers, chunkSize = 1 << 20): Promise<void> {
  const scanner = new MemberScanner(file, handlers.streamKeys);
  const replay = async (): Promise<void> => {
    for (const [kind, key, raw] of scanner.events.splice(0)) {
      if (kind === 'key') await handlers.onKey(key);
      else if (kind === 'value') await handlers.onValue(key, raw);
      else if (kind === 'start') await handlers.onArrayStart(key);
      else if (kind === 'element') await handlers.onElement(key, raw);
      else await handlers.onArrayEnd(key);
    }
  };
  for await (const chunk of createReadStream(file, { highWaterMark: chunkSize })) {
    scanner.feed(chunk as Buffer);
    await replay();
  }
  scanner.end();
  await replay();
}
