// What ResNet a set of detectron2-named weights describes (block type, blocks per stage, stem width), so that
// loading a file made for another depth or width fails with one sentence naming both, before any key-by-key
// list (in the spirit of detectron2 checkpoint/c2_model_loading.py's shape checks).
import { RESNET_STAGES, STAGE_BLOCKS, type ResNetStage } from '../resnet-options';

export interface CheckpointArchitecture {
  bottleneck: boolean;
  /** Blocks found per stage, res2..res5 (0 = stage absent). */
  blocks: number[];
  /** Output channels of the stem conv (64 at width 1), or null if the stem is missing. */
  stemChannels: number | null;
}

/** Infers the architecture from detectron2 names and OIHW/HWIO-agnostic stem shape (`stemChannels` given). */
export function inferArchitecture(names: readonly string[], stemChannels: number | null): CheckpointArchitecture {
  const blocks = [0, 0, 0, 0];
  let bottleneck = false;
  for (const name of names) {
    const m = name.match(/^res([2-5])\.(\d+)\./);
    if (m) {
      const stage = Number(m[1]) - 2;
      blocks[stage] = Math.max(blocks[stage]!, Number(m[2]) + 1);
    }
    if (/\.conv3\.weight$/.test(name)) bottleneck = true;
  }
  return { bottleneck, blocks, stemChannels };
}

const KNOWN: Array<{ depth: number; bottleneck: boolean; blocks: readonly number[] }> = [
  ...Object.entries(STAGE_BLOCKS).map(([d, blocks]) => ({ depth: Number(d), bottleneck: Number(d) >= 50, blocks })),
  { depth: 152, bottleneck: true, blocks: [3, 8, 36, 3] },
];

/** "ResNet-50 (bottleneck blocks 3,4,6,3; stem 64 channels)", limited to the first `stages` stages. */
export function describeArchitecture(a: CheckpointArchitecture, stages = 4): string {
  const blocks = a.blocks.slice(0, stages);
  const known = KNOWN.find((k) => k.bottleneck === a.bottleneck && k.blocks.slice(0, stages).every((b, i) => b === blocks[i]));
  const name = known ? `ResNet-${known.depth}` : 'a ResNet of unknown depth';
  const stem = a.stemChannels == null ? 'no stem' : `stem ${a.stemChannels} channels = width ${a.stemChannels / 64}`;
  const stageNames = stages === 1 ? 'res2' : `res2..${RESNET_STAGES[stages - 1]}`;
  return `${name} (${a.bottleneck ? 'bottleneck' : 'basic'} blocks ${blocks.join(',')} in ${stageNames}; ${stem})`;
}

/** True when `file` provides exactly the blocks of the model's first `stages` stages, of the same type and width. */
export function sameArchitecture(file: CheckpointArchitecture, model: CheckpointArchitecture, stages: number): boolean {
  return (
    file.bottleneck === model.bottleneck &&
    file.stemChannels === model.stemChannels &&
    RESNET_STAGES.slice(0, stages).every((_s: ResNetStage, i) => file.blocks[i] === model.blocks[i])
  );
}
