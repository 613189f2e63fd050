// `boxteacher studio`: label a dataset in the browser. Serves the studio page on 127.0.0.1 with the dataset's
// images and the checkpoint's own files; the page runs the model itself (tfjs webgl, else wasm), so nothing leaves
// the machine. Edits are saved atomically to --out (default NAME.studio.json beside the input, never the input
// unless --overwrite), in the format `boxteacher label` writes; a new session on the same --out continues the work.
// Runs until interrupted (Ctrl+C).
import * as path from 'node:path';
import { MODEL_FLAGS } from './model-flags';
import { UsageError, type FlagSpec, type ParsedFlags } from './parse-args';
import { studioAppDir } from '../studio-server/studio-app-files';
import { openStudioDataset } from '../studio-server/studio-dataset';
import { studioModelFiles } from '../studio-server/studio-model-files';
import { startStudioServer } from '../studio-server/studio-server';

export const STUDIO_FLAGS: Record<string, FlagSpec> = {
  ...MODEL_FLAGS,
  images: { kind: 'string', description: 'the image folder (default: the --coco file’s folder, as for label)' },
  coco: { kind: 'string', description: 'the COCO file to label (default: every image of --images, no annotations yet)' },
  out: { kind: 'string', description: 'where edits are saved (default: NAME.studio.json beside --coco, or beside the --images folder)' },
  overwrite: { kind: 'boolean', description: 'allow --out to be the --coco file itself' },
  port: { kind: 'int', description: 'the port on 127.0.0.1 (default 5173; 0: any free port)' },
};

/** The categories a checkpoint's state.json lists (for a folder without a COCO file); [] when it cannot say. */
async function modelCategories(read: () => Promise<Uint8Array>): Promise<Array<{ id: number; name: string }>> {
  try {
    const state = JSON.parse(new TextDecoder().decode(await read())) as { state?: { categories?: unknown } };
    const list = state.state?.categories;
    return Array.isArray(list) ? list.filter((c): c is { id: number; name: string } => typeof c?.id === 'number' && typeof c?.name === 'string') : [];
  } catch {
    return []; // the page reports the broken state file when it loads the model
  }
}

export async function studioCommand(flags: ParsedFlags): Promise<void> {
  const port = (flags.port as number | undefined) ?? 5173;
  if (port < 0 || port > 65535) throw new UsageError(`--port must be 0…65535, got ${port}`);
  if (flags.images == null && flags.coco == null) throw new UsageError('give --images DIR (a folder of images), --coco FILE, or both');
  const appDir = studioAppDir();
  const model = await studioModelFiles(String(flags.checkpoint), { configFile: flags['config-file'] as string | undefined, from: flags.from as string | undefined });
  const dataset = await openStudioDataset({
    coco: flags.coco as string | undefined,
    images: (flags.images as string | undefined) ?? path.dirname(String(flags.coco)),
    out: flags.out as string | undefined,
    overwrite: flags.overwrite === true,
    categories: await modelCategories(() => model.state.read()),
  });
  const title = `${dataset.input ?? dataset.imagesDir} · ${model.target}`;
  const studio = await startStudioServer({ dataset, model, appDir, port, title });
  for (const note of dataset.notes) process.stderr.write(`[boxteacher] studio: ${note}\n`);
  process.stdout.write(`boxteacher studio: open ${studio.url} (saving to ${dataset.out}; Ctrl+C to stop)\n`);
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      void studio.close().then(resolve);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
