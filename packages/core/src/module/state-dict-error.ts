// The error a strict loadStateDict throws: it names every missing, unexpected and mis-shaped key, grouped.
import type { LoadStateDictReport } from './module';

function list(keys: string[], limit = 20): string {
  const shown = keys.slice(0, limit).join(', ');
  return keys.length > limit ? `${shown}, … (${keys.length - limit} more)` : shown;
}

export class StateDictError extends Error {
  readonly code = 'STATE_DICT_MISMATCH';
  readonly report: LoadStateDictReport;
  constructor(report: LoadStateDictReport, context = 'state dict') {
    const parts: string[] = [];
    if (report.missing.length > 0) parts.push(`missing keys (${report.missing.length}): ${list(report.missing)}`);
    if (report.unexpected.length > 0) parts.push(`unexpected keys (${report.unexpected.length}): ${list(report.unexpected)}`);
    if (report.mismatched.length > 0) {
      const shapes = report.mismatched.map((m) => `${m.key} expected [${m.expected}] got [${m.got}]`);
      parts.push(`mis-shaped keys (${shapes.length}): ${list(shapes)}`);
    }
    super(`Cannot load ${context}: ${parts.join('; ')}`);
    this.name = 'StateDictError';
    this.report = report;
  }
}
