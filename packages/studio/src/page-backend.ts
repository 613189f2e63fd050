// The TensorFlow.js backend of the page: WebGL where the browser has it, else wasm (its binaries are served beside
// the bundle); on a software WebGL (no GPU) wasm goes first. `?backend=wasm|webgl|cpu` forces one. The page says which is active and, after a fallback, why.
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

/**
 * The WebGL renderer when it is a software one (SwiftShader, llvmpipe: a machine without a usable GPU), else null.
 * Measured here (npm run bench -w @boxteacher/studio): on software WebGL the first box takes 20-30 s of shader
 * compiling and each later one 2-3x wasm's time, so wasm is the better choice there.
 */
function softwareWebgl(): string | null {
  try {
    const gl = document.createElement('canvas').getContext('webgl2') ?? document.createElement('canvas').getContext('webgl');
    if (!gl) return null;
    const info = gl.getExtension('WEBGL_debug_renderer_info');
    const renderer = String(gl.getParameter(info ? info.UNMASKED_RENDERER_WEBGL : gl.RENDERER));
    gl.getExtension('WEBGL_lose_context')?.loseContext();
    return /swiftshader|llvmpipe|softpipe|software/i.test(renderer) ? renderer : null;
  } catch {
    return null;
  }
}

export async function choosePageBackend(requested: string | null): Promise<PageBackend> {
  // The wasm binaries lie beside the bundle (the server's root).
  setWasmPaths(new URL('./', document.baseURI).href);
  const software = requested ? null : softwareWebgl();
  const order = requested ? [requested] : software ? ['wasm', 'webgl'] : ['webgl', 'wasm'];
  const problems: string[] = software ? [`WebGL is software-rendered here (${software}): wasm is faster`] : [];
  for (const name of order) {
    const problem = await tryBackend(name);
    if (problem == null) return { name, note: problems.join('; ') };
    problems.push(problem);
  }
  throw new Error(`no TensorFlow.js backend works in this browser (${problems.join('; ')})`);
}
