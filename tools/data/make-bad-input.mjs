#!/usr/bin/env node
// Writes the malformed-input corpus packages/data/test/bad-input/ and its manifest expected.json: each file
// with the one error (code, JSON path, message pattern) or the counted warnings readCoco / loadImage must report.
// Also writes the valid odd images (greyscale PNG, RGBA PNG, EXIF-rotated JPEG, WebP) into test/fixtures/images/.
// Run from the repository root: node tools/data/make-bad-input.mjs
import { mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const sharp = createRequire(join(root, 'packages/data/package.json'))('sharp');
const OUT = join(root, 'packages/data/test/bad-input');
const IMG = join(root, 'packages/data/test/fixtures/images');
rmSync(OUT, { recursive: true, force: true });
mkdirSync(OUT, { recursive: true });
mkdirSync(IMG, { recursive: true });

const base = () => ({
  images: [
    { id: 1, file_name: 'a.jpg', height: 80, width: 120 },
    { id: 2, file_name: 'b.jpg', height: 60, width: 60 },
  ],
  annotations: [
    { id: 1, image_id: 1, category_id: 3, bbox: [10, 20, 30, 40], area: 1200, iscrowd: 0, segmentation: [[10, 20, 40, 20, 40, 60, 10, 60]] },
    { id: 2, image_id: 2, category_id: 5, bbox: [5, 5, 10, 10], area: 100, iscrowd: 0, segmentation: [[5, 5, 15, 5, 15, 15]] },
  ],
  categories: [
    { id: 3, name: 'cat' },
    { id: 5, name: 'dog' },
  ],
});
const manifest = [];
const json = (name, doc, expect) => {
  if (typeof doc === 'string' && doc === text) throw new Error(`${name}: the mutation did not apply`);
  writeFileSync(join(OUT, name), typeof doc === 'string' ? doc : JSON.stringify(doc, null, 1));
  manifest.push({ file: name, reader: 'readCoco', ...expect });
};
const err = (code, path, match) => ({ kind: 'error', code, path, match });
const mutate = (f) => {
  const d = base();
  f(d);
  return d;
};
const text = JSON.stringify(base(), null, 1);

json('trailing-comma.json', text.replace(/\}\n \],\n "annotations"/, '},\n ],\n "annotations"'), err('INVALID_JSON', 'images[2]', 'trailing comma'));
const flat = JSON.stringify(base());
json('missing-colon.json', flat.replace('"bbox":[5,5', '"bbox"[5,5'), err('INVALID_JSON', 'annotations[1].bbox', "expected ':'"));
json('nan-in-bbox.json', JSON.stringify(mutate((d) => (d.annotations[0].bbox[2] = '__NAN__')), null, 1).replace('"__NAN__"', 'NaN'), err('INVALID_JSON', 'annotations[0].bbox[2]', 'NaN is not valid JSON'));
json('truncated.json', text.slice(0, text.indexOf('"image_id": 2') + 5), err('INVALID_JSON', 'annotations[1]', 'ends early'));
json('empty.json', '', err('FILE_EMPTY', '', 'empty'));
json('top-level-array.json', '[{"images": []}]', err('INVALID_JSON', '', "starts with '\\['"));
json('missing-categories.json', mutate((d) => delete d.categories), err('MISSING_KEY', 'categories', 'key "categories" is missing'));
json('images-not-array.json', mutate((d) => (d.images = { id: 1 })), err('WRONG_TYPE', 'images', 'found an object; expected an array of images'));
json('image-missing-file-name.json', mutate((d) => delete d.images[1].file_name), err('MISSING_KEY', 'images[1].file_name', 'missing'));
json('image-height-string.json', mutate((d) => (d.images[0].height = '80')), err('WRONG_TYPE', 'images[0].height', 'found the string "80"; expected an integer ≥ 1'));
json('image-width-zero.json', mutate((d) => (d.images[0].width = 0)), err('INVALID_VALUE', 'images[0].width', 'expected an integer ≥ 1'));
json('duplicate-image-id.json', mutate((d) => d.images.push({ id: 2, file_name: 'c.jpg', height: 10, width: 10 })), err('DUPLICATE_ID', 'images[2].id', 'already used by images\\[1\\]'));
json('duplicate-category-id.json', mutate((d) => (d.categories[1].id = 3)), err('DUPLICATE_ID', 'categories[1].id', 'category id 3 already used'));
json('duplicate-annotation-id.json', mutate((d) => d.annotations.push({ id: 1, image_id: 2, category_id: 3, bbox: [1, 1, 2, 2], iscrowd: 0 })), err('DUPLICATE_ID', 'annotations[2].id', 'annotation id 1 already used by annotations\\[0\\]; expected unique annotation ids'));
json('unknown-image-id.json', mutate((d) => (d.annotations[1].image_id = 77)), err('UNKNOWN_REFERENCE', 'annotations[1].image_id', 'image id 77 is not in "images"'));
json('unknown-category-id.json', mutate((d) => (d.annotations[0].category_id = 4)), err('UNKNOWN_REFERENCE', 'annotations[0].category_id', 'one of the category ids 3, 5'));
json('bbox-three-numbers.json', mutate((d) => (d.annotations[0].bbox = [1, 2, 3])), err('INVALID_VALUE', 'annotations[0].bbox', 'has 3 numbers; expected exactly 4'));
json('bbox-negative-width.json', mutate((d) => (d.annotations[1].bbox = [5, 5, -10, 10])), err('INVALID_VALUE', 'annotations[1].bbox[2]', 'negative box width'));
json('bbox-string.json', mutate((d) => (d.annotations[0].bbox = '10,20,30,40')), err('WRONG_TYPE', 'annotations[0].bbox', 'found the string'));
json('bbox-null-coordinate.json', mutate((d) => (d.annotations[0].bbox = [10, null, 5, 5])), err('WRONG_TYPE', 'annotations[0].bbox[1]', 'found null; expected a finite number'));
json('polygon-odd-count.json', mutate((d) => d.annotations[0].segmentation[0].push(7)), err('INVALID_VALUE', 'annotations[0].segmentation[0]', 'odd number of coordinates \\(9\\)'));
json('polygon-two-points.json', mutate((d) => (d.annotations[1].segmentation = [[1, 1, 5, 5]])), err('INVALID_VALUE', 'annotations[1].segmentation[0]', 'at least 3 points'));
json('polygon-string-coordinate.json', mutate((d) => (d.annotations[0].segmentation[0][3] = '20')), err('WRONG_TYPE', 'annotations[0].segmentation[0][3]', 'pixel coordinate'));
json('rle-wrong-size.json', mutate((d) => (d.annotations[0].segmentation = { size: [100, 100], counts: [10000] })), err('INVALID_VALUE', 'annotations[0].segmentation.size', 'differs from images\\[0\\] \\(height 80, width 120\\)'));
json('rle-counts-sum.json', mutate((d) => (d.annotations[0].segmentation = { size: [80, 120], counts: [100, 50, 9000] })), err('INVALID_VALUE', 'annotations[0].segmentation.counts', 'cover 9150 pixels; expected size\\[0\\]·size\\[1\\] = 80·120 = 9600'));
json('rle-bad-string.json', mutate((d) => (d.annotations[0].segmentation = { size: [80, 120], counts: 'abc~~' })), err('INVALID_VALUE', 'annotations[0].segmentation.counts', 'outside the RLE alphabet'));
json('rle-size-missing.json', mutate((d) => (d.annotations[0].segmentation = { counts: [9600] })), err('INVALID_VALUE', 'annotations[0].segmentation.size', 'RLE size \\[height, width\\]'));
json('iscrowd-two.json', mutate((d) => (d.annotations[0].iscrowd = 2)), err('INVALID_VALUE', 'annotations[0].iscrowd', 'expected 0 or 1'));
json('annotation-missing-id.json', mutate((d) => delete d.annotations[0].id), err('MISSING_KEY', 'annotations[0].id', 'missing'));
json('annotation-not-object.json', mutate((d) => (d.annotations = [5])), err('WRONG_TYPE', 'annotations[0]', 'found number 5; expected an annotation object'));
json('area-negative.json', mutate((d) => (d.annotations[1].area = -3)), err('INVALID_VALUE', 'annotations[1].area', 'a finite number ≥ 0'));
json('category-missing-name.json', mutate((d) => delete d.categories[0].name), err('MISSING_KEY', 'categories[0].name', 'missing'));
json('duplicate-top-level-key.json', text.replace('"categories":', '"images": [],\n "categories":'), err('INVALID_JSON', 'images', 'appears twice'));
json('raw-newline-in-string.json', text.replace('"a.jpg"', '"a\n.jpg"'), err('INVALID_JSON', 'images[0].file_name', 'raw control character'));
json('garbage-after-end.json', `${text}\n{"more": 1}`, err('INVALID_JSON', '', "after the closing '}'"));
json(
  'warnings.json',
  mutate((d) => {
    d.images.push({ id: 3, file_name: 'c.jpg', height: 50, width: 50 }); // no annotations
    d.annotations.push(
      { id: 3, image_id: 1, category_id: 3, bbox: [0, 0, 10, 10], iscrowd: 1 }, // crowd
      { id: 4, image_id: 1, category_id: 3, bbox: [1, 1, 20, 20], iscrowd: 1 }, // crowd
      { id: 5, image_id: 1, category_id: 3, bbox: [5, 5, 0, 10], iscrowd: 0 }, // zero width
      { id: 6, image_id: 2, category_id: 5, bbox: [70, 10, 5, 5], iscrowd: 0 }, // entirely right of the 60-wide image
      { id: 7, image_id: 2, category_id: 5, bbox: [50, 50, 20, 20], iscrowd: 0 }, // clipped to [50, 50, 60, 60]
    );
  }),
  {
    kind: 'warnings',
    warnings: { CROWD_DROPPED: 2, DEGENERATE_BOX_DROPPED: 2, BOX_CLIPPED: 2, IMAGE_WITHOUT_ANNOTATIONS: 1 },
    first: { DEGENERATE_BOX_DROPPED: 'annotations[4]' },
  },
);

