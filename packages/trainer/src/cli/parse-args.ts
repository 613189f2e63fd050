// A small, strict command-line parser: `--name value`, `--name=value` and boolean `--flag`. Unknown flags,
// missing values and bad numbers are UsageErrors (exit code 2) that name the flag.

export class UsageError extends Error {
  readonly code = 'USAGE';
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export type FlagKind = 'string' | 'int' | 'number' | 'boolean';

export interface FlagSpec {
  kind: FlagKind;
  description: string;
  required?: boolean;
  choices?: readonly string[];
}

export type ParsedFlags = Record<string, string | number | boolean | undefined>;

export function parseFlags(argv: readonly string[], specs: Record<string, FlagSpec>): ParsedFlags {
  const out: ParsedFlags = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('--')) throw new UsageError(`unexpected argument ${JSON.stringify(arg)}; flags start with --`);
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq >= 0 ? eq : undefined);
    const spec = specs[name];
    if (spec == null) {
      throw new UsageError(`unknown flag --${name}; valid flags: ${Object.keys(specs).map((k) => `--${k}`).join(', ')}`);
    }
    if (spec.kind === 'boolean') {
      if (eq >= 0) {
        const v = arg.slice(eq + 1);
        if (!['true', 'false', '1', '0'].includes(v)) throw new UsageError(`--${name} takes no value or true/false, got ${JSON.stringify(v)}`);
        out[name] = v === 'true' || v === '1';
      } else out[name] = true;
      continue;
    }
    const raw = eq >= 0 ? arg.slice(eq + 1) : argv[++i];
    if (raw == null || (eq < 0 && raw.startsWith('--'))) throw new UsageError(`--${name} needs a value (${spec.description})`);
    if (spec.kind === 'int' || spec.kind === 'number') {
      const n = Number(raw);
      if (raw.trim() === '' || !Number.isFinite(n) || (spec.kind === 'int' && !Number.isInteger(n))) {
        throw new UsageError(`--${name} expects ${spec.kind === 'int' ? 'an integer' : 'a number'}, got ${JSON.stringify(raw)}`);
      }
      out[name] = n;
    } else {
      if (spec.choices && !spec.choices.includes(raw)) {
        throw new UsageError(`--${name} must be one of ${spec.choices.join(', ')}, got ${JSON.stringify(raw)}`);
      }
      out[name] = raw;
    }
  }
  for (const [name, spec] of Object.entries(specs)) {
    if (spec.required && out[name] === undefined) throw new UsageError(`--${name} is required (${spec.description})`);
  }
  return out;
}

/** Help text for one command. */
export function formatFlagHelp(specs: Record<string, FlagSpec>): string {
  return Object.entries(specs)
    .map(([name, s]) => `  --${name}${s.kind === 'boolean' ? '' : ` <${s.choices ? s.choices.join('|') : s.kind}>`}${s.required ? ' (required)' : ''}\n      ${s.description}`)
    .join('\n');
}
