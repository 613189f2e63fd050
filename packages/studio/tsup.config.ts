// The studio page is one browser bundle (dist/studio.js) with everything in it — tfjs, the trainer's model and
// labelling code, coco-eval's RLE — plus index.html, the stylesheet and tfjs' wasm binaries beside it. The
// packages it bundles also hold Node-only modules (file reading, sharp, worker threads) that the page never calls;
// they are replaced by a stub that throws if anything reaches it, so a Node path taken by mistake fails loudly.
import { copyFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { defineConfig } from 'tsup';
import type { Plugin } from 'esbuild';

const NODE_ONLY = /^(node:.*|fs|path|os|url|util|module|crypto|stream|zlib|worker_threads|child_process|sharp|yaml|@tensorflow\/tfjs-node(-gpu)?)$/;

const nodeOnlyStub: Plugin = {
  name: 'node-only-stub',
  setup(build) {
    build.onResolve({ filter: NODE_ONLY }, (args) => ({ path: args.path, namespace: 'node-only' }));
    build.onLoad({ filter: /.*/, namespace: 'node-only' }, (args) => ({
      loader: 'js',
      contents: `const name = ${JSON.stringify(args.path)};
module.exports = new Proxy({}, { get(_, key) {
  if (key === '__esModule' || typeof key === 'symbol') return undefined;
  return function nodeOnly() { throw new Error(name + '.' + String(key) + ' is Node-only and cannot run in the studio page'); };
} });`,
    }));
  },
};

const require = createRequire(import.meta.url);

export default defineConfig({
  entry: { studio: 'src/main.ts' },
  format: ['esm'],
  platform: 'browser',
  target: 'es2022',
  outDir: 'dist',
  clean: true,
  sourcemap: true,
  minify: true,
  splitting: false,
  dts: false,
  noExternal: [/.*/],
  removeNodeProtocol: false,
  publicDir: 'app',
  esbuildPlugins: [nodeOnlyStub],
  esbuildOptions(options) {
    options.conditions = ['@boxteacher/source', 'browser', 'import', 'default'];
    options.define = { ...options.define, 'process.env.NODE_ENV': '"production"' };
  },
  onSuccess: async () => {
    const wasmDir = path.join(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist');
    mkdirSync('dist', { recursive: true });
    for (const file of ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm']) copyFileSync(path.join(wasmDir, file), path.join('dist', file));
  },
});
