// The packages as published: `npm pack` all nine (eight libraries and the studio page), install the tarballs into a project outside the workspace (no
// workspace links, no `@boxteacher/source` condition, no native TensorFlow), then use each one — ESM import, CJS
// require, types under `moduleResolution: nodenext`, both bins, and a coco-eval run on a fixture.
import { execFile } from 'node:child_process';
import { existsSync, promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packedProject } from '../packed-lockfile';

const run = promisify(execFile);
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const PACKAGES = ['core', 'backbone', 'heads', 'losses', 'teacher', 'coco-eval', 'data', 'trainer'];
/** Packages with no JavaScript entry: the studio ships a built page that `boxteacher studio` serves. */
const APPS = ['studio'];
const FIXTURE = path.join(ROOT, 'packages/coco-eval/test/fixtures/coco-val2014-100');

let project = '';

/**
 * The environment of a user's shell: without the npm_* variables that `npm test` exports (they would point npm's
 * prefix back at the workspace) and without BOXTEACHER_* (a native backend asked for by `npm run test:native` is not
 * installed here).
 */
function userEnv(): NodeJS.ProcessEnv {
  const keep = new Set(['npm_config_cache', 'npm_config_userconfig', 'npm_config_globalconfig', 'npm_config_registry']);
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    const lower = key.toLowerCase();
    if (lower.startsWith('npm_') && !keep.has(lower)) continue;
    if (key.startsWith('BOXTEACHER_') || key === 'NODE_PATH' || key === 'NODE_OPTIONS') continue;
    env[key] = value;
  }
  return env;
}

async function inProject(file: string, args: string[]): Promise<{ stdout: string; stderr: string }> {
  return run(file, args, { cwd: project, env: userEnv(), maxBuffer: 64 * 1024 * 1024 });
}

beforeAll(async () => {
  project = await fs.mkdtemp(path.join(os.tmpdir(), 'boxteacher-pack-check-'));
  const tarballDir = path.join(project, 'tarballs');
  await fs.mkdir(tarballDir);

  const packed = await run('npm', ['pack', '--workspaces', '--json', '--pack-destination', tarballDir], { cwd: ROOT, env: userEnv(), maxBuffer: 64 * 1024 * 1024 });
  const list = JSON.parse(packed.stdout) as { name: string; filename: string }[];
  expect(list.map((p) => p.name).sort()).toEqual([...PACKAGES, ...APPS].map((n) => `@boxteacher/${n}`).sort());
  const tarballs = Object.fromEntries(list.map((p) => [p.name, `tarballs/${p.filename}`]));

  const workspaceLock = JSON.parse(await fs.readFile(path.join(ROOT, 'package-lock.json'), 'utf8')) as Parameters<typeof packedProject>[0];
  const { packageJson, packageLock } = packedProject(workspaceLock, tarballs, ['@tensorflow/tfjs', '@types/node']);
  await fs.writeFile(path.join(project, 'package.json'), `${JSON.stringify(packageJson, null, 2)}\n`);
  await fs.writeFile(path.join(project, 'package-lock.json'), `${JSON.stringify(packageLock, null, 2)}\n`);

  // Every tarball is in npm's cache after the workspace's `npm ci`; fall back to the registry only when one is not.
  const install = ['ci', '--no-audit', '--no-fund', '--ignore-scripts'];
  try {
    await inProject('npm', [...install, '--offline']);
  } catch (error) {
    if (!/ENOTCACHED/.test(String((error as { stderr?: string }).stderr))) throw error;
    await inProject('npm', [...install, '--prefer-offline']);
  }
});

afterAll(async () => {
  if (project !== '') await fs.rm(project, { recursive: true, force: true });
});

