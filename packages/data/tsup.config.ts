import { defineConfig } from 'tsup';
import { packageTsupOptions } from '../../tsup.base';

// The Batcher's worker thread is its own entry: dist/batch-worker.{js,cjs} next to the bundle.
export default defineConfig(packageTsupOptions({ index: 'src/index.ts', 'batch-worker': 'src/batcher/batch-worker.ts' }));