// Images.
const img = (name, bytes, code, match) => {
  writeFileSync(join(OUT, name), bytes);
  manifest.push({ file: name, reader: 'loadImage', kind: 'error', code, path: '', match });
};
const rgb = await sharp({ create: { width: 64, height: 48, channels: 3, background: { r: 200, g: 30, b: 90 } } }).jpeg().toBuffer();
img('zero-bytes.jpg', Buffer.alloc(0), 'FILE_EMPTY', '0 bytes');
img('text-named.jpg', Buffer.from('this is not an image, it is text\n'), 'IMAGE_UNSUPPORTED', 'not a recognised image \\(starts with "this is ');
img('truncated.jpg', rgb.subarray(0, Math.floor(rgb.length * 0.6)), 'IMAGE_CORRUPT', 'corrupt or truncated');
img('animation.gif.jpg', await sharp({ create: { width: 8, height: 8, channels: 3, background: 'red' } }).gif().toBuffer(), 'IMAGE_UNSUPPORTED', 'gif images are not supported');
img('png-header-only.png', (await sharp({ create: { width: 8, height: 8, channels: 3, background: 'blue' } }).png().toBuffer()).subarray(0, 40), 'IMAGE_CORRUPT', 'corrupt or truncated');
writeFileSync(join(OUT, 'expected.json'), `${JSON.stringify({ generator: 'tools/data/make-bad-input.mjs', cases: manifest }, null, 1)}\n`);

