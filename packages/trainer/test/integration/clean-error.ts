// The bad-input tests' shared check: a failing `boxteacher` run exits with the documented code and says what is
// wrong in one to four lines, naming the command once, with no stack trace and no raw Node error.
import { expect } from 'vitest';
import { runCli } from './cli-runner';

/** stderr without the lines every run prints (backend choice, TensorFlow's own start-up log). */
export function messageLines(stderr: string): string[] {
  return stderr.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('[boxteacher] backend') && !/^(WARNING: All log|I0000|W0000)/.test(l));
}

/** Runs the CLI on the cpu backend and checks its error: exit `code`, 1–4 lines matching `pattern`. */
export async function expectCleanError(args: string[], code: 1 | 2, pattern: RegExp): Promise<void> {
  const result = await runCli(args, { BOXTEACHER_BACKEND: 'cpu' });
  const lines = messageLines(result.stderr);
  expect(result.code, result.stderr).toBe(code);
  expect(lines.length, result.stderr).toBeGreaterThanOrEqual(1);
  expect(lines.length, result.stderr).toBeLessThanOrEqual(4);
  expect(lines.join('\n')).toMatch(pattern);
  expect(result.stderr).not.toMatch(/^\s+at /m); // no stack trace
  expect(result.stderr).not.toMatch(/ENOENT|Unexpected token|SyntaxError/);
  // The command is named once: "boxteacher train: …", never "boxteacher train: boxteacher train: …".
  expect(lines[0]).toMatch(/^boxteacher [a-z]+: /);
  expect(lines[0]).not.toMatch(/^boxteacher [a-z]+: boxteacher/);
}
