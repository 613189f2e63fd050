// The page's side of the local server's API (packages/trainer/src/studio-server/studio-server.ts). Every failure
// becomes an Error whose message is the server's one line (it names the file and what is wrong).
import type { RgbImage } from '@boxteacher/data';

export interface StudioSession {
  title: string;
  input: string | null;
  imagesDir: string;
  out: string;
  model: { target: string; config: string; state: string; weights: string };
}

export interface SavedCoco {
  file: string;
  images: number;
  annotations: number;
  labelled: number;
}

async function failure(res: Response, what: string): Promise<Error> {
  const text = await res.text().catch(() => '');
  try {
    const { error } = JSON.parse(text) as { error?: string };
    if (error) return new Error(error);
  } catch {
    // not JSON: say what we have
  }
  return new Error(`${what}: the server answered ${res.status} ${text.slice(0, 200)}`);
}

async function get(url: string, what: string): Promise<Response> {
  let res: Response;
  try {
    res = await fetch(url, { cache: 'no-store' });
  } catch {
    throw new Error(`${what}: the studio server does not answer (was boxteacher studio stopped?)`);
  }
  if (!res.ok) throw await failure(res, what);
  return res;
}

export const api = {
  async session(): Promise<StudioSession> {
    return (await get('/api/session', 'the session')).json() as Promise<StudioSession>;
  },
  /** The working COCO file's text and name. */
  async coco(): Promise<{ text: string; file: string }> {
    const res = await get('/api/coco', 'the COCO file');
    return { text: await res.text(), file: decodeURIComponent(res.headers.get('X-Coco-File') ?? '') };
  },
  /** One image as decoded by the server (the pixels `boxteacher label` sees). */
  async image(id: number): Promise<RgbImage> {
    const res = await get(`/api/images/${id}`, `image ${id}`);
    const width = Number(res.headers.get('X-Image-Width'));
    const height = Number(res.headers.get('X-Image-Height'));
    const data = new Uint8Array(await res.arrayBuffer());
    if (!(width > 0 && height > 0) || data.length !== width * height * 3) throw new Error(`image ${id}: the server sent ${data.length} bytes for ${width}×${height} RGB`);
    return { data, width, height };
  },
  async modelFile(name: 'config.json' | 'state.json' | 'weights.safetensors'): Promise<Uint8Array> {
    return new Uint8Array(await (await get(`/api/model/${name}`, `the model's ${name}`)).arrayBuffer());
  },
  async save(text: string): Promise<SavedCoco> {
    let res: Response;
    try {
      res = await fetch('/api/save', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: text });
    } catch {
      throw new Error('not saved: the studio server does not answer (was boxteacher studio stopped?); the edits stay in this page');
    }
    if (!res.ok) throw await failure(res, 'save');
    return res.json() as Promise<SavedCoco>;
  },
};
