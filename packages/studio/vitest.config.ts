import { packageVitestConfig } from '../../vitest.shared';

// The browser tests train a small model, start `boxteacher studio` and drive chromium: minutes, not seconds.
export default packageVitestConfig('@boxteacher/studio', { testTimeout: 240_000, hookTimeout: 600_000 });
