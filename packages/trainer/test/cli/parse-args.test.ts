import { describe, expect, it } from 'vitest';
import { parseFlags, UsageError, type FlagSpec } from '../../src/cli/parse-args';

const SPECS: Record<string, FlagSpec> = {
  out: { kind: 'string', description: 'output folder' },
  'max-iter': { kind: 'int', description: 'iterations' },
  resume: { kind: 'boolean', description: 'resume' },
  method: { kind: 'string', description: 'method', choices: ['boxteacher', 'boxinst'] },
  coco: { kind: 'string', description: 'COCO file', required: true },
};

describe('parseFlags', () => {
  it('parses values, = forms and booleans', () => {
    expect(parseFlags(['--coco', 'a.json', '--max-iter=20', '--resume', '--out', 'x'], SPECS)).toEqual({
      coco: 'a.json', 'max-iter': 20, resume: true, out: 'x',
    });
  });

  it('rejects unknown flags, bad numbers, bad choices and missing values with a UsageError', () => {
    expect(() => parseFlags(['--coco', 'a', '--nope'], SPECS)).toThrow(/unknown flag --nope; valid flags: --out/);
    expect(() => parseFlags(['--coco', 'a', '--max-iter', '1.5'], SPECS)).toThrow(/--max-iter expects an integer, got "1.5"/);
    expect(() => parseFlags(['--coco', 'a', '--method', 'x'], SPECS)).toThrow(/--method must be one of boxteacher, boxinst/);
    expect(() => parseFlags(['--coco'], SPECS)).toThrow(/--coco needs a value/);
    expect(() => parseFlags([], SPECS)).toThrow(UsageError);
    expect(() => parseFlags(['stray'], SPECS)).toThrow(/unexpected argument "stray"/);
  });
});
