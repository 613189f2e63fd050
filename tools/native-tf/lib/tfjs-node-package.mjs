// The @tensorflow/tfjs-node package itself, fetched without running its install script, plus the runtime
// dependencies it needs (node-pre-gyp to find its binding, protobuf for TensorBoard, ...). @tensorflow/* packages
// are deliberately left out: the linked package must use the @tensorflow/tfjs that `npm ci` installed, or two
// tfjs-core engines would exist (spec/runtime.md).
import fs from 'node:fs';
import path from 'node:path';
import { TFJS_NODE_PACKAGE, TFJS_NODE_VERSION, cacheDir } from './constants.mjs';
import { SetupError, info, run } from './log.mjs';

/** `npm` as the running npm invoked it (inside `npm run`), else from PATH. */
export function npmCommand() {
  const cli = process.env.npm_execpath;
  if (cli && /npm-cli\.js$/.test(cli) && fs.existsSync(cli)) return { command: process.execPath, prefix: [cli] };
  return { command: 'npm', prefix: [] };
}

function npm(args, cwd, what) {
  const { command, prefix } = npmCommand();
  return run(command, [...prefix, ...args], { cwd, what });
}

/** Path of the package tarball in the cache; `npm pack` fetches it once (npm checks its integrity). */
export function fetchTarball() {
  const dir = path.join(cacheDir(), 'npm');
  const file = path.join(dir, `tensorflow-tfjs-node-${TFJS_NODE_VERSION}.tgz`);
  if (fs.existsSync(file)) {
    info(`${TFJS_NODE_PACKAGE}@${TFJS_NODE_VERSION} tarball cached`);
    return file;
  }
  fs.mkdirSync(dir, { recursive: true });
  npm(
    ['pack', `${TFJS_NODE_PACKAGE}@${TFJS_NODE_VERSION}`, '--pack-destination', dir, '--silent'],
    dir,
    `npm pack ${TFJS_NODE_PACKAGE}@${TFJS_NODE_VERSION}`,
  );
  if (!fs.existsSync(file)) throw new SetupError(`npm pack did not produce ${file}`);
  info(`fetched ${path.basename(file)} from the npm registry`);
  return file;
}

/** Extracts the tarball's `package/` folder into `destDir` (which must not exist). */
export function extractPackage(tarball, destDir) {
  fs.mkdirSync(destDir, { recursive: true });
  run('tar', ['-xzf', tarball, '-C', destDir, '--strip-components=1'], { what: `tar -xzf ${tarball}` });
}

/**
 * Installs the package's non-TensorFlow runtime dependencies into <cache>/runtime-<version>/node_modules,
 * once; returns that node_modules folder.
 */
export function ensureRuntimeDeps(tarball) {
  const dir = path.join(cacheDir(), `runtime-${TFJS_NODE_VERSION}`);
  const modules = path.join(dir, 'node_modules');
  const done = path.join(dir, 'installed.json');
  if (fs.existsSync(done)) return modules;

  const probe = path.join(cacheDir(), 'npm', 'package-json');
  fs.rmSync(probe, { recursive: true, force: true });
  run('tar', ['-xzf', tarball, '-C', path.dirname(probe), 'package/package.json']);
  const manifest = JSON.parse(fs.readFileSync(path.join(path.dirname(probe), 'package', 'package.json'), 'utf8'));
  const dependencies = Object.fromEntries(
    Object.entries(manifest.dependencies ?? {}).filter(([name]) => !name.startsWith('@tensorflow/')),
  );

  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(
    path.join(dir, 'package.json'),
    `${JSON.stringify({ name: 'boxteacher-tfjs-node-runtime', private: true, dependencies }, null, 2)}\n`,
  );
  npm(
    ['install', '--ignore-scripts', '--omit=dev', '--no-audit', '--no-fund', '--no-workspaces', '--loglevel=error'],
    dir,
    `npm install of ${Object.keys(dependencies).join(', ')} (runtime dependencies of ${TFJS_NODE_PACKAGE})`,
  );
  fs.writeFileSync(done, `${JSON.stringify({ dependencies }, null, 2)}\n`);
  info(`runtime dependencies installed: ${Object.keys(dependencies).join(', ')}`);
  return modules;
}
