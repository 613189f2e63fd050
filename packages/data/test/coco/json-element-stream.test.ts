import { describe, expect, it } from 'vitest';
import { DataFormatError } from '../../src/index';
import { JsonElementScanner } from '../../src/coco/json-element-stream';

function scan(text: string, chunk = 3) {
  const elements: [string, number, unknown][] = [];
  const values: [string, unknown][] = [];
  const s = new JsonElementScanner('t.json', {
    streamKeys: new Set(['a', 'b']),
    onElement: (k, i, v) => elements.push([k, i, v]),
    onValue: (k, v) => values.push([k, v]),
  });
  const buf = Buffer.from(text, 'utf8');
  for (let i = 0; i < buf.length; i += chunk) s.feed(buf.subarray(i, i + chunk));
  s.end();
  return { elements, values };
}

describe('JsonElementScanner', () => {
  it('streams array elements and parses other members whole, for any chunking', () => {
    const text = '{"info": {"x": [1, {"y": "]}"}]}, "a": [ {"s": "q\\"}]\\\\", "n": [1,2]}, 3 , "str,]" , true, null, -1.5e3],\n "b": [], "c": 7}';
    const expected = {
      elements: [
        ['a', 0, { s: 'q"}]\\', n: [1, 2] }],
        ['a', 1, 3],
        ['a', 2, 'str,]'],
        ['a', 3, true],
        ['a', 4, null],
        ['a', 5, -1500],
      ],
      values: [
        ['info', { x: [1, { y: ']}' }] }],
        ['c', 7],
      ],
    };
    for (const chunk of [1, 2, 5, 1000]) expect(scan(text, chunk)).toEqual(expected);
  });

  it('keeps multi-byte UTF-8 characters split across chunks intact', () => {
    const { elements } = scan('{"a": [{"name": "Ångström 猫 🐈"}]}', 1);
    expect(elements[0]![2]).toEqual({ name: 'Ångström 猫 🐈' });
  });

  it('reports the line of an error inside an element', () => {
    const text = '{\n"a": [\n{"x": 1},\n{"x":\n NaN}\n]}';
    try {
      scan(text);
      throw new Error('no error');
    } catch (e) {
      expect(e).toBeInstanceOf(DataFormatError);
      expect((e as DataFormatError).jsonPath).toBe('a[1].x');
      expect((e as Error).message).toMatch(/line 5: NaN is not valid JSON/);
    }
  });

  it.each([
    ['{"a": [1,]}', /trailing comma/],
    ['{"a": [1 2]}', /found '2' after an element/],
    ['{"a": 1,}', /a quoted key after the comma/],
    ['{"a": [1]', /ends early/],
    ['{"a": [{"b": 1}', /ends early inside a\[0\]/],
    ['   ', /empty/],
  ])('rejects %s', (text, pattern) => {
    expect(() => scan(text)).toThrow(pattern);
  });
});
