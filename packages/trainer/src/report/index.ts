// The run report (report.html): input type and validator, renderer and writer, and the chart and overlay helpers
// it is built from. Re-exported by the package entry.
export { renderRunReport, writeRunReport, reportCategoryColors, formatDuration, formatCocoValue, COCO_STAT_LABELS, COCO_STAT_NAMES } from './render-report';
export type { RenderRunReportOptions } from './render-report';
export { validateRunReportData, RunReportDataError, REPORT_METHODS } from './report-data';
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
  ReportLabelling,
  ReportLabellingExample,
  ReportLabellingGroup,
} from './report-data';
export { lineChart, niceTicks, logTicks, escapeXml, CHART_PALETTE } from './svg-charts';
export type { ChartSeries, LineChartOptions } from './svg-charts';
export { reportPrCurve } from './pr-curves';
export type { PrecisionArray, ReportPrCurveOptions } from './pr-curves';
export { renderSampleOverlay } from './mask-overlay';
export { renderLabellingOverlay } from './labelling-section';
export type { SampleOverlay, SampleOverlayOptions, SampleLabel } from './mask-overlay';
