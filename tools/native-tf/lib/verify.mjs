// Checks a linked install in a separate Node process (a broken libtensorflow can abort the process that loads it).
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const CHILD = path.join(path.dirname(fileURLToPath(import.meta.url)), 'verify-child.cjs');

/**
 * `{ok, backend, tensorflowVersion, sameTfjs, sameTfjsCore, convMaxRelError, error?}` for the install in `root`.
 */
export function verifyInstall(root) {
  const result = spawnSync(process.execPath, [CHILD, root], {
    cwd: root,
    encoding: 'utf8',
    // TF_CPP_MIN_LOG_LEVEL=2 keeps TensorFlow's start-up notices (oneDNN, CPU features) out of the setup log.
    env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: process.env.TF_CPP_MIN_LOG_LEVEL ?? '2' },
    timeout: 120_000,
  });
  const line = (result.stdout ?? '').trim().split('\n').pop();
  try {
    return JSON.parse(line);
  } catch {
    const tail = `${result.stdout ?? ''}${result.stderr ?? ''}`.trim().split('\n').slice(-5).join(' | ');
    const why = result.signal ? `killed by ${result.signal}` : `exit code ${result.status}`;
    return { ok: false, error: `the check process failed (${why}): ${tail}` };
  }
}

/** One line describing a verification result. */
export function describeVerification(v) {
  if (v.error) return `load failed: ${v.error}`;
  return (
    `backend ${v.backend}, TensorFlow ${v.tensorflowVersion}, one tfjs-core: ${v.sameTfjs && v.sameTfjsCore ? 'yes' : 'NO'}, ` +
    `conv2d gradient vs cpu: ${v.convMaxRelError?.toExponential(1)} max relative error`
  );
}
