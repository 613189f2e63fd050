// Building @tensorflow/tfjs-node's binding (tfjs_binding.node) in the cache, one folder per build key:
//   <cache>/builds/<key>/package/    the package with deps/, lib/napi-v<N>/tfjs_binding.node and a
//                                    node_modules -> <cache>/runtime-<version>/node_modules link
//   <cache>/builds/<key>/build.json  written last: a folder without it is an unfinished build and is redone.
// Two ways: from a TensorFlow wheel's libtensorflow (node-pre-gyp --build-from-source against the local Node
// headers), or tfjs-node's own install script (downloads libtensorflow 2.9.1 and a prebuilt binding).
import fs from 'node:fs';
import path from 'node:path';
import { TFJS_NODE_VERSION, OFFICIAL_LIBTENSORFLOW_VERSION, cacheDir, napiVersion, platformTag } from './constants.mjs';
import { SetupError, hasCommand, info, run } from './log.mjs';
import { extractPackage } from './tfjs-node-package.mjs';
import { extractLibtensorflow } from './wheel.mjs';

export function wheelBuildKey(sha) {
  return `wheel-${sha.slice(0, 16)}-tfjs-node-${TFJS_NODE_VERSION}-${platformTag()}`;
}

export function officialBuildKey() {
  return `official-${OFFICIAL_LIBTENSORFLOW_VERSION}-tfjs-node-${TFJS_NODE_VERSION}-${platformTag()}`;
}

export function buildDir(key) {
  return path.join(cacheDir(), 'builds', key);
}

/** The finished build's metadata, or null when `key` has no complete build in the cache. */
export function readBuild(key) {
  const file = path.join(buildDir(key), 'build.json');
  if (!fs.existsSync(file)) return null;
  const meta = JSON.parse(fs.readFileSync(file, 'utf8'));
  return fs.existsSync(bindingPath(path.join(buildDir(key), 'package'))) ? meta : null;
}

export function bindingPath(packageDir) {
  return path.join(packageDir, 'lib', `napi-v${napiVersion()}`, 'tfjs_binding.node');
}

/** A folder D with D/include/node/node_api.h (node-gyp's --nodedir), so node-gyp needs no header download. */
export function findNodeDir() {
  const candidates = [process.env.npm_config_nodedir, path.resolve(process.execPath, '..', '..'), '/usr', '/usr/local'];
  return candidates.find((dir) => dir && fs.existsSync(path.join(dir, 'include', 'node', 'node_api.h'))) ?? null;
}

/** Throws with install instructions when the compiler toolchain node-gyp needs is missing. */
export function checkToolchain() {
  const cxx = process.env.CXX || 'g++';
  const missing = [cxx, 'make', 'python3'].filter((command) => !hasCommand(command));
  if (missing.length > 0) {
    throw new SetupError(`Building the binding needs ${missing.join(', ')}, which ${missing.length > 1 ? 'are' : 'is'} not installed.`, [
      'Debian/Ubuntu: sudo apt-get install -y g++ make python3   Fedora: sudo dnf install gcc-c++ make python3',
    ]);
  }
}

