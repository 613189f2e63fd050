// The model in the page: built from exactly the files `boxteacher train` writes (the run's config.json, the
// checkpoint's state.json and weights .safetensors), checked by the same code `boxteacher label` uses
// (modelFromCheckpoint), and run through the same labelling code: the page's masks are label's masks.
// One forward pass is kept per image, so each box drawn on it costs only the mask head.
import { decodeSafetensors, tf } from '@boxteacher/core';
import { collate, resizeShortestEdge, type RgbImage } from '@boxteacher/data';
import { labelBoxes, labellingPass, modelFromCheckpoint, type LabellingPass, type TrainedModel } from '@boxteacher/trainer';
import type { Rle } from '@boxteacher/coco-eval';
import { api, type StudioSession } from './api-client';

export interface BoxLabel {
  segmentation: Rle;
  mask_score: number;
}

function parseJson(bytes: Uint8Array, file: string): unknown {
  const text = new TextDecoder().decode(bytes);
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new Error(`${file}: not valid JSON (${(error as Error).message})`);
  }
}

export class PageModel {
  private pass: { imageId: number; pass: LabellingPass } | null = null;

  private constructor(readonly trained: TrainedModel, readonly weightsFile: string) {}

  /** Fetches and checks the checkpoint's three files; throws one line naming the file that is wrong. */
  static async load(session: StudioSession): Promise<PageModel> {
    const [config, state, weights] = await Promise.all([api.modelFile('config.json'), api.modelFile('state.json'), api.modelFile('weights.safetensors')]);
    const { model } = session;
    // The loader `label` uses: the same dtypes converted, the same messages for a broken file.
    const { tensors } = decodeSafetensors(weights, model.weights);
    try {
      const trained = modelFromCheckpoint({
        target: model.target,
        rawConfig: parseJson(config, model.config),
        configFile: model.config,
        rawState: parseJson(state, model.state),
        stateFile: model.state,
        tensors,
        weightsFile: model.weights,
      });
      return new PageModel(trained, model.weights);
    } finally {
      tf.dispose(Object.values(tensors));
    }
  }

  get categories(): Array<{ id: number; name: string }> {
    return this.trained.categories;
  }

  /** The forward pass of `image` (kept until another image is labelled). */
  private async passFor(imageId: number, image: RgbImage): Promise<LabellingPass> {
    if (this.pass?.imageId === imageId) return this.pass.pass;
    this.forget();
    const { config, model } = this.trained;
    // The test-time resize and padding of `label` (data's Batcher with no augmentation, batch size 1).
    const resized = resizeShortestEdge({ image, boxes: new Float32Array(0), labels: new Int32Array(0), masks: null }, { shortEdge: config.data.minSizeTest, maxSize: config.data.maxSizeTest });
    const batch = collate([{ weak: resized.image, strong: null, boxes: resized.boxes, labels: resized.labels, masks: null, originalHeight: image.height, originalWidth: image.width }], { imageIds: [imageId], flipped: [false], positions: [{ epoch: 0, index: 0, imageIndex: 0 }] }, false);
    try {
      const pass = await labellingPass(model, config, batch);
      this.pass = { imageId, pass };
      return pass;
    } finally {
      batch.dispose();
    }
  }

  /** The labels of `boxes` (x0, y0, x1, y1 in image pixels), all boxes of one call matched together as label does. */
  async label(imageId: number, image: RgbImage, boxes: Float32Array): Promise<BoxLabel[]> {
    const pass = await this.passFor(imageId, image);
    return labelBoxes(this.trained.model, this.trained.config, pass, 0, boxes).labels as BoxLabel[];
  }

  /** Drops the kept forward pass (its tensors). */
  forget(): void {
    this.pass?.pass.dispose();
    this.pass = null;
  }
}
