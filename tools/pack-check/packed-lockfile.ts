// A package-lock.json for a project outside the workspace that installs the packed @boxteacher tarballs.
//
// `npm ci --offline` needs a lockfile: without one npm asks the registry for every package's metadata, which the
// workspace's `npm ci` never cached (it fetched tarballs by integrity only). So we take, from the workspace's own
// lockfile, exactly the packages that the tarballs (and the project's own dependencies) need — walking Node's
// resolution (nearest `node_modules/<name>` up the tree) from each dependency — and point the @boxteacher entries at
// the tarballs. The versions installed are then the ones the workspace tested, and every tarball is in npm's cache.
// Optional peers (`@tensorflow/tfjs-node(-gpu)` of core) are left out, as npm leaves them out for a user.

/** One entry of a lockfile v3 `packages` map (the fields we read; the rest is copied as is). */
interface LockEntry {
  name?: string;
  version?: string;
  resolved?: string;
  link?: boolean;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  bin?: Record<string, string> | string;
  [field: string]: unknown;
}

export interface PackedProject {
  /** The temporary project's package.json. */
  packageJson: { name: string; private: true; type: 'module'; dependencies: Record<string, string> };
  /** Its package-lock.json (lockfile v3). */
  packageLock: { name: string; lockfileVersion: 3; requires: true; packages: Record<string, LockEntry> };
}

/**
 * Builds the package.json and lockfile of a project that depends on each workspace package through its tarball.
 * @param workspaceLock the workspace's parsed package-lock.json
 * @param tarballs workspace package name → tarball path relative to the project (`tarballs/boxteacher-core-0.1.0.tgz`)
 * @param extraDependencies registry packages the project itself depends on (name → the name's key in the workspace
 *   lockfile is `node_modules/<name>`; the version is taken from there)
 */
export function packedProject(workspaceLock: { packages: Record<string, LockEntry> }, tarballs: Record<string, string>, extraDependencies: string[]): PackedProject {
  const all = workspaceLock.packages;
  const workspacePackages = new Map<string, LockEntry>();
  for (const [key, entry] of Object.entries(all)) if (!key.startsWith('node_modules/') && key !== '' && entry.name) workspacePackages.set(entry.name, entry);

  const dependencies: Record<string, string> = {};
  for (const name of extraDependencies) {
    const entry = all[`node_modules/${name}`];
    if (!entry?.version || entry.link) throw new Error(`pack-check: ${name} is not installed from the registry in the workspace lockfile`);
    dependencies[name] = entry.version;
  }
  for (const [name, file] of Object.entries(tarballs)) {
    if (!workspacePackages.has(name)) throw new Error(`pack-check: ${name} is not a workspace package`);
    dependencies[name] = `file:${file}`;
  }

  const packages: Record<string, LockEntry> = { '': { name: 'pack-check-install', dependencies } };
  const queue: string[] = [];

  /** Node's resolution over lockfile keys: `from/node_modules/dep`, then one level up, up to the root. */
  const resolve = (from: string, dep: string): string | undefined => {
    let base = from;
    for (;;) {
      const key = `${base === '' ? '' : `${base}/`}node_modules/${dep}`;
      const entry = all[key];
      if (entry && !entry.link) return key;
      if (base === '') return undefined;
      const cut = base.lastIndexOf('/node_modules/');
      base = cut < 0 ? '' : base.slice(0, cut);
    }
  };

  const visit = (key: string, entry: LockEntry): void => {
    const required = { ...entry.dependencies };
    for (const [dep, range] of Object.entries(entry.peerDependencies ?? {})) {
      if (entry.peerDependenciesMeta?.[dep]?.optional !== true) required[dep] ??= range;
    }
    const wanted = [...Object.keys(required).map((dep) => ({ dep, optional: false })), ...Object.keys(entry.optionalDependencies ?? {}).map((dep) => ({ dep, optional: true }))];
    for (const { dep, optional } of wanted) {
      if (workspacePackages.has(dep)) continue; // a sibling: its tarball is a top-level dependency
      const found = resolve(key, dep);
      if (found === undefined) {
        if (optional) continue; // e.g. another platform's sharp binary the workspace never installed
        throw new Error(`pack-check: ${dep} (needed by ${key === '' ? 'the project' : key}) is not in the workspace lockfile`);
      }
      if (packages[found] === undefined) {
        packages[found] = all[found]!;
        queue.push(found);
      }
    }
  };

  for (const [name, file] of Object.entries(tarballs)) {
    const source = workspacePackages.get(name)!;
    const key = `node_modules/${name}`;
    const { dependencies: deps, peerDependencies, peerDependenciesMeta, bin, engines } = source;
    packages[key] = { version: source.version, resolved: `file:${file}`, dependencies: deps, peerDependencies, peerDependenciesMeta, bin, engines };
    visit(key, source);
  }
  visit('', { dependencies: Object.fromEntries(extraDependencies.map((name) => [name, dependencies[name]!])) });
  for (let key = queue.shift(); key !== undefined; key = queue.shift()) visit(key, packages[key]!);

  return {
    packageJson: { name: 'pack-check-install', private: true, type: 'module', dependencies },
    packageLock: { name: 'pack-check-install', lockfileVersion: 3, requires: true, packages },
  };
}
