import { packageVitestConfig } from '../../vitest.shared';

export default packageVitestConfig('@boxteacher/core');
