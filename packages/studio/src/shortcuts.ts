// The keyboard: one table, shown in the page's help and read by the key handler, so the two never disagree.
export type StudioAction = 'next' | 'previous' | 'accept' | 'reject' | 'redraw' | 'delete' | 'undo' | 'label-image' | 'save' | 'deselect';

export const SHORTCUTS: ReadonlyArray<{ keys: string[]; label: string; action: StudioAction; ctrl?: boolean }> = [
  { keys: ['ArrowRight', 'n'], label: '→ / N', action: 'next' },
  { keys: ['ArrowLeft', 'p'], label: '← / P', action: 'previous' },
  { keys: ['a', 'Enter'], label: 'A / Enter', action: 'accept' },
  { keys: ['r'], label: 'R', action: 'reject' },
  { keys: ['e'], label: 'E', action: 'redraw' },
  { keys: ['Delete', 'Backspace'], label: 'Del', action: 'delete' },
  { keys: ['z'], label: 'Ctrl+Z', action: 'undo', ctrl: true },
  { keys: ['l'], label: 'L', action: 'label-image' },
  { keys: ['s'], label: 'Ctrl+S', action: 'save', ctrl: true },
  { keys: ['Escape'], label: 'Esc', action: 'deselect' },
];

export const ACTION_NAMES: Record<StudioAction, string> = {
  next: 'next image',
  previous: 'previous image',
  accept: 'accept the mask',
  reject: 'reject the mask (keep the box)',
  redraw: 'redraw the selected box',
  delete: 'delete the selected box',
  undo: 'undo',
  'label-image': 'label every box of this image',
  save: 'save now',
  deselect: 'deselect / cancel redraw',
};

/** The action of a key press, or null; 1-9 choose a category (returned as a number). */
export function actionOf(e: KeyboardEvent): StudioAction | number | null {
  const ctrl = e.ctrlKey || e.metaKey;
  const key = e.key.length === 1 ? e.key.toLowerCase() : e.key;
  for (const s of SHORTCUTS) if (s.keys.includes(key) && Boolean(s.ctrl) === ctrl) return s.action;
  if (!ctrl && /^[1-9]$/.test(key)) return Number(key);
  return null;
}
