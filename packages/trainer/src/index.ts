// @boxteacher/trainer public API.
//  - config: TrainConfig, defaults, presets, validation
//  - optim: SGD (PyTorch semantics), learning-rate schedule
//  - checkpoints: atomic checkpoint store
//  - model: CondInst and the method's data paths (student losses, teacher pseudo labels, inference)
//  - training: trainRun / trainStep, evaluation, metrics log, progress line
//  - report: report.html (curves, AP tables, PR curves, mask overlays)

export { DEFAULT_TRAIN_CONFIG, METHODS, AUG_TYPES, resolveTrainConfig } from './config/train-config';
export type { TrainConfig, Method, AugType, DatasetSource } from './config/train-config';
export { PRESETS, PRESET_NAMES, presetConfig } from './config/presets';
export type { PresetName } from './config/presets';
export { ConfigError } from './config/config-error';

export { Sgd } from './optim/sgd';
export type { SgdOptions } from './optim/sgd';
export { learningRateAt } from './optim/lr-schedule';
export type { LrScheduleOptions } from './optim/lr-schedule';

export { CheckpointStore, loadCheckpointDir } from './checkpoint/checkpoint-store';
export type { CheckpointRecord, TensorGroups } from './checkpoint/checkpoint-store';

export { trainRun } from './training/train-run';
export type { TrainRunOptions, TrainRunResult, RunState } from './training/train-run';
export { trainStep } from './training/train-step';
export type { TrainStepContext, TrainStepResult } from './training/train-step';
export { evaluateModel, detectionsToCocoResults, noDetections } from './training/evaluate-model';
export type { ModelEvaluation, EvaluationSample, EvaluateModelOptions } from './training/evaluate-model';
export { prepareDataset } from './training/prepare-data';
export type { PreparedDataset } from './training/prepare-data';
export { CondInst, featureShapes, disposeCondInstOutput } from './model/condinst';
export type { CondInstOutput, ModelConfig } from './model/condinst';
export { studentLosses } from './model/student-losses';
export type { StudentLossInput, StudentLosses } from './model/student-losses';
export { teacherPseudoLabels } from './model/teacher-pseudo-labels';
export type { PseudoLabelStats } from './model/teacher-pseudo-labels';
export { predictInstances, detectionMaskProbs } from './model/inference';
export type { ImageDetections, InferenceOptions } from './model/inference';
export { boxTargets, sampleAtMaskStride } from './model/mask-targets';
export type { MaskTargets } from './model/mask-targets';
export { loadTrainedModel } from './checkpoint/load-model';
export { modelFromCheckpoint, checkCheckpointState } from './checkpoint/model-from-checkpoint';
export type { CheckpointContents, TrainedModel } from './checkpoint/model-from-checkpoint';
export { labellingPass, labelBoxes, labelBatch } from './batch-labelling/label-batch';
export type { LabellingPass, LabellingInput, LabelBatchOptions } from './batch-labelling/label-batch';
export type { LoadedModel } from './checkpoint/load-model';
export { MetricsLog, readMetrics } from './training/metrics-log';
export type { StepMetrics } from './training/metrics-log';
export { ProgressLine, formatDuration } from './training/progress-line';
export type { ProgressOptions } from './training/progress-line';

export {
  renderRunReport,
  writeRunReport,
  validateRunReportData,
  RunReportDataError,
  REPORT_METHODS,
  COCO_STAT_LABELS,
  reportPrCurve,
  lineChart,
  renderSampleOverlay,
  CHART_PALETTE,
} from './report';
export type {
  RunReportData,
  ReportMethod,
  ReportMetricsRecord,
  ReportEvalRecord,
  ReportCategoryAp,
  ReportPrCurve,
  ReportPrCurves,
  ReportSample,
  ReportPrediction,
  ReportDiagnostics,
  ReportPseudoMaskIoU,
  RenderRunReportOptions,
  SampleOverlayOptions,
  PrecisionArray,
  ReportPrCurveOptions,
} from './report';
export { DEMO_ITERATIONS, demoIterations, scaleSchedule } from './training/calibrate-steps';
export { labellingQuality, labellingQualityOnCoco, formatLabellingQuality, formatLabellingByClass, labellingSummary } from './training/labelling-quality';
export type { LabellingQuality, LabellingQualityOptions } from './training/labelling-quality';
