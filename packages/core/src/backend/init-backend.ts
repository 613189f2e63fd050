// initBackend(): choose and ready the TensorFlow.js backend once, with the training fixes installed.
// Preference for 'auto': native TensorFlow (tfjs-node-gpu / tfjs-node) → wasm → cpu (spec/api.md §core).
import { tf } from '../tf';
import { BackendError } from './backend-errors';
import { loadNativeBackend } from './native-loader';
import { installTrainingFixes } from './training-fixes/index';

export const BACKEND_NAMES = ['auto', 'tensorflow', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];
export type ActiveBackendName = Exclude<BackendName, 'auto'>;

export const BACKEND_ENV_VAR = 'BOXTEACHER_BACKEND';

export const NATIVE_INSTALL_HINT =
  'Install the native backend with `npm run setup:native` (builds @tensorflow/tfjs-node against a TensorFlow wheel), ' +
  'or `npm install @tensorflow/tfjs-node@4.22.0` where its binary download works; ' +
  '@tensorflow/tfjs-node-gpu@4.22.0 additionally needs CUDA 11.2 + cuDNN 8.1.';

export interface InitBackendOptions {
  /** Where the one-line "backend chosen" message goes; default: stderr. Pass `() => {}` to silence it. */
  log?: (message: string) => void;
}

// The last message logged per engine, so that repeated calls log once (kept on the engine, not in this module).
const LOGGED = Symbol.for('boxteacher.backendLogged');

function parseBackendName(name: string, source: string): BackendName {
  if ((BACKEND_NAMES as readonly string[]).includes(name)) return name as BackendName;
  throw new BackendError(
    'BACKEND_UNKNOWN',
    `Unknown backend ${JSON.stringify(name)} (from ${source}); valid names: ${BACKEND_NAMES.join(', ')}.`,
  );
}

async function activate(name: ActiveBackendName): Promise<void> {
  if (name === 'wasm') await import('@tensorflow/tfjs-backend-wasm');
  installTrainingFixes(name);
  if (tf.getBackend() !== name) {
    const ok = await tf.setBackend(name);
    if (!ok) throw new BackendError('BACKEND_UNAVAILABLE', `TensorFlow.js could not initialise the ${name} backend.`);
  }
  await tf.ready();
}

/**
 * Selects and readies a backend with the training fixes installed; returns the active backend's name.
 * `name` defaults to env BOXTEACHER_BACKEND, then 'auto'. Idempotent.
 */
export async function initBackend(name?: BackendName | string, options: InitBackendOptions = {}): Promise<ActiveBackendName> {
  const envValue = process.env[BACKEND_ENV_VAR];
  const requested =
    name != null
      ? parseBackendName(name, 'initBackend argument')
      : envValue != null && envValue !== ''
        ? parseBackendName(envValue, `env ${BACKEND_ENV_VAR}`)
        : 'auto';
  tf.enableProdMode();

  let chosen: ActiveBackendName;
  let why: string;
  if (requested === 'tensorflow' || requested === 'auto') {
    const native = await loadNativeBackend();
    if (native.available) {
      chosen = 'tensorflow';
      why = requested === 'auto' ? `native TensorFlow found (${native.loadedFrom})` : 'requested';
    } else if (requested === 'tensorflow') {
      throw new BackendError(
        'BACKEND_UNAVAILABLE',
        `The tensorflow backend is not available: ${native.reasons.join('; ')}. ${NATIVE_INSTALL_HINT}`,
      );
    } else {
      chosen = 'wasm';
      why = `native TensorFlow not available (${native.reasons.join('; ')}); run \`npm run setup:native\` for ~20x faster training`;
    }
  } else {
    chosen = requested;
    why = name != null ? 'requested' : `from env ${BACKEND_ENV_VAR}`;
  }

  try {
    await activate(chosen);
  } catch (error) {
    if (requested !== 'auto' || chosen === 'cpu') throw error;
    why = `${chosen} failed to start (${(error as Error).message}); falling back to cpu`;
    chosen = 'cpu';
    await activate(chosen);
  }

  const message = `[boxteacher] backend: ${chosen} (${why})`;
  const engine = tf.engine() as unknown as Record<symbol, string | undefined>;
  if (engine[LOGGED] !== message) {
    engine[LOGGED] = message;
    (options.log ?? ((m: string) => process.stderr.write(`${m}\n`)))(message);
  }
  return chosen;
}
