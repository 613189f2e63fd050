// The studio page's controller: the dataset, the image on screen, the model, and what the user does to them.
// Edits are saved to the local server shortly after each one (and with Ctrl+S); a reload opens the saved file.
// A broken model, COCO file or image is reported in the page, naming the file; nothing already labelled is lost.
import type { RgbImage } from '@boxteacher/data';
import { api, type StudioSession } from './api-client';
import { choosePageBackend } from './page-backend';
import { PageModel, type BoxLabel } from './page-model';
import { ImageView } from './image-view';
import { RateEta } from './rate-eta';
import { ACTION_NAMES, actionOf, SHORTCUTS, type StudioAction } from './shortcuts';
import { hasMask, WorkingDataset, type StudioAnnotation, type StudioImage } from './working-dataset';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

/** What tests and the benchmark read (`window.__studio`). */
export interface StudioHooks {
  ready: boolean;
  backend: string;
  modelLoaded: boolean;
  imageId: number | null;
  /** ms from mouse-up to the mask drawn, per drawn box */
  maskTimings: number[];
  lastSave: string | null;
  /** boxes with masks in the last save (a box is autosaved before its mask is accepted, so tests wait on this) */
  lastSaveLabelled: number | null;
  batch: { done: number; total: number; seconds: number } | null;
  errors: string[];
  geometry(): ReturnType<ImageView['geometry']>;
  /** boxes in the dataset, and how many have a mask */
  counts(): { boxes: number; masked: number };
}

const SAVE_DELAY_MS = 600;
/** Decoded images kept for going back and forth. */
const IMAGE_CACHE = 4;
/** Image list entries drawn around the current one (a 100 k-image dataset is not put in the page whole). */
const LIST_WINDOW = 150;

export class StudioApp {
  private session!: StudioSession;
  private dataset: WorkingDataset | null = null;
  private model: PageModel | null = null;
  private readonly view: ImageView;
  private index = 0;
  private current: { image: StudioImage; rgb: RgbImage | null } | null = null;
  private readonly images = new Map<number, RgbImage>();
  private selected: StudioAnnotation | null = null;
  private readonly pending = new Map<StudioAnnotation, BoxLabel>();
  private redrawing: StudioAnnotation | null = null;
  private saveTimer: ReturnType<typeof setTimeout> | null = null;
  private saving: Promise<void> = Promise.resolve();
  private cancelBatch = false;
  private busy = 0;
  readonly hooks: StudioHooks;

  constructor() {
    this.view = new ImageView($('canvas-host'));
    this.view.onBox = (bbox, at) => void this.boxDrawn(bbox, at);
    this.view.onSelect = (a) => this.select(a);
    this.hooks = { ready: false, backend: '', modelLoaded: false, imageId: null, maskTimings: [], lastSave: null, lastSaveLabelled: null, batch: null, errors: [], geometry: () => this.view.geometry(), counts: () => ({ boxes: this.dataset?.json.annotations.length ?? 0, masked: this.dataset?.json.annotations.filter(hasMask).length ?? 0 }) };
    (window as unknown as { __studio: StudioHooks }).__studio = this.hooks;
    this.wireControls();
  }

  async start(): Promise<void> {
    try {
      this.session = await api.session();
    } catch (error) {
      this.error('Session', error);
      return;
    }
    $('title').textContent = this.session.title;
    document.title = `BoxTeacher Studio · ${this.session.input ?? this.session.imagesDir}`;
    $('out').textContent = `saves to ${this.session.out}`;
    const modelReady = this.loadModel();
    try {
      const coco = await api.coco();
      this.dataset = new WorkingDataset(coco.text);
      this.dataset.onChange = () => this.changed();
    } catch (error) {
      this.error('COCO file', error);
    }
    await modelReady;
    if (this.dataset) {
      this.fillCategories();
      const fromHash = Number(new URLSearchParams(location.hash.slice(1)).get('image'));
      const at = this.dataset.images.findIndex((im) => im.id === fromHash);
      await this.show(at >= 0 ? at : 0);
    }
    this.hooks.ready = true;
    document.body.dataset.ready = 'true';
  }

  private async loadModel(): Promise<void> {
    const badge = $('backend');
    try {
      const requested = new URLSearchParams(location.search).get('backend');
      const backend = await choosePageBackend(requested);
      this.hooks.backend = backend.name;
      badge.title = backend.note ? `fell back to ${backend.name}: ${backend.note}` : `TensorFlow.js ${backend.name} backend`;
      badge.textContent = `loading the model (${backend.name})…`;
      this.model = await PageModel.load(this.session);
      this.hooks.modelLoaded = true;
      badge.textContent = `model: ${backend.name}${backend.note ? ` (${backend.name === 'wasm' ? 'not WebGL' : 'fallback'}: hover for why)` : ''}`;
      badge.className = 'badge ok';
    } catch (error) {
      badge.textContent = 'no model';
      badge.className = 'badge bad';
      this.error('Model', error);
    }
  }

