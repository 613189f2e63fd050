#!/usr/bin/env node
// `npm run setup:native`: makes the native TensorFlow backend (@tensorflow/tfjs-node 4.22.0, backend name
// `tensorflow`) available to @boxteacher/core's initBackend() without touching package.json, package-lock.json or
// anything `npm ci` installs. See README.md here for the two ways it works and spec/runtime.md ("The native
// backend without the download") for the facts it relies on.
//
//   1. tfjs-node's normal install (libtensorflow 2.9.1 + prebuilt binding from Google storage), when that host
//      answers within 3 s;
//   2. otherwise libtensorflow from a TensorFlow wheel (--wheel FILE, env BOXTEACHER_TF_WHEEL, or `pip download
//      --no-deps tensorflow-cpu==2.21.0`) and the binding compiled from source against the local Node headers.
//
// Everything is built in the cache (~/.cache/boxteacher/native-tf or env BOXTEACHER_NATIVE_CACHE), keyed by the
// wheel's SHA-256, then linked into node_modules/@tensorflow/tfjs-node; after `npm ci` wipes node_modules, a re-run
// only re-links (about a second). Exit code 0: the backend loads and passed the check; 1: it is not available (the
// message says why and what to install).
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_WHEEL_SPEC, REPO_ROOT, TFJS_NODE_PACKAGE, TFJS_NODE_VERSION, cacheDir } from './lib/constants.mjs';
import { buildFromWheel, buildOfficial, buildDir, readBuild } from './lib/build.mjs';
import { checkRootInstall, currentInstall, link, linkIntact, linkedPath, unlink } from './lib/link.mjs';
import { SetupError, banner, info, phase, totalSeconds } from './lib/log.mjs';
import { probeOfficialHost } from './lib/probe.mjs';
import { ensureRuntimeDeps, fetchTarball } from './lib/tfjs-node-package.mjs';
import { describeVerification, verifyInstall } from './lib/verify.mjs';
import { pipDownload, sha256, userWheel, wheelSpec } from './lib/wheel.mjs';

const USAGE = `Usage: node tools/native-tf/setup.mjs [options]   (npm run setup:native -- [options])
  --wheel FILE     build against this TensorFlow wheel (also env BOXTEACHER_TF_WHEEL); skips the download probe
  --source WAY     auto (default: normal install if its host answers, else a wheel), official, or wheel
  --force          rebuild even when a cached build exists, and replace an npm-installed tfjs-node
  --check          only report whether the native backend is installed and loads (exit 0 when it does)
  --remove         remove what setup linked into node_modules (the cache stays)
  --status         print one word without loading TensorFlow: 'linked:<build key>', 'npm' or 'none' (fast; usable
                   as an nx runtime input so that test caches tell the native and wasm runs apart)
  --root DIR       the npm project to set up (default: this repository)
Env: BOXTEACHER_TF_WHEEL_SPEC (pip requirement, default tensorflow-cpu==2.21.0), BOXTEACHER_PYTHON (default
python3), BOXTEACHER_NATIVE_CACHE (cache folder), TFJS_NODE_BASE_URI / CDN_STORAGE (tfjs-node's own mirrors).`;

const TOTAL = 5;
const step = (n, name) => `[${n}/${TOTAL}] ${name}`;

