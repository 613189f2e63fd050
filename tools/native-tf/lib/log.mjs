// Progress lines for `npm run setup:native`: one line per phase with its elapsed time, and a boxed failure
// message that CI logs cannot miss.
import { spawnSync } from 'node:child_process';

const started = Date.now();

function stamp() {
  return `${((Date.now() - started) / 1000).toFixed(1).padStart(5)} s`;
}

/** Starts a phase: `[native-tf   3.2 s] wheel: ...`. */
export function phase(name, detail) {
  process.stderr.write(`[native-tf ${stamp()}] ${name}: ${detail}\n`);
}

/** A detail line inside the current phase. */
export function info(detail) {
  process.stderr.write(`[native-tf ${stamp()}]   ${detail}\n`);
}

export function totalSeconds() {
  return (Date.now() - started) / 1000;
}

/** Prints a framed multi-line message (failures, hints). */
export function banner(lines) {
  const width = Math.min(110, Math.max(...lines.map((l) => l.length)) + 4);
  const rule = '='.repeat(width);
  process.stderr.write(`\n${rule}\n${lines.map((l) => `  ${l}`).join('\n')}\n${rule}\n\n`);
}

/** An error whose message is meant for the user as is (no stack). `hints` are printed after it. */
export class SetupError extends Error {
  constructor(message, hints = []) {
    super(message);
    this.name = 'SetupError';
    this.hints = hints;
  }
}

/**
 * Runs a command, streaming nothing unless `verbose`; on failure throws a SetupError with the output's tail.
 * Returns stdout.
 */
export function run(command, args, { cwd, env, verbose = false, what } = {}) {
  const result = spawnSync(command, args, {
    cwd,
    env: env ?? process.env,
    encoding: 'utf8',
    stdio: verbose ? ['ignore', 'inherit', 'inherit'] : ['ignore', 'pipe', 'pipe'],
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.error || result.status !== 0) {
    const output = `${result.stdout ?? ''}${result.stderr ?? ''}`.trim().split('\n').slice(-25).join('\n');
    const why = result.error ? result.error.message : `exit code ${result.status}`;
    throw new SetupError(`${what ?? `${command} ${args.join(' ')}`} failed (${why})${output ? `:\n${output}` : ''}`);
  }
  return result.stdout ?? '';
}

/** True when `command --version` runs. */
export function hasCommand(command) {
  const result = spawnSync(command, ['--version'], { stdio: 'ignore' });
  return !result.error && result.status === 0;
}