  // ---- messages -------------------------------------------------------------------------------------------------

  private error(where: string, error: unknown): void {
    const message = `${where}: ${error instanceof Error ? error.message : String(error)}`;
    this.hooks.errors.push(message);
    const item = document.createElement('div');
    item.className = 'error';
    item.textContent = message;
    const close = document.createElement('button');
    close.textContent = '×';
    close.title = 'dismiss';
    close.onclick = () => item.remove();
    item.append(close);
    $('errors').append(item);
  }

  private say(text: string): void {
    $('status').textContent = text;
  }

  // ---- images ---------------------------------------------------------------------------------------------------

  private async rgbOf(image: StudioImage): Promise<RgbImage> {
    const hit = this.images.get(image.id);
    if (hit) return hit;
    const rgb = await api.image(image.id);
    this.images.set(image.id, rgb);
    while (this.images.size > IMAGE_CACHE) this.images.delete(this.images.keys().next().value!);
    return rgb;
  }

  private async show(index: number): Promise<void> {
    const ds = this.dataset;
    if (!ds || ds.images.length === 0) {
      this.say('the dataset has no images');
      return;
    }
    this.index = Math.min(Math.max(index, 0), ds.images.length - 1);
    const image = ds.images[this.index]!;
    this.pending.clear();
    this.redrawing = null;
    this.selected = null;
    this.current = { image, rgb: null };
    this.hooks.imageId = image.id;
    history.replaceState(null, '', `#image=${image.id}`);
    $('caption').textContent = `${image.file_name} · ${image.width}×${image.height} · image ${this.index + 1} of ${ds.images.length}`;
    try {
      const rgb = await this.rgbOf(image);
      if (this.current?.image !== image) return; // moved on meanwhile
      this.current.rgb = rgb;
      this.view.setImage(rgb);
    } catch (error) {
      this.view.setImage(null);
      this.error(image.file_name, error);
    }
    this.render();
  }

  // ---- editing --------------------------------------------------------------------------------------------------

  private currentCategory(): number {
    return Number(($('category') as HTMLSelectElement).value);
  }

  private async boxDrawn(bbox: [number, number, number, number], mouseUpAt: number): Promise<void> {
    const ds = this.dataset;
    const cur = this.current;
    if (!ds || !cur?.rgb) return;
    let a: StudioAnnotation;
    if (this.redrawing) {
      a = this.redrawing;
      this.redrawing = null;
      ds.setBox(a, bbox);
    } else {
      a = ds.addBox(cur.image.id, bbox, this.currentCategory());
    }
    this.selected = a;
    this.pending.delete(a);
    this.render();
    if (!this.model) return this.say('no model loaded: the box is kept without a mask');
    await this.work(async () => {
      const [x, y, w, h] = bbox;
      const [label] = await this.model!.label(cur.image.id, cur.rgb!, Float32Array.of(x, y, x + w, y + h));
      if (this.current !== cur || !ds.json.annotations.includes(a)) return;
      this.pending.set(a, label!);
      this.render();
      await new Promise(requestAnimationFrame); // the mask is on screen at the next frame
      this.hooks.maskTimings.push(performance.now() - mouseUpAt);
      this.say(`mask score ${label!.mask_score.toFixed(3)} · A accepts, R rejects, E redraws`);
    });
  }

  private select(a: StudioAnnotation | null): void {
    this.selected = a;
    if (a) ($('category') as HTMLSelectElement).value = String(a.category_id);
    this.render();
  }

  private act(action: StudioAction): void {
    const ds = this.dataset;
    const a = this.selected;
    switch (action) {
      case 'next':
        void this.show(this.index + 1);
        return;
      case 'previous':
        void this.show(this.index - 1);
        return;
      case 'save':
        void this.saveNow();
        return;
      case 'label-image':
        void this.labelCurrentImage();
        return;
      case 'deselect':
        this.redrawing = null;
        this.select(null);
        return;
      case 'undo': {
        const what = ds?.undo();
        this.pending.clear();
        this.say(what ? `undone: ${what}` : 'nothing to undo');
        this.render();
        return;
      }
    }
    if (!ds || !a) return this.say('select a box first (click it)');
    if (action === 'accept') {
      const label = this.pending.get(a);
      if (!label) return this.say(hasMask(a) ? 'this box’s mask is already accepted' : 'no mask to accept: press L to label this image');
      this.pending.delete(a);
      ds.setMask(a, label.segmentation, label.mask_score);
      this.say(`accepted (mask score ${label.mask_score.toFixed(3)})`);
    } else if (action === 'reject') {
      if (this.pending.delete(a)) this.say('mask rejected: the box stays, without a mask');
      else ds.clearMask(a);
    } else if (action === 'redraw') {
      this.redrawing = a;
      this.say('drag the new box (Esc cancels)');
    } else if (action === 'delete') {
      this.pending.delete(a);
      ds.remove(a);
      this.selected = null;
    }
    this.render();
  }

