// The bad-input corpus: each class of broken input, as a real file on disk, given to the real `boxteacher` CLI.
// Every case must exit with the documented code (2 usage/config, 1 anything else) and say in one to four lines
// which flag or file is wrong and what was expected, with no stack trace and no raw Node error.
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { presetConfig } from '../../src/config/presets';
import { runCli } from './cli-runner';
import { expectCleanError } from './clean-error';

let dir = '';

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'boxteacher-bad-input-'));
  // Binary bytes (with a zero byte), a truncated JSON document, a COCO file with a string box.
  await fs.writeFile(path.join(dir, 'binary.json'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d]));
  await fs.writeFile(path.join(dir, 'truncated.json'), '{"images": [{"id": 1, "file_name": "a.png"');
  await fs.writeFile(path.join(dir, 'syntax.json'), '{"seed": 1,\n "method": boxinst}');
  // An FPN width the FCOS towers' GroupNorm (32 groups) cannot divide: a config error, before any data is prepared.
  await fs.writeFile(path.join(dir, 'fpn16.json'), JSON.stringify({ preset: 'demo', model: { fpnChannels: 16 } }));
  const coco = (bbox: unknown[]) => JSON.stringify({
    images: [{ id: 1, file_name: 'a.png', width: 10, height: 10 }],
    annotations: [{ id: 1, image_id: 1, category_id: 1, bbox, area: 1, iscrowd: 0 }],
    categories: [{ id: 1, name: 'a' }],
  });
  await fs.writeFile(path.join(dir, 'string-box.json'), coco([1, 2, 'x', 4]));
  await fs.writeFile(path.join(dir, 'negative-box.json'), coco([1, 2, -3, 4]));
  // A run folder whose weights file is not safetensors: its 8-byte header length is larger than the file.
  const step = path.join(dir, 'run', 'checkpoints', 'step-0000001');
  await fs.mkdir(step, { recursive: true });
  await fs.writeFile(path.join(dir, 'run', 'config.json'), JSON.stringify(presetConfig('demo')));
  await fs.writeFile(path.join(step, 'state.json'), JSON.stringify({ step: 1, state: { numClasses: 3, categories: [] } }));
  const header = Buffer.alloc(8);
  header.writeBigUInt64LE(1_000_000n);
  await fs.writeFile(path.join(step, 'model.safetensors'), Buffer.concat([header, Buffer.from('{"a":')]));
  await fs.writeFile(path.join(dir, 'lonely.safetensors'), header);
  // A valid COCO file over a real (1×1 PNG) image, so the checkpoint is what fails.
  await fs.writeFile(path.join(dir, 'a.png'), Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGNgYGAAAAAEAAH2FzhVAAAAAElFTkSuQmCC', 'base64'));
  await fs.writeFile(path.join(dir, 'ok.json'), JSON.stringify({
    images: [{ id: 1, file_name: 'a.png', width: 1, height: 1 }],
    annotations: [{ id: 1, image_id: 1, category_id: 1, bbox: [0, 0, 1, 1], area: 1, iscrowd: 0 }],
    categories: [{ id: 1, name: 'a' }],
  }));
});

describe('boxteacher: bad input gives one clear error', () => {
  it('a bad flag value (exit 2, the command named once)', async () => {
    await expectCleanError(['train', '--max-iter', '1.5'], 2, /--max-iter expects an integer, got "1\.5"/);
  });

  it('an unknown flag and an unknown command (exit 2)', async () => {
    await expectCleanError(['label', '--cocoo', 'x.json'], 2, /unknown flag --cocoo; valid flags: /);
    const result = await runCli(['trian']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/unknown command "trian"; valid commands: train/);
  });

  it('a config that is binary or truncated (exit 2, names the file)', async () => {
    await expectCleanError(['train', '--config', path.join(dir, 'binary.json')], 2, /--config .*binary\.json: not a JSON text file \(a zero byte at offset 8\)/);
    await expectCleanError(['train', '--config', path.join(dir, 'truncated.json')], 2, /--config .*truncated\.json: not valid JSON: the file ends early \(truncated\?\) at line 1, at \.images\[0\]\.file_name/);
    await expectCleanError(['train', '--config', path.join(dir, 'syntax.json')], 2, /--config .*syntax\.json: not valid JSON: line 2, at \.method: found "boxinst}"; expected a JSON value/);
  });

  it('a model width the network cannot be built with (exit 2 at config time, names the key)', async () => {
    const out = path.join(dir, 'fpn16-run');
    await expectCleanError(['train', '--config', path.join(dir, 'fpn16.json'), '--out', out], 2,
      /^boxteacher train: .*fpn16\.json: config model\.fpnChannels: expected a multiple of 32 \(the FCOS head's towers use GroupNorm with 32 groups\), got 16; e\.g\. 32$/);
    await expect(fs.access(out)).rejects.toThrow(); // rejected before the run folder was made
  });

  it('a missing, binary or malformed COCO file (exit 1, names the file and JSON path)', async () => {
    const label = (coco: string) => ['label', '--checkpoint', path.join(dir, 'run'), '--coco', path.join(dir, coco), '--images', dir, '--out', path.join(dir, 'out.json')];
    await expectCleanError(label('missing.json'), 1, /--coco .*missing\.json: no such file/);
    await expectCleanError(label('binary.json'), 1, /--coco .*binary\.json: not a JSON text file/);
    await expectCleanError(label('string-box.json'), 1, /string-box\.json: annotations\[0\]\.bbox\[2\]: found the string "x"; expected a finite number/);
    await expectCleanError(label('negative-box.json'), 1, /negative-box\.json: annotations\[0\]\.bbox/);
    await expect(fs.access(path.join(dir, 'out.json'))).rejects.toThrow(); // nothing half-written
  });

  it('a missing, lonely or corrupt checkpoint (exit 1, names the file)', async () => {
    const string = path.join(dir, 'string-box.json');
    await expectCleanError(['eval', '--checkpoint', path.join(dir, 'nope'), '--coco', string, '--images', dir], 1, /--checkpoint .*nope: no such folder or \.safetensors file/);
    await expectCleanError(['eval', '--checkpoint', path.join(dir, 'nope.safetensors'), '--coco', string, '--images', dir], 1, /--checkpoint .*nope\.safetensors: no such file/);
    await expectCleanError(['eval', '--checkpoint', path.join(dir, 'lonely.safetensors'), '--coco', string, '--images', dir], 1,
      /lonely\.safetensors: the run config .*config\.json: no such file \(a \.safetensors file must stay inside its run folder/);
    await expectCleanError(['eval', '--checkpoint', path.join(dir, 'run'), '--coco', path.join(dir, 'ok.json'), '--images', dir], 1, /model\.safetensors: header length 1000000 exceeds the file size 13/);
  });
});
