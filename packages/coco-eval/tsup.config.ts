import { defineConfig } from 'tsup';
import { packageTsupOptions } from '../../tsup.base';

// evaluate-worker is the worker-thread script of evaluateCoco, loaded from next to index/cli at run time.
export default defineConfig(
  packageTsupOptions({ index: 'src/index.ts', cli: 'src/cli.ts', 'evaluate-worker': 'src/fast/evaluate-worker.ts' }),
);