  /** Runs `task` with the busy indicator; failures are reported, not thrown. */
  private async work(task: () => Promise<void>): Promise<void> {
    this.busy++;
    document.body.classList.add('busy');
    try {
      await task();
    } catch (error) {
      this.error('Labelling', error);
    } finally {
      if (--this.busy === 0) document.body.classList.remove('busy');
    }
  }

  /** Labels every box of `image` as `boxteacher label` does (all its boxes in one call); sets the masks of those without one. */
  private async labelImage(image: StudioImage): Promise<number> {
    const ds = this.dataset!;
    const anns = ds.annotationsOf(image.id);
    if (anns.length === 0 || anns.every(hasMask)) return 0;
    const rgb = await this.rgbOf(image);
    const boxes = Float32Array.from(anns.flatMap((a) => [a.bbox[0], a.bbox[1], a.bbox[0] + a.bbox[2], a.bbox[1] + a.bbox[3]]));
    const labels = await this.model!.label(image.id, rgb, boxes);
    let set = 0;
    ds.group(`label ${image.file_name}`, () => {
      anns.forEach((a, k) => {
        if (hasMask(a)) return;
        ds.setMask(a, labels[k]!.segmentation, labels[k]!.mask_score);
        this.pending.delete(a);
        set++;
      });
    });
    return set;
  }

  private async labelCurrentImage(): Promise<void> {
    if (!this.model || !this.current) return this.say('no model loaded');
    const image = this.current.image;
    await this.work(async () => {
      const n = await this.labelImage(image);
      this.say(n > 0 ? `labelled ${n} box${n > 1 ? 'es' : ''}` : 'every box of this image has a mask');
      this.render();
    });
  }

  private async labelDataset(): Promise<void> {
    const ds = this.dataset;
    if (!ds || !this.model) return this.say('no model loaded');
    const todo = ds.images.filter((im) => ds.status(im.id) === 'partial');
    if (todo.length === 0) return this.say('every box of every image has a mask');
    const eta = new RateEta(todo.length);
    const bar = $('batch-bar') as HTMLProgressElement;
    $('batch').hidden = false;
    bar.max = todo.length;
    this.cancelBatch = false;
    const started = performance.now();
    let done = 0;
    await this.work(async () => {
      for (const image of todo) {
        if (this.cancelBatch) break;
        try {
          await this.labelImage(image);
        } catch (error) {
          this.error(image.file_name, error);
        }
        done++;
        bar.value = done;
        $('batch-text').textContent = eta.line(done);
        this.hooks.batch = { done, total: todo.length, seconds: (performance.now() - started) / 1000 };
        if (image.id === this.current?.image.id) this.render();
        else this.renderList();
        this.renderProgress();
      }
    });
    this.model.forget();
    $('batch-text').textContent = `${this.cancelBatch ? 'stopped' : 'done'}: ${eta.line(done)}`;
    this.render();
  }

  // ---- saving ---------------------------------------------------------------------------------------------------

  private changed(): void {
    $('save-status').textContent = 'unsaved changes';
    $('save-status').className = 'dirty';
    if (this.saveTimer) clearTimeout(this.saveTimer);
    this.saveTimer = setTimeout(() => void this.saveNow(), SAVE_DELAY_MS);
  }

  private async saveNow(): Promise<void> {
    if (this.saveTimer) clearTimeout(this.saveTimer);
    this.saveTimer = null;
    const ds = this.dataset;
    if (!ds) return;
    // One save at a time, in order: the last edit is always in the last save.
    this.saving = this.saving.then(async () => {
      if (!ds.dirty) return;
      ds.dirty = false;
      try {
        const saved = await api.save(ds.toText());
        const line = `saved ${new Date().toLocaleTimeString()} · ${saved.labelled} of ${saved.annotations} boxes with masks`;
        this.hooks.lastSave = saved.file;
        this.hooks.lastSaveLabelled = saved.labelled;
        if (!ds.dirty) {
          $('save-status').textContent = line;
          $('save-status').className = 'saved';
        }
      } catch (error) {
        ds.dirty = true;
        $('save-status').textContent = 'NOT SAVED';
        $('save-status').className = 'bad';
        this.error('Save', error);
      }
    });
    await this.saving;
  }

