// Optional parity report: with env BOXTEACHER_PARITY_REPORT=<file>, every comparison appends its worst relative
// error as one JSON line (used to write the tolerances reached into the lead's report). No effect otherwise.
import { appendFileSync } from 'node:fs';

export function record(unit: string, backend: string, kind: 'value' | 'grad', caseName: string, relError: number): void {
  const file = process.env.BOXTEACHER_PARITY_REPORT;
  if (file) appendFileSync(file, `${JSON.stringify({ unit, backend, kind, case: caseName, relError })}\n`);
}
