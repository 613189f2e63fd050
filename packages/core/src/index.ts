// @boxteacher/core public API.
//  - tf: the one TensorFlow.js namespace
//  - backend: initBackend (native → wasm → cpu) with the training fixes
//  - modules: Module and the layers shared by backbone and heads (Conv2d, norms, initialisers)
//  - io: safetensors load/save, atomic writes
//  - ops: alignedUpsample, unfoldNeighbours
//  - random: seeded, serialisable Rng

export { tf } from './tf';

export { initBackend, BACKEND_NAMES, BACKEND_ENV_VAR, NATIVE_INSTALL_HINT } from './backend/init-backend';
export type { BackendName, ActiveBackendName, InitBackendOptions } from './backend/init-backend';
export { BackendError } from './backend/backend-errors';
export type { BackendErrorCode } from './backend/backend-errors';
export { installTrainingFixes, trainingFixesInstalled } from './backend/training-fixes/index';

export { Module } from './module/module';
export type { LoadStateDictOptions, LoadStateDictReport } from './module/module';
export { StateDictError } from './module/state-dict-error';
export { Conv2d } from './nn/conv2d';
export type { Conv2dOptions } from './nn/conv2d';
export { BatchNorm2d, FrozenBatchNorm2d, GroupNorm, makeNorm, NORM_KINDS } from './nn/norm';
export type { NormKind, NormModule } from './nn/norm';
export {
  normalInit,
  uniformInit,
  kaimingUniformInit,
  kaimingNormalFanOutInit,
  defaultBiasInit,
  fanIn,
  fanOut,
} from './nn/initializers';

export { loadSafetensors, saveSafetensors, decodeSafetensors, encodeSafetensorsTensors, readSafetensorsHeader } from './io/safetensors';
export type { SafetensorsContents, SafetensorsHeader } from './io/safetensors';
export { parseSafetensors, encodeSafetensors, SafetensorsError, SAFETENSORS_DTYPES } from './io/safetensors-format';
export type { RawTensor, SafetensorsDtype } from './io/safetensors-format';
export { writeFileAtomic } from './io/atomic-write';
export { writeFileAtomicStream } from './io/atomic-write-stream';

export { alignedUpsample, alignedUpsampleMatrix } from './ops/aligned-upsample';
export { floatTensorFromBytes } from './ops/float-tensor-from-bytes';
export { unfoldNeighbours, neighbourOffsets } from './ops/unfold-neighbours';
export type { NeighbourOptions } from './ops/unfold-neighbours';

export { Rng, seed, globalRng } from './random/rng';
export type { RngState } from './random/rng';
export { loadTorchCheckpoint, parseTorchCheckpoint, torchStateDict, torchTensorValues, TorchCheckpointError, UnsupportedGlobal } from './io/torch-checkpoint';
export type { TorchCheckpoint, TorchTensor, TorchDtype, TorchTypedArray } from './io/torch-checkpoint';
export { toTfTensors } from './io/torch-tf';
