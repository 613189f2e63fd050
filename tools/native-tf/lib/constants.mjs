// Versions, names and cache locations shared by every step of `npm run setup:native`.
// The binding must match the @tensorflow/tfjs that `npm ci` installs (one tfjs-core engine, spec/runtime.md).
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const TFJS_NODE_PACKAGE = '@tensorflow/tfjs-node';
export const TFJS_NODE_VERSION = '4.22.0';

/** What `pip download` asks for when no wheel is given (served by this project's machines' local index). */
export const DEFAULT_WHEEL_SPEC = 'tensorflow-cpu==2.21.0';

/** The libtensorflow release tfjs-node 4.22.0's own install script downloads (scripts/deps-constants.js). */
export const OFFICIAL_LIBTENSORFLOW_VERSION = '2.9.1';

/** Seconds to wait for the official binary host before falling back to a wheel. */
export const PROBE_TIMEOUT_MS = 3000;

/** Written into the linked package so that setup can tell its own install from one npm made. */
export const LINK_MARKER = '.boxteacher-native.json';

export const TOOL_DIR = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
export const REPO_ROOT = path.resolve(TOOL_DIR, '..', '..');

/**
 * Cache root: env BOXTEACHER_NATIVE_CACHE, else $XDG_CACHE_HOME/boxteacher/native-tf (~/.cache/...). Outside the
 * checkout on purpose: fresh clones, `git clean -fdx` and `npm ci` on the same machine all reuse one build.
 */
export function cacheDir() {
  const xdg = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.resolve(process.env.BOXTEACHER_NATIVE_CACHE || path.join(xdg, 'boxteacher', 'native-tf'));
}

/** The N-API version the binding is built for: node-pre-gyp picks the highest the package lists that Node has. */
export function napiVersion() {
  return Math.min(8, Number(process.versions.napi));
}

/** Part of every build key: a binding only runs on the platform, CPU and N-API version it was built for. */
export function platformTag() {
  return `napi${napiVersion()}-${os.platform()}-${os.arch()}`;
}