// Valid but unusual images (fixtures for loadImage).
const grad = Buffer.alloc(6 * 4 * 3);
for (let y = 0; y < 4; y++) for (let x = 0; x < 6; x++) for (let c = 0; c < 3; c++) grad[(y * 6 + x) * 3 + c] = x * 40 + y * 10 + c * 3;
const raw = { raw: { width: 6, height: 4, channels: 3 } };
await sharp(Buffer.from([0, 60, 120, 180, 240, 255]), { raw: { width: 3, height: 2, channels: 1 } }).toColourspace('b-w').png().toFile(join(IMG, 'grey.png'));
const rgba = Buffer.alloc(3 * 2 * 4);
for (let i = 0; i < 6; i++) rgba.set([i * 40, 255 - i * 40, 7, i % 2 ? 255 : 0], i * 4);
await sharp(rgba, { raw: { width: 3, height: 2, channels: 4 } }).png().toFile(join(IMG, 'rgba.png'));
await sharp(grad, raw).png().toFile(join(IMG, 'grad.png'));
await sharp(grad, raw).webp({ lossless: true }).toFile(join(IMG, 'grad.webp'));
// EXIF orientation 6 = rotate 90° clockwise to display: stored 6×4, shown 4×6.
await sharp(grad, raw).jpeg({ quality: 100 }).withMetadata({ orientation: 6 }).toFile(join(IMG, 'grad-exif6.jpg'));
await sharp(grad, raw).jpeg({ quality: 100 }).toFile(join(IMG, 'grad.jpg'));
console.log(`${manifest.length} bad-input cases`);