describe('the packed packages, installed outside the workspace', () => {
  it('install without the optional native backend, and link both bins', () => {
    for (const name of PACKAGES) expect(existsSync(path.join(project, 'node_modules/@boxteacher', name, 'dist'))).toBe(true);
    expect(existsSync(path.join(project, 'node_modules/@tensorflow/tfjs-node'))).toBe(false);
    expect(existsSync(path.join(project, 'node_modules/.bin/boxteacher'))).toBe(true);
    expect(existsSync(path.join(project, 'node_modules/.bin/coco-eval'))).toBe(true);
  });

  it('load as ESM (import) and as CommonJS (require) with the same exports', async () => {
    const specifiers = [...PACKAGES.map((n) => `@boxteacher/${n}`), '@boxteacher/core/testing'];
    await fs.writeFile(path.join(project, 'load.mjs'), [
      "import { createRequire } from 'node:module';",
      'const require = createRequire(import.meta.url);',
      `const specifiers = ${JSON.stringify(specifiers)};`,
      'const out = {};',
      'for (const s of specifiers) out[s] = { esm: Object.keys(await import(s)).filter((k) => k !== "default").sort(), cjs: Object.keys(require(s)).sort() };',
      'console.log(JSON.stringify(out));',
      '',
    ].join('\n'));
    const loaded = JSON.parse((await inProject(process.execPath, ['load.mjs'])).stdout) as Record<string, { esm: string[]; cjs: string[] }>;
    for (const s of specifiers) {
      expect(loaded[s]!.esm.length, s).toBeGreaterThan(0);
      expect(loaded[s]!.cjs, s).toEqual(loaded[s]!.esm);
    }
    expect(loaded['@boxteacher/coco-eval']!.esm).toContain('evaluateCoco');
    expect(loaded['@boxteacher/core']!.esm).toContain('initBackend');
  });

  it('type-check under moduleResolution nodenext, from .mts (import) and .cts (require)', async () => {
    const binding = (n: string) => n.replace(/-(.)/g, (_, c: string) => c.toUpperCase());
    // `@ts-expect-error` on a name that is not exported fails ("unused directive") if a package's types are `any`.
    const mts = PACKAGES.map((n) => `import * as ${binding(n)} from '@boxteacher/${n}';\n// @ts-expect-error not an export\nvoid ${binding(n)}.__notAnExport;\n`).join('')
      + "import * as coreTesting from '@boxteacher/core/testing';\nvoid coreTesting;\n"
      + "import { evaluateCoco } from '@boxteacher/coco-eval';\nconst evaluate: (...args: never[]) => unknown = evaluateCoco;\nvoid evaluate;\n";
    const cts = PACKAGES.map((n) => `import ${binding(n)} = require('@boxteacher/${n}');\n// @ts-expect-error not an export\nvoid ${binding(n)}.__notAnExport;\n`).join('');
    await fs.writeFile(path.join(project, 'use.mts'), mts);
    await fs.writeFile(path.join(project, 'use.cts'), cts);
    const program = ts.createProgram([path.join(project, 'use.mts'), path.join(project, 'use.cts')], {
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      target: ts.ScriptTarget.ES2022,
      strict: true,
      noEmit: true,
      types: ['node'],
      skipLibCheck: false, // our .d.ts/.d.cts files are checked too …
    });
    const tfjsOwn = `${path.sep}node_modules${path.sep}@tensorflow${path.sep}`;
    const problems = ts.getPreEmitDiagnostics(program)
      .filter((d) => !(d.file?.fileName.includes(tfjsOwn) ?? false)) // … but not tfjs's, which do not pass strict checks
      .map((d) => `${d.file ? path.relative(project, d.file.fileName) : ''}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
    expect(problems).toEqual([]);
    // The declaration files came from the tarballs, in both flavours.
    const declarations = program.getSourceFiles().map((f) => f.fileName).filter((f) => f.includes('/node_modules/@boxteacher/'));
    expect(declarations.some((f) => f.endsWith('/dist/index.d.ts'))).toBe(true);
    expect(declarations.some((f) => f.endsWith('/dist/index.d.cts'))).toBe(true);
  });

  it('run both bins through npx', async () => {
    const boxteacher = await inProject('npx', ['--no', '--', 'boxteacher', '--help']);
    expect(boxteacher.stdout).toMatch(/^usage: boxteacher <command>/);
    const cocoEval = await inProject('npx', ['--no', '--', 'coco-eval', '--help']);
    expect(cocoEval.stdout).toMatch(/^Usage: coco-eval --gt FILE --dt FILE/);
  });

  it("ship the studio page (the bundle, its page and the tfjs wasm binaries) where the trainer's `boxteacher studio` looks", async () => {
    const script = "const { createRequire } = require('node:module'); const trainer = require.resolve('@boxteacher/trainer');"
      + " console.log(createRequire(trainer).resolve('@boxteacher/studio/package.json'));";
    const packageJson = (await inProject(process.execPath, ['-e', script])).stdout.trim();
    const dist = path.join(path.dirname(packageJson), 'dist');
    for (const file of ['index.html', 'studio.js', 'studio.css']) expect(existsSync(path.join(dist, file)), file).toBe(true);
    expect((await fs.readdir(dist)).filter((f) => f.endsWith('.wasm')).length).toBeGreaterThan(0);
    expect(await fs.readFile(path.join(dist, 'index.html'), 'utf8')).toContain('studio.js');
  });

  it('coco-eval scores the val2014 fixture as pycocotools does', async () => {
    const gt = path.join(FIXTURE, 'instances_val2014_100.json');
    const dt = path.join(FIXTURE, 'instances_val2014_fakebbox100_results.json');
    const expected = JSON.parse(await fs.readFile(path.join(FIXTURE, 'expected_bbox.json'), 'utf8')) as { summary_text: string[] };
    const { stdout } = await inProject('npx', ['--no', '--', 'coco-eval', '--gt', gt, '--dt', dt, '--iou-type', 'bbox']);
    expect(stdout.trimEnd().split('\n')).toEqual(expected.summary_text);
  });

  it('boxteacher synth writes a COCO folder with the installed backend', async () => {
    const out = path.join(project, 'synth');
    await inProject('npx', ['--no', '--', 'boxteacher', 'synth', '--count', '2', '--size', '32', '--out', out]);
    const written = await fs.readdir(out, { recursive: true });
    expect(written.filter((f) => f.endsWith('.json')).length).toBeGreaterThan(0);
    expect(written.filter((f) => f.endsWith('.png')).length).toBe(2);
  });
});
