// Getting a TensorFlow wheel: a path the user gives (--wheel / env BOXTEACHER_TF_WHEEL), or `pip download
// --no-deps` from whatever index pip is configured with. Builds are cached by the wheel's SHA-256.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { DEFAULT_WHEEL_SPEC, TOOL_DIR, cacheDir } from './constants.mjs';
import { SetupError, hasCommand, run } from './log.mjs';

/** The Python that runs pip and the extractor: env BOXTEACHER_PYTHON, else python3. */
export function pythonCommand() {
  return process.env.BOXTEACHER_PYTHON || 'python3';
}

/** The requirement pip downloads: env BOXTEACHER_TF_WHEEL_SPEC, else tensorflow-cpu==2.21.0. */
export function wheelSpec() {
  return process.env.BOXTEACHER_TF_WHEEL_SPEC || DEFAULT_WHEEL_SPEC;
}

/** Validates a user-given wheel path; returns it absolute. */
export function userWheel(file) {
  const absolute = path.resolve(file);
  if (!fs.existsSync(absolute) || !fs.statSync(absolute).isFile()) {
    throw new SetupError(`The TensorFlow wheel ${absolute} (from --wheel or BOXTEACHER_TF_WHEEL) does not exist.`);
  }
  if (!absolute.endsWith('.whl')) {
    throw new SetupError(`${absolute} (from --wheel or BOXTEACHER_TF_WHEEL) is not a .whl file.`);
  }
  return absolute;
}

/** Runs `pip download --no-deps <spec>` into the cache and returns the wheel's path. */
export function pipDownload(spec = wheelSpec()) {
  const python = pythonCommand();
  if (!hasCommand(python)) {
    throw new SetupError(`${python} was not found, so no TensorFlow wheel can be downloaded.`, [
      'Install Python 3 with pip, or pass a wheel you already have: --wheel path/to/tensorflow_cpu-*.whl',
    ]);
  }
  const dir = path.join(cacheDir(), 'wheels');
  fs.mkdirSync(dir, { recursive: true });
  let output;
  try {
    output = run(
      python,
      ['-m', 'pip', 'download', '--no-deps', '--only-binary=:all:', '--progress-bar', 'off', '--dest', dir, spec],
      { what: `${python} -m pip download --no-deps ${spec}` },
    );
  } catch (error) {
    // pip's retry warnings bury the one line that matters; keep its ERROR lines and the indexes it looked in.
    const lines = error.message.split('\n');
    const kept = lines.filter((l, i) => i === 0 || /^(ERROR|Looking in)|No module named/.test(l));
    throw new SetupError(kept.join('\n'), [
      `Check that \`${python} -m pip download --no-deps ${spec}\` works (pip's index: \`${python} -m pip config list\`),`,
      'or set BOXTEACHER_TF_WHEEL_SPEC to a TensorFlow 2.x wheel your index has, or pass --wheel FILE.',
    ]);
  }
  // pip reports "Saved <path>" for a fresh download and "File was already downloaded <path>" otherwise.
  const match = /(?:Saved|File was already downloaded)\s+(\S+\.whl)/.exec(output);
  if (match) return path.resolve(dir, match[1]);
  throw new SetupError(`pip download ${spec} succeeded but its output names no wheel:\n${output.trim().slice(-800)}`);
}

/** SHA-256 of a file, hex, streamed (the CPU wheel is ~274 MB). */
export async function sha256(file) {
  const hash = crypto.createHash('sha256');
  for await (const chunk of fs.createReadStream(file, { highWaterMark: 8 * 1024 * 1024 })) hash.update(chunk);
  return hash.digest('hex');
}

/**
 * Lays out the wheel's libtensorflow under `depsDir` (lib/ + include/, see extract-libtensorflow.py).
 * `extraHeaders`: include paths the binding's sources use. Returns the extractor's JSON summary.
 */
export function extractLibtensorflow(wheel, depsDir, extraHeaders) {
  const script = path.join(TOOL_DIR, 'extract-libtensorflow.py');
  const output = run(pythonCommand(), [script, wheel, depsDir, ...extraHeaders], {
    what: `extracting libtensorflow from ${path.basename(wheel)}`,
  });
  return JSON.parse(output.trim().split('\n').pop());
}
