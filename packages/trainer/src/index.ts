// @boxteacher/trainer public API.
//  - config: TrainConfig, defaults, presets, validation
//  - optim: SGD (PyTorch semantics), learning-rate schedule
//  - checkpoints: atomic checkpoint store
//  - training: metrics log, progress line
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
