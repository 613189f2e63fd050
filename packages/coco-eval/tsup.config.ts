import { defineConfig } from 'tsup';
import { packageTsupOptions } from '../../tsup.base';

export default defineConfig(packageTsupOptions({ index: 'src/index.ts', cli: 'src/cli.ts' }));