  // ---- drawing --------------------------------------------------------------------------------------------------

  private fillCategories(): void {
    const select = $('category') as HTMLSelectElement;
    const cats = this.dataset!.categories.length > 0 ? this.dataset!.categories : (this.model?.categories ?? []);
    select.replaceChildren(...cats.map((c, i) => new Option(`${i < 9 ? `${i + 1} · ` : ''}${c.name}`, String(c.id))));
    select.onchange = () => {
      if (this.selected && this.dataset) this.dataset.setCategory(this.selected, Number(select.value));
      this.render();
      select.blur();
    };
  }

  private render(): void {
    const ds = this.dataset;
    if (!ds || !this.current) return;
    const anns = ds.annotationsOf(this.current.image.id);
    this.view.setAnnotations(anns.map((a) => ({ annotation: a, pending: this.pending.get(a) ?? null, selected: a === this.selected })));
    const a = this.selected;
    const sel = $('selection');
    if (!a) sel.textContent = `${anns.length} box${anns.length === 1 ? '' : 'es'} on this image · drag to draw one`;
    else {
      const cat = ds.categories.find((c) => c.id === a.category_id)?.name ?? `category ${a.category_id}`;
      const label = this.pending.get(a);
      const state = label ? `proposed mask, score ${label.mask_score.toFixed(3)}` : hasMask(a) ? `mask accepted${a.mask_score != null ? `, score ${a.mask_score.toFixed(3)}` : ''}` : 'no mask';
      sel.textContent = `box ${a.id} · ${cat} · ${a.bbox.map((v) => Math.round(v)).join(', ')} · ${state}`;
    }
    this.renderList();
    this.renderProgress();
  }

  private renderProgress(): void {
    if (!this.dataset) return;
    const { labelled, total } = this.dataset.progress();
    $('progress').textContent = `${labelled} / ${total} images labelled`;
    ($('progress-bar') as HTMLProgressElement).max = Math.max(total, 1);
    ($('progress-bar') as HTMLProgressElement).value = labelled;
  }

  private renderList(): void {
    const ds = this.dataset!;
    const from = Math.max(0, this.index - LIST_WINDOW / 2);
    const items = ds.images.slice(from, from + LIST_WINDOW).map((im, k) => {
      const li = document.createElement('li');
      const status = ds.status(im.id);
      li.className = `${status}${from + k === this.index ? ' current' : ''}`;
      li.textContent = im.file_name;
      li.title = `${im.file_name}: ${status === 'done' ? 'every box has a mask' : status === 'partial' ? 'boxes without masks' : 'no boxes'}`;
      li.onclick = () => void this.show(from + k);
      return li;
    });
    $('image-list').replaceChildren(...items);
    document.querySelector('#image-list .current')?.scrollIntoView({ block: 'nearest' });
  }

  private wireControls(): void {
    const buttons: Array<[string, StudioAction]> = [['accept', 'accept'], ['reject', 'reject'], ['redraw', 'redraw'], ['delete', 'delete'], ['undo', 'undo'], ['label-image', 'label-image'], ['save', 'save'], ['next', 'next'], ['previous', 'previous']];
    for (const [id, action] of buttons) $(id).addEventListener('click', () => this.act(action));
    $('label-all').addEventListener('click', () => void this.labelDataset());
    $('batch-cancel').addEventListener('click', () => {
      this.cancelBatch = true;
    });
    $('shortcuts').replaceChildren(...SHORTCUTS.map((s) => {
      const row = document.createElement('li');
      const key = document.createElement('kbd');
      key.textContent = s.label;
      row.append(key, ` ${ACTION_NAMES[s.action]}`);
      return row;
    }), Object.assign(document.createElement('li'), { textContent: '1–9 choose a category' }));
    window.addEventListener('keydown', (e) => {
      if (e.target instanceof HTMLSelectElement || e.target instanceof HTMLInputElement) return;
      const action = actionOf(e);
      if (action == null) return;
      e.preventDefault();
      if (typeof action === 'number') {
        const select = $('category') as HTMLSelectElement;
        if (action <= select.options.length) {
          select.selectedIndex = action - 1;
          select.dispatchEvent(new Event('change'));
        }
        return;
      }
      this.act(action);
    });
    window.addEventListener('beforeunload', (e) => {
      if (this.dataset?.dirty) e.preventDefault();
    });
  }
}
