// Node module hooks for init-backend.test.ts: make @tensorflow/tfjs-node and @tensorflow/tfjs-node-gpu look not
// installed (Node's own ERR_MODULE_NOT_FOUND), so the "not installed" path is tested even where they are.
// Used as `node --import tsx --import ./hide-native-backend.mjs script.ts`.
import { register } from 'node:module';

export async function resolve(specifier, context, nextResolve) {
  if (/^@tensorflow\/tfjs-node(-gpu)?(\/|$)/.test(specifier)) {
    const error = new Error(`Cannot find package '${specifier}' imported from ${context.parentURL}`);
    error.code = 'ERR_MODULE_NOT_FOUND';
    throw error;
  }
  return nextResolve(specifier, context);
}

// Imported with --import on the main thread: register this same file as the hooks module.
if (typeof globalThis.__boxteacherHideNative === 'undefined') {
  globalThis.__boxteacherHideNative = true;
  register(import.meta.url);
}
