import { packageVitestConfig } from '../../vitest.shared';

// One test that packs, installs and type-checks all packages: minutes, not the default 30 s.
export default packageVitestConfig('tools/pack-check', { testTimeout: 240_000, hookTimeout: 240_000 });
