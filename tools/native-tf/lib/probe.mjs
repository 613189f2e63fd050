// Is tfjs-node's normal install possible? Its install script downloads libtensorflow from Google storage (or from
// TFJS_NODE_BASE_URI / CDN_STORAGE); on machines that cannot reach it, the install fails only after a long wait.
// One HEAD request with a short timeout decides which way setup goes.
import os from 'node:os';
import { OFFICIAL_LIBTENSORFLOW_VERSION, PROBE_TIMEOUT_MS } from './constants.mjs';

/** The URL tfjs-node's scripts/install.js would download for a CPU build on this platform. */
export function officialLibtensorflowUrl() {
  const env = process.env;
  const host = env.TFJS_NODE_CDN_STORAGE || env.npm_config_TFJS_NODE_CDN_STORAGE || env.CDN_STORAGE || 'https://storage.googleapis.com/';
  const base = env.TFJS_NODE_BASE_URI || env.npm_config_TFJS_NODE_BASE_URI || `${host}tensorflow/libtensorflow/libtensorflow-`;
  const platform = { linux: 'linux', darwin: 'darwin', win32: 'windows' }[os.platform()] ?? os.platform();
  const arch = { x64: 'x86_64', arm64: 'arm64' }[os.arch()] ?? os.arch();
  const ext = os.platform() === 'win32' ? 'zip' : 'tar.gz';
  return `${base}cpu-${platform}-${arch}-${OFFICIAL_LIBTENSORFLOW_VERSION}.${ext}`;
}

/** `{ok, url, why}`: whether the libtensorflow archive answers a HEAD request within the timeout. */
export async function probeOfficialHost(timeoutMs = PROBE_TIMEOUT_MS) {
  const url = officialLibtensorflowUrl();
  try {
    const response = await fetch(url, { method: 'HEAD', redirect: 'follow', signal: AbortSignal.timeout(timeoutMs) });
    if (response.ok) return { ok: true, url, why: `HTTP ${response.status}` };
    return { ok: false, url, why: `HTTP ${response.status}` };
  } catch (error) {
    const cause = error?.cause?.code ?? error?.cause?.message ?? error?.name ?? 'error';
    const why = error?.name === 'TimeoutError' ? `no answer within ${timeoutMs / 1000} s` : String(cause);
    return { ok: false, url, why };
  }
}
