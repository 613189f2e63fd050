// The report's "Labelling quality" section: what `boxteacher label` buys over drawing the box. Held-out images are
// labelled from their true boxes; the section shows the mean IoU with the true masks of the labelled masks next to
// that of the filled boxes, the per-instance IoU distribution of both (sorted, so one curve above the other is the
// gain), and overlays of the instances where labelling helped most and least.
import sharp from 'sharp';
import { blendMask, drawRect, resizeForOverlay } from './mask-overlay';
import type { ReportLabelling, ReportLabellingExample, ReportLabellingGroup } from './report-data';
import { escapeXml, lineChart } from './svg-charts';

const LABEL_COLOR = [242, 142, 43] as const; // the labelled mask: orange fill
const TRUTH_COLOR = [89, 161, 79] as const; // the true mask: green contour

/** One example as a PNG data URI: labelled mask filled, true mask outlined, the box dashed. */
export async function renderLabellingOverlay(example: ReportLabellingExample, maxSize = 256): Promise<{ dataUri: string; width: number; height: number }> {
  const { rgb, width: outW, height: outH } = await resizeForOverlay(example.rgb, example.width, example.height, maxSize);
  const thickness = Math.max(1, Math.round(Math.max(outW, outH) / 192));
  blendMask(rgb, outW, outH, example.labelledMask, example.width, example.height, LABEL_COLOR, 0.5, 0);
  blendMask(rgb, outW, outH, example.trueMask, example.width, example.height, TRUTH_COLOR, 0, thickness);
  const sx = outW / example.width;
  const sy = outH / example.height;
  const b = example.box;
  drawRect(rgb, outW, outH, [b[0] * sx, b[1] * sy, b[2] * sx, b[3] * sy], [255, 255, 255], thickness, { length: 4 * thickness, altColor: [20, 20, 20] });
  const png = await sharp(rgb, { raw: { width: outW, height: outH, channels: 3 } }).png({ compressionLevel: 9 }).toBuffer();
  return { dataUri: `data:image/png;base64,${png.toString('base64')}`, width: outW, height: outH };
}

function signed(value: number): string {
  return `${value >= 0 ? '+' : '−'}${Math.abs(value).toFixed(3)}`;
}

/** A table of groups (size ranges or classes): instances, labelled IoU, box IoU, gain. */
function groupTable(caption: string, groups: readonly ReportLabellingGroup[]): string {
  const cell = (v: number) => (Number.isFinite(v) ? v.toFixed(3) : '–');
  const rows = groups
    .map((g) => `<tr><td>${escapeXml(g.name)}</td><td>${g.instances}</td><td>${cell(g.maskIoU)}</td><td>${cell(g.boxIoU)}</td><td>${Number.isFinite(g.maskIoU - g.boxIoU) ? signed(g.maskIoU - g.boxIoU) : '–'}</td></tr>`)
    .join('');
  return `<table class="breakdown"><caption>${escapeXml(caption)}</caption><thead><tr><th></th><th>instances</th><th>labelled IoU</th><th>box IoU</th><th>gain</th></tr></thead><tbody>${rows}</tbody></table>`;
}

/** The section's HTML (a `<section id="labelling">`); empty string when the run did not measure labelling. */
export async function labellingSection(labelling: ReportLabelling | undefined): Promise<string> {
  if (!labelling) return '';
  const gain = labelling.maskIoU - labelling.boxIoU;
  const card = (label: string, value: string, accent = false) =>
    `<div class="card${accent ? ' accent' : ''}"><div class="card-label">${escapeXml(label)}</div><div class="card-value">${escapeXml(value)}</div></div>`;
  const cards = `<div class="cards">${card('Labelled mask IoU', labelling.maskIoU.toFixed(3), true)}${card('Filled box IoU', labelling.boxIoU.toFixed(3))}${card('Gain over the box', signed(gain), true)}${card('Instances', String(labelling.perBox.length))}</div>`;
  const sorted = (key: 'maskIoU' | 'boxIoU') => {
    const values = labelling.perBox.map((b) => b[key]).sort((a, b) => a - b);
    return values.map((v, i) => [values.length > 1 ? i / (values.length - 1) : 0, v] as const);
  };
  const chart =
    labelling.perBox.length > 0
      ? `<div class="charts"><figure class="chart-box">${lineChart({
          id: 'labelling-iou',
          title: 'IoU with the true mask, per instance (sorted)',
          series: [
            { name: 'labelled mask', points: sorted('maskIoU'), color: '#f28e2b' },
            { name: 'filled box', points: sorted('boxIoU'), color: '#4e79a7', dashed: true },
          ],
          xLabel: 'fraction of instances',
          yLabel: 'IoU',
          xMin: 0,
          xMax: 1,
          yMin: 0,
          yMax: 1,
          markers: false,
        })}</figure></div>`
      : '';
  const figures: string[] = [];
  for (const e of labelling.examples) {
    const overlay = await renderLabellingOverlay(e);
    figures.push(`<figure class="sample"><img src="${overlay.dataUri}" width="${overlay.width}" height="${overlay.height}" alt="${escapeXml(e.name)}" style="width:100%;height:auto;display:block;image-rendering:pixelated">
<figcaption><strong>${escapeXml(e.name)}</strong><span>mask IoU ${e.maskIoU.toFixed(3)} · box ${e.boxIoU.toFixed(3)} (${signed(e.maskIoU - e.boxIoU)})</span></figcaption></figure>`);
  }
  const examples = figures.length > 0 ? `<p class="note">The instances where labelling gained most and least over the box. Orange: the labelled mask; green outline: the true mask; dashed: the box it was made from.</p><div class="samples">${figures.join('')}</div>` : '';
  const b = labelling.breakdown;
  const tables = b ? `<div class="breakdowns">${groupTable('By size (COCO: small < 32², medium < 96² pixels of true mask)', b.bySize)}${groupTable('By class', b.byClass)}</div>` : '';
  return `<section id="labelling"><h2>Labelling quality</h2><p class="note">${labelling.images} held-out images labelled from their true boxes, as <code>boxteacher label</code> does: mean IoU with the true masks of the labelled masks, against the filled boxes themselves (what you have without the model).</p>${cards}${chart}${tables}${examples}</section>`;
}
