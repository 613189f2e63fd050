// Test helper: checks that every element in an HTML/SVG string is closed in order (a cheap well-formedness check;
// the browser test covers real rendering). HTML void elements and self-closing tags need no end tag.
import { expect } from 'vitest';

const VOID = new Set(['meta', 'link', 'br', 'hr', 'img', 'input', 'col', 'area', 'base', 'source', 'wbr']);

export function expectBalancedTags(markup: string): void {
  const stack: string[] = [];
  const body = markup.replace(/<!doctype[^>]*>/i, '').replace(/<style>[\s\S]*?<\/style>/g, '<style></style>');
  for (const match of body.matchAll(/<(\/?)([a-zA-Z][\w:-]*)((?:"[^"]*"|'[^']*'|[^'">])*)>/g)) {
    const [, closing, rawName, rest] = match as unknown as [string, string, string, string];
    const name = rawName.toLowerCase();
    if (closing) {
      const open = stack.pop();
      expect(open, `</${name}> at ${match.index} closes <${open}>`).toBe(name);
    } else if (!rest.trimEnd().endsWith('/') && !VOID.has(name)) {
      stack.push(name);
    }
  }
  expect(stack, 'unclosed elements').toEqual([]);
}