function parseOptions() {
  const { values } = parseArgs({
    options: {
      wheel: { type: 'string' },
      source: { type: 'string', default: 'auto' },
      force: { type: 'boolean', default: false },
      check: { type: 'boolean', default: false },
      remove: { type: 'boolean', default: false },
      status: { type: 'boolean', default: false },
      root: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (!['auto', 'official', 'wheel'].includes(values.source)) {
    throw new SetupError(`--source must be auto, official or wheel, got ${JSON.stringify(values.source)}.`);
  }
  const wheel = values.wheel ?? (process.env.BOXTEACHER_TF_WHEEL || undefined);
  return { ...values, wheel, root: path.resolve(values.root ?? REPO_ROOT) };
}

// ---- state: which build the last successful run linked, so a warm run needs no pip, npm or network ----

function statePath() {
  return path.join(cacheDir(), 'state.json');
}

function requestId(options) {
  if (options.wheel) {
    const wheel = userWheel(options.wheel);
    const stat = fs.statSync(wheel);
    return `file:${wheel}:${stat.size}:${stat.mtimeMs}`;
  }
  return `${options.source}:${wheelSpec()}`;
}

function readState() {
  try {
    return JSON.parse(fs.readFileSync(statePath(), 'utf8'));
  } catch {
    return {};
  }
}

function writeState(request, key) {
  const state = readState();
  state[request] = key;
  fs.mkdirSync(cacheDir(), { recursive: true });
  fs.writeFileSync(statePath(), `${JSON.stringify(state, null, 2)}\n`);
}

// ---- the ways to a build ----

async function wheelBuild(options, shared) {
  let wheel;
  if (options.wheel) {
    wheel = userWheel(options.wheel);
    info(`wheel given: ${wheel}`);
  } else {
    const size = wheelSpec() === DEFAULT_WHEEL_SPEC ? ' (about 274 MB on Linux x86_64)' : '';
    info(`pip download --no-deps ${wheelSpec()}${size}`);
    wheel = pipDownload();
    info(`wheel: ${path.relative(process.cwd(), wheel)}`);
  }
  const sha = await sha256(wheel);
  info(`sha256 ${sha}`);
  phase(step(4, 'build'), 'binding against the wheel\'s libtensorflow (about a minute on 2 cores when not cached)');
  return buildFromWheel({ wheel, sha, ...shared });
}

async function coldBuild(options) {
  phase(step(2, 'package'), `${TFJS_NODE_PACKAGE}@${TFJS_NODE_VERSION} without its install script, and its runtime dependencies`);
  const tarball = fetchTarball();
  const shared = { tarball, runtimeModules: ensureRuntimeDeps(tarball), force: options.force };

  phase(step(3, 'libtensorflow'), options.wheel ? 'from the given wheel' : 'choosing a source');
  const reasons = [];
  if (!options.wheel && options.source !== 'wheel') {
    const probe = await probeOfficialHost();
    info(`tfjs-node's binary host ${probe.ok ? 'answers' : 'is unreachable'} (${probe.why}): ${probe.url}`);
    if (probe.ok) {
      phase(step(4, 'build'), "tfjs-node's normal install (download libtensorflow 2.9.1 and the binding)");
      try {
        return buildOfficial(shared);
      } catch (error) {
        if (!(error instanceof SetupError) || options.source === 'official') throw error;
        // The first line names the step; a network or compiler error line, if any, says why.
        const lines = error.message.split('\n');
        const why = lines.find((l) => /ENOTFOUND|EAI_AGAIN|ECONN|ETIMEDOUT|reason:|error:/i.test(l));
        reasons.push(`normal install failed: ${lines[0]}${why ? ` ${why.trim()}` : ''}`);
        info(`${reasons.at(-1)}; falling back to a TensorFlow wheel`);
      }
    } else {
      if (options.source === 'official') throw new SetupError(`tfjs-node's binary host is unreachable (${probe.why}): ${probe.url}`);
      reasons.push(`normal install not possible: binary host unreachable (${probe.why})`);
    }
  }
  try {
    return await wheelBuild(options, shared);
  } catch (error) {
    if (error instanceof SetupError) error.message = [...reasons, `wheel route failed: ${error.message}`].join('\n');
    throw error;
  }
}

// ---- commands ----

function check(root) {
  const current = currentInstall(root);
  if (current.kind === 'none') {
    console.log(`${TFJS_NODE_PACKAGE} is not installed in ${root}/node_modules: run \`npm run setup:native\`.`);
    return 1;
  }
  const verification = verifyInstall(root);
  console.log(`${TFJS_NODE_PACKAGE} (${current.kind === 'npm' ? 'installed by npm' : `linked from ${current.key}`}): ${describeVerification(verification)}`);
  return verification.ok ? 0 : 1;
}

async function setup(options) {
  const { root } = options;
  phase(step(1, 'check'), `${root}/node_modules`);
  checkRootInstall(root);

  const current = currentInstall(root);
  if (current.kind === 'npm' && !options.force) {
    const verification = verifyInstall(root);
    if (verification.ok) {
      info(`${TFJS_NODE_PACKAGE} was installed by npm and works (${describeVerification(verification)}); nothing to do`);
      return 0;
    }
    throw new SetupError(`${TFJS_NODE_PACKAGE} was installed by npm but does not work: ${describeVerification(verification)}`, [
      'Re-run with --force to replace it with a build from a TensorFlow wheel.',
    ]);
  }

  const request = requestId(options);
  const remembered = options.force ? undefined : readState()[request];
  let build = remembered ? readBuild(remembered) : null;
  if (build && current.kind === 'linked' && current.key === build.key && linkIntact(root)) {
    info(`already linked (${build.key})`);
  } else {
    if (build) info(`cached build ${build.key} (built ${build.builtAt}); skipping download and compile`);
    else {
      build = await coldBuild(options);
      writeState(request, build.key);
    }
    phase(step(5, 'link'), `${path.relative(root, linkedPath(root))} -> ${path.relative(root, buildDir(build.key))}`);
    link(root, build.key, path.join(buildDir(build.key), 'package'));
  }

  info('checking that it loads (separate process)');
  const verification = verifyInstall(root);
  if (!verification.ok) {
    unlink(root);
    throw new SetupError(`The native backend was built but failed its check, so it was removed again: ${describeVerification(verification)}`, [
      `Cached build: ${buildDir(build.key)} (delete it, or use --force, to rebuild).`,
    ]);
  }
  info(describeVerification(verification));
  console.log(
    `[native-tf] ready in ${totalSeconds().toFixed(1)} s: ${TFJS_NODE_PACKAGE}@${TFJS_NODE_VERSION} on ${build.tensorflow}. ` +
      "initBackend() now picks 'tensorflow' (force it with BOXTEACHER_BACKEND=tensorflow).",
  );
  return 0;
}

async function main() {
  let options;
  try {
    options = parseOptions();
  } catch (error) {
    console.error(`${error.message}\n\n${USAGE}`);
    return 1;
  }
  if (options.help) {
    console.log(USAGE);
    return 0;
  }
  if (options.remove) {
    const removed = unlink(options.root);
    console.log(removed ? `removed ${linkedPath(options.root)} (cache kept in ${cacheDir()})` : 'nothing linked by setup:native to remove');
    return 0;
  }
  if (options.status) {
    const current = currentInstall(options.root);
    console.log(current.kind === 'linked' ? `linked:${current.key}` : current.kind);
    return 0;
  }
  if (options.check) return check(options.root);
  try {
    return await setup(options);
  } catch (error) {
    if (!(error instanceof SetupError)) throw error;
    banner([
      'setup:native FAILED: the native TensorFlow backend is NOT available; BoxTeacher.ts keeps working on wasm',
      '(about 20x slower training).',
      '',
      ...error.message.split('\n'),
      ...(error.hints.length ? ['', ...error.hints] : []),
      '',
      'Ways to get it:',
      '  - where storage.googleapis.com is reachable: npm run setup:native (uses tfjs-node\'s normal install)',
      '  - with Python + pip + a C++ toolchain (g++, make): npm run setup:native (pip downloads tensorflow-cpu)',
      '  - with a TensorFlow wheel file: npm run setup:native -- --wheel path/to/tensorflow_cpu-*.whl',
      '  - see tools/native-tf/README.md',
    ]);
    return 1;
  }
}

process.exitCode = await main();
