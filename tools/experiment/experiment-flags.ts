// The command line of `npm run experiment` (tools/experiment/run-experiment.ts).
import { DATASETS, DEFAULT_STEPS, SMOKE, type DatasetName } from './experiment-plan';

export const USAGE = `usage: npm run experiment -- [flags]

  --smoke              end-to-end check: ${SMOKE.seeds} seed, ${SMOKE.steps} steps, ${SMOKE.syntheticTrain}/${SMOKE.syntheticVal} synthetic and ${SMOKE.cocoTrain}/${SMOKE.cocoVal} coco128 images (folder runs/experiment-smoke)
  --only NAME          one dataset: ${DATASETS.join(' | ')}
  --seeds N            seeds 1..N (default 3)
  --steps N            training steps per run, every dataset (default: ${Object.entries(DEFAULT_STEPS).map(([d, n]) => `${d} ${n}`).join(', ')})
  --data-root DIR      folder holding coco128-seg/, with weights/mobilenet_v2_imagenet/ beside it
                       (default ../shared/data beside the repository)
  --out DIR            experiment folder (default runs/experiment, or runs/experiment-smoke with --smoke)
  --results FILE       results file (default docs/results.md)
  --copy-reports       copy each run's report.html next to the results file (results/<run>.html) and link the
                       copies (~0.1-1.4 MB each); default: link the report inside the (git-ignored) run folder
  --report-only        only rewrite the results file from the finished runs
  --compare-with DIR   another experiment folder (e.g. one seed rerun with --out runs/rerun): every run finished in
                       both is compared (COCO stats, loss curve) in a Reproducibility section
  --help               this text`;

export interface Flags {
  smoke: boolean;
  only: DatasetName | null;
  seeds: number | null;
  steps: number | null;
  out: string | null;
  results: string;
  reportOnly: boolean;
  copyReports: boolean;
  compareWith: string | null;
  dataRoot: string | null;
  help: boolean;
}

/** Parses the command line; a bad flag or value throws an error naming it. */
export function parseFlags(argv: string[]): Flags {
  const flags: Flags = { smoke: false, only: null, seeds: null, steps: null, out: null, results: 'docs/results.md', reportOnly: false, copyReports: false, compareWith: null, dataRoot: null, help: false };
  const positiveInt = (name: string, v: string | undefined) => {
    const n = Number(v);
    if (v == null || !Number.isInteger(n) || n < 1) throw new Error(`${name}: expected an integer >= 1, got ${JSON.stringify(v ?? null)}`);
    return n;
  };
  const value = (name: string, v: string | undefined) => {
    if (v == null || v.startsWith('--')) throw new Error(`${name}: expected a value`);
    return v;
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [name, inline] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const next = () => inline ?? argv[++i];
    switch (name) {
      case '--smoke':
        flags.smoke = true;
        break;
      case '--copy-reports':
        flags.copyReports = true;
        break;
      case '--report-only':
        flags.reportOnly = true;
        break;
      case '--only': {
        const v = value(name, next());
        if (!(DATASETS as readonly string[]).includes(v)) throw new Error(`--only: expected one of ${DATASETS.join(', ')}, got ${JSON.stringify(v)}`);
        flags.only = v as DatasetName;
        break;
      }
      case '--seeds':
        flags.seeds = positiveInt(name, next());
        break;
      case '--steps':
        flags.steps = positiveInt(name, next());
        break;
      case '--out':
        flags.out = value(name, next());
        break;
      case '--compare-with':
        flags.compareWith = value(name, next());
        break;
      case '--data-root':
        flags.dataRoot = value(name, next());
        break;
      case '--results':
        flags.results = value(name, next());
        break;
      case '--help':
      case '-h':
        flags.help = true;
        break;
      default:
        throw new Error(`unknown flag ${JSON.stringify(arg)}\n${USAGE}`);
    }
  }
  return flags;
}

