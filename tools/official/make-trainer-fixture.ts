// Builds the compact official-parity fixture of packages/trainer/test/fixtures/official/ from the official
// BoxTeacher outputs in /work/shared/official (see its README.md): the TEACHER half of weights.safetensors (names
// kept, `teacher.` prefix included) and every inference stage of image 000000000009, each gzip-compressed.
// The tests need only these two files, never /work/shared.
// Run: npx tsx --conditions=@boxteacher/source tools/official/make-trainer-fixture.ts [/work/shared/official]
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { encodeSafetensors, parseSafetensors, type RawTensor } from '@boxteacher/core';

const source = process.argv[2] ?? '/work/shared/official';
const target = path.resolve(import.meta.dirname, '../../packages/trainer/test/fixtures/official');
const IMAGE = '000000000009';
// Recoverable exactly from input_image_bgr_uint8 (the README's "Compact mode"): the test rebuilds and checks it.
const DROP = new Set(['input_tensor']);

async function read(file: string): Promise<{ tensors: Map<string, RawTensor>; metadata: Record<string, string> }> {
  return parseSafetensors(await fs.readFile(path.join(source, file)), file);
}

async function write(file: string, tensors: Map<string, RawTensor>, metadata: Record<string, string>): Promise<number> {
  const bytes = gzipSync(encodeSafetensors(tensors, metadata), { level: 9 });
  await fs.writeFile(path.join(target, file), bytes);
  return bytes.byteLength;
}

await fs.mkdir(target, { recursive: true });
const weights = await read('weights.safetensors');
const teacher = new Map([...weights.tensors].filter(([name]) => name.startsWith('teacher.')));
const inference = await read(`infer_boxteacher_${IMAGE}.safetensors`);
const stages = new Map([...inference.tensors].filter(([name]) => !DROP.has(name)));
const meta = { source: 'hustvl/BoxTeacher@6692d92 outputs, /work/shared/official (see its README.md)', image: IMAGE };
const a = await write('teacher-weights.safetensors.gz', teacher, { ...weights.metadata, ...meta });
const b = await write(`infer-boxteacher-${IMAGE}.safetensors.gz`, stages, { ...inference.metadata, ...meta });
// The student half (the BoxInst weights, and the teacher's student) and what the official BoxInst path and
// BoxTeacher's postprocess on the student gave for the same image: their proposals and final instances.
const student = new Map([...weights.tensors].filter(([name]) => name.startsWith('student.')));
const c = await write('student-weights.safetensors.gz', student, { ...weights.metadata, ...meta });
const boxinst = await read(`infer_boxinst_${IMAGE}.safetensors`);
const btStudent = await read(`infer_btstudent_${IMAGE}.safetensors`);
const students = new Map<string, RawTensor>([
  ...[...boxinst.tensors].filter(([name]) => name.startsWith('final.') || name.startsWith('proposals.')).map(([k, v]) => [`boxinst.${k}`, v] as [string, RawTensor]),
  ...[...btStudent.tensors].map(([k, v]) => [`btstudent.${k}`, v] as [string, RawTensor]),
]);
const d = await write(`infer-student-${IMAGE}.safetensors.gz`, students, { ...boxinst.metadata, ...meta });
console.log(`teacher weights: ${teacher.size} tensors, ${a} bytes; stages: ${stages.size} arrays, ${b} bytes; student weights ${c} bytes; student outputs ${d} bytes`);
