// The TensorFlow.js backend of the page: WebGL where the browser has it, else wasm (its binaries are served beside
// the bundle). `?backend=wasm|webgl|cpu` forces one. The page says which is active and, after a fallback, why.
import { installTrainingFixes, tf } from '@boxteacher/core';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';

export interface PageBackend {
  name: string;
  /** why the preferred backend is not the one running, or '' */
  note: string;
}

async function tryBackend(name: string): Promise<string | null> {
  try {
    installTrainingFixes(name);
    if (!(await tf.setBackend(name))) return `${name} could not start`;
    await tf.ready();
    // A backend can register and still fail at its first kernel (a WebGL context lost at once, say).
    tf.tidy(() => tf.add(tf.scalar(1), tf.scalar(1)).dataSync());
    return null;
  } catch (error) {
    return `${name}: ${(error as Error).message}`;
  }
}

export async function choosePageBackend(requested: string | null): Promise<PageBackend> {
  // The wasm binaries lie beside the bundle (the server's root).
  setWasmPaths(new URL('./', document.baseURI).href);
  const order = requested ? [requested] : ['webgl', 'wasm'];
  const problems: string[] = [];
  for (const name of order) {
    const problem = await tryBackend(name);
    if (problem == null) return { name, note: problems.join('; ') };
    problems.push(problem);
  }
  throw new Error(`no TensorFlow.js backend works in this browser (${problems.join('; ')})`);
}
