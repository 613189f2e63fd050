// Putting a cached build into <root>/node_modules/@tensorflow/tfjs-node without npm: nothing in package.json or
// package-lock.json changes, and `npm ci` (which wipes node_modules) is undone by re-running setup in < 1 s.
// The package's JavaScript (package.json, dist/) is *copied*: Node resolves a module's dependencies from its real
// path, so a copy under the root node_modules finds the root's @tensorflow/tfjs (one tfjs-core engine), where a
// symlink into the cache would not. lib/ (the binding) and deps/ (libtensorflow, ~850 MB) stay in the cache as
// symlinks; the binding finds libtensorflow through its rpath $ORIGIN/../../deps/lib, which resolves inside the
// cache. node_modules/ is a copy of the cached runtime dependencies, which hold no @tensorflow package.
import fs from 'node:fs';
import path from 'node:path';
import { LINK_MARKER, TFJS_NODE_PACKAGE, TFJS_NODE_VERSION } from './constants.mjs';
import { SetupError } from './log.mjs';

const COPIED = new Set(['package.json', 'dist']);
const SKIPPED = new Set(['node_modules', 'build']);

export function linkedPath(root) {
  return path.join(root, 'node_modules', ...TFJS_NODE_PACKAGE.split('/'));
}

/** Throws unless `npm ci` has installed the matching @tensorflow/tfjs in `root`. */
export function checkRootInstall(root) {
  const manifest = path.join(root, 'node_modules', '@tensorflow', 'tfjs', 'package.json');
  if (!fs.existsSync(manifest)) {
    throw new SetupError(`${root}/node_modules has no @tensorflow/tfjs: run \`npm ci\` first, then \`npm run setup:native\`.`);
  }
  const version = JSON.parse(fs.readFileSync(manifest, 'utf8')).version;
  if (version !== TFJS_NODE_VERSION) {
    throw new SetupError(
      `@tensorflow/tfjs ${version} is installed but the native binding is for ${TFJS_NODE_VERSION}; every @tensorflow/* package must be the same version.`,
    );
  }
}

/**
 * What is at node_modules/@tensorflow/tfjs-node now: 'none', 'npm' (installed by npm: left alone) or
 * {kind: 'linked', key} (set up by this tool from build `key`).
 */
export function currentInstall(root) {
  const dest = linkedPath(root);
  if (!fs.existsSync(dest)) return { kind: 'none' };
  const marker = path.join(dest, LINK_MARKER);
  if (!fs.existsSync(marker)) return { kind: 'npm' };
  return { kind: 'linked', ...JSON.parse(fs.readFileSync(marker, 'utf8')) };
}

/** True when every symlink of a linked install still points at an existing path. */
export function linkIntact(root) {
  const dest = linkedPath(root);
  return fs.readdirSync(dest).every((entry) => fs.existsSync(path.join(dest, entry)));
}

/** Links build `key` (whose package folder is `packageDir`) into `root`, replacing an earlier linked install. */
export function link(root, key, packageDir) {
  const dest = linkedPath(root);
  const tmp = `${dest}.boxteacher-tmp-${process.pid}`;
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.mkdirSync(tmp, { recursive: true });
  for (const entry of fs.readdirSync(packageDir)) {
    const from = path.join(packageDir, entry);
    if (SKIPPED.has(entry)) continue;
    if (COPIED.has(entry)) fs.cpSync(from, path.join(tmp, entry), { recursive: true });
    else fs.symlinkSync(from, path.join(tmp, entry));
  }
  // A real copy (5 MB), not a link: `npm ls` treats a linked folder as a project and would check its packages'
  // devDependencies too, failing the root's `npm ls --all`. .bin is only for building.
  const runtimeModules = fs.realpathSync(path.join(packageDir, 'node_modules'));
  fs.cpSync(runtimeModules, path.join(tmp, 'node_modules'), {
    recursive: true,
    verbatimSymlinks: true,
    filter: (from) => path.basename(from) !== '.bin' && path.basename(from) !== '.package-lock.json',
  });
  fs.writeFileSync(
    path.join(tmp, LINK_MARKER),
    `${JSON.stringify({ key, from: packageDir, note: 'set up by `npm run setup:native` (tools/native-tf); not installed by npm' }, null, 2)}\n`,
  );
  unlink(root);
  fs.renameSync(tmp, dest);
  return dest;
}

/** Removes a linked install (never one that npm installed); returns whether something was removed. */
export function unlink(root) {
  const current = currentInstall(root);
  if (current.kind !== 'linked') return false;
  fs.rmSync(linkedPath(root), { recursive: true, force: true });
  return true;
}
