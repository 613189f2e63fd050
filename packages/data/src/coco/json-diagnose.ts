// Pinpoints a JSON syntax error. The fast path parses each COCO element with JSON.parse; only when that fails does
// this small recursive-descent parser re-read the element to say *where* (JSON path and line) and *what*, with a
// dedicated message for NaN/Infinity, which Python's json module writes but JSON forbids.

export interface JsonSyntaxProblem {
  /** JSON path relative to the parsed text, e.g. `.bbox[2]` ('' = the value itself). */
  path: string;
  /** 0-based line offset inside the text. */
  line: number;
  message: string;
  expected: string;
}

class Fail extends Error {
  constructor(
    readonly at: number,
    readonly path: string,
    readonly problem: string,
    readonly expected: string,
  ) {
    super(problem);
  }
}

/** Finds the first syntax error in `text`; returns null if the text is valid JSON. */
export function diagnoseJson(text: string): JsonSyntaxProblem | null {
  let i = 0;
  const ws = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++;
  };
  const describe = (at: number) => (at >= text.length ? 'the end of the text' : `${JSON.stringify(text.slice(at, at + 12))}`);
  const value = (path: string): void => {
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      ws();
      if (text[i] === '}') {
        i++;
        return;
      }
      for (;;) {
        ws();
        if (text[i] !== '"') throw new Fail(i, path, `found ${describe(i)}`, 'a quoted key');
        const keyStart = i;
        string(path);
        const key = JSON.parse(text.slice(keyStart, i)) as string;
        ws();
        if (text[i] !== ':') throw new Fail(i, `${path}.${key}`, `found ${describe(i)} after the key`, "':'");
        i++;
        value(`${path}.${key}`);
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === '}') {
          i++;
          return;
        }
        throw new Fail(i, `${path}.${key}`, `found ${describe(i)} after the value`, "',' or '}'");
      }
    }
    if (c === '[') {
      i++;
      ws();
      if (text[i] === ']') {
        i++;
        return;
      }
      for (let n = 0; ; n++) {
        value(`${path}[${n}]`);
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === ']') {
          i++;
          return;
        }
        throw new Fail(i, `${path}[${n}]`, `found ${describe(i)} after an array element`, "',' or ']'");
      }
    }
    if (c === '"') return string(path);
    const m = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
    if (m && m[0].length > 0) {
      i += m[0].length;
      return;
    }
    for (const lit of ['true', 'false', 'null']) {
      if (text.startsWith(lit, i)) {
        i += lit.length;
        return;
      }
    }
    for (const bad of ['NaN', 'Infinity', '-Infinity']) {
      if (text.startsWith(bad, i)) {
        throw new Fail(i, path, `${bad} is not valid JSON (Python's json module writes it for a non-finite float)`, 'a finite number');
      }
    }
    throw new Fail(i, path, `found ${describe(i)}`, 'a JSON value');
  };
  const string = (path: string): void => {
    i++; // opening quote
    while (i < text.length) {
      const ch = text.charCodeAt(i);
      if (ch === 0x22) {
        i++;
        return;
      }
      if (ch === 0x5c) {
        const e = text[i + 1];
        if (e === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) throw new Fail(i, path, 'bad \\u escape in a string', 'four hex digits');
          i += 6;
        } else if (e !== undefined && '"\\/bfnrt'.includes(e)) i += 2;
        else throw new Fail(i, path, `bad escape ${describe(i)} in a string`, 'one of \\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX');
        continue;
      }
      if (ch < 0x20) throw new Fail(i, path, 'raw control character inside a string', 'it escaped (e.g. \\n)');
      i++;
    }
    throw new Fail(i, path, 'the text ends inside a string', 'a closing quote');
  };
  try {
    value('');
    ws();
    if (i < text.length) throw new Fail(i, '', `found ${describe(i)} after the value`, 'nothing more');
    return null;
  } catch (e) {
    if (!(e instanceof Fail)) throw e;
    let line = 0;
    for (let k = 0; k < e.at && k < text.length; k++) if (text.charCodeAt(k) === 10) line++;
    return { path: e.path, line, message: e.problem, expected: e.expected };
  }
}
