// Builds packages/trainer/test/fixtures/official/train-step.safetensors.gz from the official training-step dumps in
// /work/shared/official (see its README.md, "Training-step files"): for BoxTeacher and for BoxInst, what the mask
// losses see — the student's mask features, the positive locations kept for the mask loss with their
// controller outputs, the per-image targets (box masks, pseudo masks, flags, pseudo affinities, colour
// similarities), the batch images, P7 — every loss the official code returned and the gradients it saved. Names get
// a `boxteacher.` or `boxinst.` prefix. The teacher's raw outputs and the larger student features are left out.
// Run: npx tsx --conditions=@boxteacher/source tools/official/make-train-fixture.ts [/work/shared/official]
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { encodeSafetensors, parseSafetensors, type RawTensor } from '@boxteacher/core';

const source = process.argv[2] ?? '/work/shared/official';
const target = path.resolve(import.meta.dirname, '../../packages/trainer/test/fixtures/official/train-step.safetensors.gz');
const KEEP = /^(loss\.|mask_loss\.pred\.|targets\.|batch\.|student_fwd\.mask_branch\.mask_feats$|student_fwd\.fpn\.p7$|grad_total\.)/;

const out = new Map<string, RawTensor>();
for (const method of ['boxteacher', 'boxinst']) {
  const file = `train_${method}.safetensors`;
  const { tensors } = parseSafetensors(await fs.readFile(path.join(source, file)), file);
  for (const [name, t] of tensors) if (KEEP.test(name)) out.set(`${method}.${name}`, t);
}
const bytes = gzipSync(encodeSafetensors(out, { source: 'hustvl/BoxTeacher@6692d92 outputs, /work/shared/official (see its README.md)' }), { level: 9 });
await fs.writeFile(target, bytes);
console.log(`${out.size} arrays, ${bytes.byteLength} bytes → ${target}`);
