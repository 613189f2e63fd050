// The report's "Labelling quality" section: the figures, the per-instance chart, the overlays (labelled mask filled
// orange, true mask outlined green, the box dashed) and the validator's messages for malformed input.
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { renderLabellingOverlay, renderRunReport, RunReportDataError, type ReportLabelling, type ReportLabellingExample } from '../../src/report';
import { expectBalancedTags } from './balanced-tags';
import { syntheticReportData } from './synthetic-report-data';

const W = 32;
const H = 24;

/** A grey image; the true mask is a disc, the labelled mask the disc's left half, the box the disc's box. */
function example(gain: number): ReportLabellingExample {
  const trueMask = new Uint8Array(W * H);
  const labelledMask = new Uint8Array(W * H);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const inside = (x + 0.5 - 16) ** 2 + (y + 0.5 - 12) ** 2 <= 8 * 8;
      trueMask[y * W + x] = inside ? 1 : 0;
      labelledMask[y * W + x] = inside && x < 16 ? 1 : 0;
    }
  }
  return { name: `img-${gain}.png #1`, width: W, height: H, rgb: new Uint8Array(W * H * 3).fill(128), box: [8, 4, 24, 20], trueMask, labelledMask, maskIoU: 0.5 + gain, boxIoU: 0.5 };
}

const labelling: ReportLabelling = {
  images: 3,
  maskIoU: 0.71,
  boxIoU: 0.62,
  perBox: [
    { maskIoU: 0.8, boxIoU: 0.6 },
    { maskIoU: 0.7, boxIoU: 0.65 },
    { maskIoU: 0.63, boxIoU: 0.61 },
  ],
  examples: [example(0.2), example(-0.1)],
};

describe('labelling section', () => {
  it('shows the two means, the gain, a chart and one overlay per example', async () => {
    const html = await renderRunReport({ ...syntheticReportData(20, 1), labelling });
    const section = html.slice(html.indexOf('<section id="labelling">'), html.indexOf('</section>', html.indexOf('<section id="labelling">')));
    expect(section).toContain('>0.710<');
    expect(section).toContain('>0.620<');
    expect(section).toContain('>+0.090<');
    expect(section).toContain('IoU with the true mask, per instance (sorted)');
    expect(section.match(/<img src="data:image\/png;base64,/g)?.length).toBe(2);
    expect(section).toContain('mask IoU 0.700 · box 0.500 (+0.200)');
    expect(section).toContain('mask IoU 0.400 · box 0.500 (−0.100)');
    expect(html).toContain('<a href="#labelling">Labelling</a>');
    expect(html).toContain('0.71 vs 0.62'); // header card
    expectBalancedTags(html);
  });

  it('is absent when the run did not measure labelling', async () => {
    const html = await renderRunReport(syntheticReportData(20, 1));
    expect(html).not.toContain('id="labelling"');
    expect(html).not.toContain('Label IoU vs box');
  });

  it('draws the labelled mask filled, the true mask outlined and the box dashed', async () => {
    const e = example(0);
    const overlay = await renderLabellingOverlay(e, W * 4);
    expect([overlay.width, overlay.height]).toEqual([W * 4, H * 4]);
    const png = Buffer.from(overlay.dataUri.replace(/^data:image\/png;base64,/, ''), 'base64');
    const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
    const at = (x: number, y: number) => Array.from(data.subarray((y * info.width + x) * info.channels, (y * info.width + x) * info.channels + 3));
    // Source pixel (12, 12): labelled and true, away from every edge → grey blended half-way with orange.
    expect(at(12 * 4 + 2, 12 * 4 + 2)).toEqual([185, 135, 86]);
    // Source pixel (20, 12): true only, interior → untouched grey.
    expect(at(20 * 4 + 2, 12 * 4 + 2)).toEqual([128, 128, 128]);
    // The top pixel of the disc in column 10 (y = 6) is on the true mask's contour → opaque green over the label.
    expect(at(10 * 4 + 1, 6 * 4)).toEqual([89, 161, 79]);
    expect(at(10 * 4 + 1, 6 * 4 + 2)).toEqual([185, 135, 86]);
    // Outside everything → grey; the box's top edge (y = 4 → output row 16) is white or near-black dashes.
    expect(at(2, 2)).toEqual([128, 128, 128]);
    expect([[255, 255, 255], [20, 20, 20]]).toContainEqual(at(8 * 4 + 1, 4 * 4));
  });

  it('names the malformed field', async () => {
    const bad = { ...labelling, examples: [{ ...example(0), trueMask: new Uint8Array(3) }] };
    await expect(renderRunReport({ ...syntheticReportData(5, 0), labelling: bad })).rejects.toThrow(RunReportDataError);
    await expect(renderRunReport({ ...syntheticReportData(5, 0), labelling: bad })).rejects.toThrow(/labelling\.examples\[0\]\.trueMask: expected a Uint8Array of height\*width = 768 bytes/);
    await expect(renderRunReport({ ...syntheticReportData(5, 0), labelling: { ...labelling, maskIoU: 1.5 } })).rejects.toThrow(/labelling\.maskIoU: expected a number in \[0, 1\], got 1\.5/);
  });

  it('tabulates the breakdown by size and by class; empty groups print a dash', async () => {
    const breakdown = {
      bySize: [
        { name: 'small', instances: 2, maskIoU: 0.4, boxIoU: 0.5 },
        { name: 'medium', instances: 1, maskIoU: 0.8, boxIoU: 0.6 },
        { name: 'large', instances: 0, maskIoU: Number.NaN, boxIoU: Number.NaN },
      ],
      byClass: [{ name: 'teddy bear', instances: 3, maskIoU: 0.533, boxIoU: 0.533 }],
    };
    const html = await renderRunReport({ ...syntheticReportData(20, 1), labelling: { ...labelling, breakdown } });
    expect(html).toContain('<tr><td>small</td><td>2</td><td>0.400</td><td>0.500</td><td>−0.100</td></tr>');
    expect(html).toContain('<tr><td>large</td><td>0</td><td>–</td><td>–</td><td>–</td></tr>');
    expect(html).toContain('<tr><td>teddy bear</td><td>3</td><td>0.533</td><td>0.533</td><td>+0.000</td></tr>');
    expectBalancedTags(html);
    // As read back from eval.json, an empty group's means are null; a filled group's must be IoUs.
    const fromJson = JSON.parse(JSON.stringify(breakdown)) as typeof breakdown;
    await expect(renderRunReport({ ...syntheticReportData(5, 0), labelling: { ...labelling, breakdown: fromJson } })).resolves.toContain('<td>large</td>');
    const bad = { ...breakdown, byClass: [{ name: 'cup', instances: 2, maskIoU: null, boxIoU: 0.5 }] };
    await expect(renderRunReport({ ...syntheticReportData(5, 0), labelling: { ...labelling, breakdown: bad as never } })).rejects.toThrow(/labelling\.breakdown\.byClass\[0\]\.maskIoU: expected a number in \[0, 1\]/);
  });
});