/** Include paths used by the binding's C++ sources (so the header subset copied from the wheel covers them). */
function bindingIncludes(packageDir) {
  const dir = path.join(packageDir, 'binding');
  const found = new Set();
  for (const file of fs.readdirSync(dir)) {
    const text = fs.readFileSync(path.join(dir, file), 'utf8');
    for (const match of text.matchAll(/^\s*#\s*include\s*"(tensorflow\/[^"]+)"/gm)) found.add(match[1]);
  }
  return [...found];
}

/** Creates `<tmp>/package` from the tarball with node_modules linked to the runtime dependencies. */
function stagePackage(tmp, tarball, runtimeModules) {
  fs.rmSync(tmp, { recursive: true, force: true });
  const packageDir = path.join(tmp, 'package');
  extractPackage(tarball, packageDir);
  fs.symlinkSync(runtimeModules, path.join(packageDir, 'node_modules'), 'dir');
  return packageDir;
}

function finish(key, tmp, meta) {
  const packageDir = path.join(tmp, 'package');
  if (!fs.existsSync(bindingPath(packageDir))) {
    throw new SetupError(`The build finished without ${path.relative(tmp, bindingPath(packageDir))}.`);
  }
  // Object files are only needed to rebuild; the linked package uses lib/ and deps/.
  for (const entry of fs.readdirSync(packageDir)) {
    if (entry === 'build' || entry.startsWith('build-tmp-')) fs.rmSync(path.join(packageDir, entry), { recursive: true, force: true });
  }
  fs.writeFileSync(path.join(tmp, 'build.json'), `${JSON.stringify({ key, ...meta, builtAt: new Date().toISOString() }, null, 2)}\n`);
  const dest = buildDir(key);
  fs.rmSync(dest, { recursive: true, force: true });
  fs.renameSync(tmp, dest);
  return readBuild(key);
}

/** node-pre-gyp from the runtime dependencies, run in the package folder. */
function nodePreGyp(packageDir, runtimeModules, args, what) {
  const cli = path.join(runtimeModules, '@mapbox', 'node-pre-gyp', 'bin', 'node-pre-gyp');
  const env = { ...process.env, PATH: `${path.join(runtimeModules, '.bin')}${path.delimiter}${process.env.PATH}` };
  // Prefer the node-gyp bundled with the npm running us (node-pre-gyp otherwise looks beside the node binary).
  const npmCli = process.env.npm_execpath;
  if (!env.npm_config_node_gyp && npmCli) {
    const bundled = path.resolve(path.dirname(npmCli), '..', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js');
    if (fs.existsSync(bundled)) env.npm_config_node_gyp = bundled;
  }
  run(process.execPath, [cli, ...args], { cwd: packageDir, env, what });
}

/**
 * Builds the binding against a wheel's libtensorflow (cached by the wheel's SHA-256; `force` rebuilds); returns
 * build.json's data.
 */
export function buildFromWheel({ wheel, sha, tarball, runtimeModules, force = false }) {
  const key = wheelBuildKey(sha);
  const cached = force ? null : readBuild(key);
  if (cached) {
    info(`build ${key} cached`);
    return cached;
  }
  checkToolchain();
  const started = Date.now();
  const tmp = `${buildDir(key)}.tmp-${process.pid}`;
  const packageDir = stagePackage(tmp, tarball, runtimeModules);
  const extracted = extractLibtensorflow(wheel, path.join(packageDir, 'deps'), bindingIncludes(packageDir));
  info(`libtensorflow ${extracted.version} from ${extracted.name}: ${(extracted.libBytes / 1e6).toFixed(0)} MB of libraries, ${extracted.headers} headers`);

  const nodeDir = findNodeDir();
  info(`compiling tfjs_binding.node (N-API ${napiVersion()}, Node headers ${nodeDir ? `${nodeDir}/include/node` : 'downloaded by node-gyp'})`);
  nodePreGyp(
    packageDir,
    runtimeModules,
    ['install', '--build-from-source', ...(nodeDir ? [`--nodedir=${nodeDir}`] : [])],
    'node-pre-gyp install --build-from-source (compiling the tfjs-node binding)',
  );
  return finish(key, tmp, {
    source: 'wheel',
    wheel: path.basename(wheel),
    sha256: sha,
    tensorflow: `${extracted.name} ${extracted.version}`,
    buildSeconds: Math.round((Date.now() - started) / 100) / 10,
  });
}

/** tfjs-node's normal install (libtensorflow 2.9.1 download + prebuilt or compiled binding), in the cache. */
export function buildOfficial({ tarball, runtimeModules, force = false }) {
  const key = officialBuildKey();
  const cached = force ? null : readBuild(key);
  if (cached) {
    info(`build ${key} cached`);
    return cached;
  }
  const started = Date.now();
  const tmp = `${buildDir(key)}.tmp-${process.pid}`;
  const packageDir = stagePackage(tmp, tarball, runtimeModules);
  const env = { ...process.env, PATH: `${path.join(runtimeModules, '.bin')}${path.delimiter}${process.env.PATH}` };
  // If no prebuilt binding downloads, node-pre-gyp compiles one; local Node headers spare node-gyp a download.
  const nodeDir = findNodeDir();
  if (nodeDir && !env.npm_config_nodedir) env.npm_config_nodedir = nodeDir;
  run(process.execPath, [path.join('scripts', 'install.js')], {
    cwd: packageDir,
    env,
    what: "tfjs-node's own install script (libtensorflow download + binding)",
  });
  return finish(key, tmp, {
    source: 'official',
    tensorflow: `libtensorflow ${OFFICIAL_LIBTENSORFLOW_VERSION} (tfjs-node's download)`,
    buildSeconds: Math.round((Date.now() - started) / 100) / 10,
  });
}
