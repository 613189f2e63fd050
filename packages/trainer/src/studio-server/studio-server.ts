// The studio's local server: the page's files, the dataset's COCO file and decoded images, the model's files, and
// saving. It listens on 127.0.0.1 only and answers only requests addressed to itself (a Host header naming
// localhost, same-origin writes), so neither another machine nor a web page on another site can read the images or
// write a file; the page's Content-Security-Policy keeps its own requests on this origin.
import { promises as fs } from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { loadImage } from '@boxteacher/data';
import { InvalidSaveError, saveStudioCoco } from './studio-save';
import type { StudioDataset } from './studio-dataset';
import type { StudioModelFiles } from './studio-model-files';

export interface StudioServerOptions {
  dataset: StudioDataset;
  model: StudioModelFiles;
  appDir: string;
  port: number;
  /** the first line the page shows (dataset and model) */
  title: string;
}

export interface RunningStudio {
  url: string;
  close(): Promise<void>;
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm',
  '.png': 'image/png',
  '.map': 'application/json',
};

// 'wasm-unsafe-eval' lets the page compile tfjs' wasm backend; nothing may be fetched from another origin.
const CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' blob: data:; connect-src 'self'; worker-src 'self' blob:; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/** The largest COCO file the page may save (a bigger body is refused before it is read whole). */
const MAX_SAVE_BYTES = 1 << 30;

function send(res: http.ServerResponse, status: number, body: string | Uint8Array, type: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff', 'Content-Security-Policy': CSP, ...headers });
  res.end(body);
}

const sendJson = (res: http.ServerResponse, status: number, value: unknown) => send(res, status, JSON.stringify(value), 'application/json; charset=utf-8');

async function readBody(req: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_SAVE_BYTES) throw new InvalidSaveError(`not saved: the COCO file is larger than ${MAX_SAVE_BYTES >> 20} MiB`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export async function startStudioServer(o: StudioServerOptions): Promise<RunningStudio> {
  let origin = '';
  const allowedHosts = new Set<string>();

  const routes = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', origin);
    // DNS rebinding: a page on another site that resolves its name to 127.0.0.1 sends its own Host header.
    if (!allowedHosts.has(req.headers.host ?? '')) return send(res, 403, 'this server answers only localhost', 'text/plain');
    if (req.method === 'POST') {
      if (req.headers.origin != null && req.headers.origin !== origin) return send(res, 403, 'cross-origin write refused', 'text/plain');
      if (url.pathname !== '/api/save') return send(res, 404, 'not found', 'text/plain');
      if (!(req.headers['content-type'] ?? '').startsWith('application/json')) return sendJson(res, 415, { error: 'not saved: expected Content-Type application/json' });
      try {
        const saved = await saveStudioCoco(o.dataset.out, await readBody(req), o.dataset.imagesDir);
        return sendJson(res, 200, saved);
      } catch (error) {
        return sendJson(res, error instanceof InvalidSaveError ? 422 : 500, { error: (error as Error).message });
      }
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'method not allowed', 'text/plain');
    const p = url.pathname;
    if (p === '/api/session') {
      return sendJson(res, 200, {
        title: o.title,
        input: o.dataset.input,
        imagesDir: o.dataset.imagesDir,
        out: o.dataset.out,
        model: { target: o.model.target, config: o.model.config.name, state: o.model.state.name, weights: o.model.weights.name },
      });
    }
    if (p === '/api/coco') {
      const working = await o.dataset.working();
      return 'error' in working ? sendJson(res, 422, working) : send(res, 200, working.text, 'application/json; charset=utf-8', { 'X-Coco-File': encodeURIComponent(working.file) });
    }
    const image = /^\/api\/images\/(-?\d+)$/.exec(p);
    if (image) {
      const file = o.dataset.imageFile(Number(image[1]));
      if (file == null) return sendJson(res, 404, { error: `no image with id ${image[1]} in the COCO file` });
      try {
        // Decoded here, by the loader `label` uses (EXIF rotation included), so the page's model sees the same pixels.
        const rgb = await loadImage(file);
        return send(res, 200, rgb.data, 'application/octet-stream', { 'X-Image-Width': String(rgb.width), 'X-Image-Height': String(rgb.height) });
      } catch (error) {
        return sendJson(res, 422, { error: (error as Error).message });
      }
    }
    const modelFile = ({ '/api/model/config.json': o.model.config, '/api/model/state.json': o.model.state, '/api/model/weights.safetensors': o.model.weights } as const)[p as '/api/model/config.json'];
    if (modelFile) {
      try {
        return send(res, 200, await modelFile.read(), 'application/octet-stream');
      } catch (error) {
        return sendJson(res, 500, { error: `cannot read ${modelFile.name}: ${(error as Error).message}` });
      }
    }
    // The page's own files.
    const rel = p === '/' ? 'index.html' : decodeURIComponent(p.slice(1));
    const file = path.resolve(o.appDir, rel);
    if (!file.startsWith(o.appDir + path.sep)) return send(res, 404, 'not found', 'text/plain');
    const bytes = await fs.readFile(file).catch(() => null);
    if (bytes == null) return send(res, 404, 'not found', 'text/plain');
    return send(res, 200, bytes, CONTENT_TYPES[path.extname(file)] ?? 'application/octet-stream');
  };

  const server = http.createServer((req, res) => {
    routes(req, res).catch((error: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { error: (error as Error).message });
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, '127.0.0.1', () => resolve());
  }).catch((error: NodeJS.ErrnoException) => {
    throw new Error(error.code === 'EADDRINUSE' ? `--port ${o.port}: the port is in use (choose another, or --port 0 for any free one)` : `cannot listen on 127.0.0.1:${o.port}: ${error.message}`);
  });
  const { port } = server.address() as AddressInfo;
  origin = `http://127.0.0.1:${port}`;
  for (const host of ['127.0.0.1', 'localhost']) allowedHosts.add(`${host}:${port}`);
  return {
    url: `${origin}/`,
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
