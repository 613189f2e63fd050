import { describe, expect, it } from 'vitest';
import { ConfigError, DEFAULT_TRAIN_CONFIG, PRESET_NAMES, presetConfig, resolveTrainConfig } from '@boxteacher/trainer';

describe('resolveTrainConfig', () => {
  it('returns the reference defaults for an empty object', () => {
    const c = resolveTrainConfig({});
    expect(c).toEqual(DEFAULT_TRAIN_CONFIG);
    expect(c.solver.steps).toEqual([60000, 80000]);
    expect(c.teacher.momentum).toBe(0.999);
  });

  it('merges nested keys and replaces arrays', () => {
    const c = resolveTrainConfig({ solver: { baseLr: 0.02, steps: [5] }, model: { backbone: { depth: 101 } } });
    expect(c.solver.baseLr).toBe(0.02);
    expect(c.solver.steps).toEqual([5]);
    expect(c.solver.momentum).toBe(0.9);
    expect(c.model.backbone.depth).toBe(101);
    expect(c.model.backbone.freezeAt).toBe(2);
  });

  it('names an unknown key and suggests the closest one', () => {
    expect(() => resolveTrainConfig({ solver: { baseLR: 0.1 } })).toThrow(/config solver\.baseLR: unknown key \(did you mean "baseLr"\?\)/);
  });

  it('names a key whose value has the wrong type', () => {
    expect(() => resolveTrainConfig({ solver: { maxIter: '100' } })).toThrow(/solver\.maxIter: expected a number, got string "100"/);
    expect(() => resolveTrainConfig({ data: { minSizeTrain: [640, 'x'] } })).toThrow(/data\.minSizeTrain\[1\]: expected a number/);
  });

  it('rejects values outside their domain', () => {
    expect(() => resolveTrainConfig({ method: 'maskrcnn' })).toThrow(ConfigError);
    expect(() => resolveTrainConfig({ method: 'maskrcnn' })).toThrow(/method: expected one of "boxteacher", "boxinst", "supervised"/);
    expect(() => resolveTrainConfig({ model: { backbone: { depth: 42 } } })).toThrow(/model\.backbone\.depth/);
    expect(() => resolveTrainConfig({ solver: { baseLr: -1 } })).toThrow(/solver\.baseLr: expected > 0/);
    expect(() => resolveTrainConfig({ teacher: { momentum: 1 } })).toThrow(/teacher\.momentum/);
  });

  it('checks the model widths when the config is read, naming the key: an FPN width the GroupNorm cannot divide, zero or fractional counts', () => {
    const fails = (model: Record<string, unknown>) => {
      try {
        resolveTrainConfig({ model }, presetConfig('demo'), 'my.json');
      } catch (e) {
        expect(e).toBeInstanceOf(ConfigError); // exit 2 at the CLI
        return (e as Error).message;
      }
      throw new Error(`accepted ${JSON.stringify(model)}`);
    };
    expect(fails({ fpnChannels: 16 })).toBe("my.json: config model.fpnChannels: expected a multiple of 32 (the FCOS head's towers use GroupNorm with 32 groups), got 16; e.g. 32");
    expect(fails({ fpnChannels: 100 })).toMatch(/model\.fpnChannels: expected a multiple of 32 .*got 100; e\.g\. 96$/);
    expect(fails({ fpnChannels: 0 })).toMatch(/model\.fpnChannels: expected an integer >= 1, got 0$/);
    expect(fails({ fpnChannels: 32.5 })).toMatch(/model\.fpnChannels: expected an integer >= 1, got 32\.5$/);
    expect(fails({ headConvs: -1 })).toMatch(/model\.headConvs: expected an integer >= 0, got -1$/);
    for (const key of ['maskBranchChannels', 'maskBranchOutChannels', 'maskBranchConvs', 'maskHeadChannels', 'maskHeadLayers', 'topkProposalsPerImage']) {
      expect(fails({ [key]: 0 })).toMatch(new RegExp(`config model\\.${key}: expected an integer >= 1, got 0$`));
      expect(fails({ [key]: 1.5 })).toMatch(new RegExp(`config model\\.${key}: expected an integer >= 1, got 1\\.5$`));
    }
    expect(fails({ backbone: { width: 0.3 } })).toMatch(/model\.backbone\.width: expected 64·width to be a whole number of channels .*got 0\.3$/);
    expect(fails({ backbone: { width: 0.25, norm: 'GN' } })).toMatch(/model\.backbone\.width: expected 64·width divisible by 32 with model\.backbone\.norm "GN" .*got 0\.25 \(64·width = 16\)/);
    // What builds is accepted: 0 head convs, FPN 64, GN at width 0.5, any MobileNetV2 width (its GN uses gcd(32, C) groups).
    expect(resolveTrainConfig({ model: { fpnChannels: 64, headConvs: 0, backbone: { width: 0.5, norm: 'GN' } } }, presetConfig('demo')).model.fpnChannels).toBe(64);
    expect(resolveTrainConfig({ model: { backbone: { name: 'mobilenet_v2', width: 0.35 } } }, presetConfig('demo')).model.backbone.width).toBe(0.35);
    for (const name of PRESET_NAMES) expect(() => resolveTrainConfig({}, presetConfig(name))).not.toThrow();
  });

  it('accepts nullable dataset fields and checks the synthetic block', () => {
    const c = resolveTrainConfig({ data: { train: { synthetic: { count: 4, size: 64, seed: 3 } } } });
    expect(c.data.train.synthetic).toEqual({ count: 4, size: 64, seed: 3 });
    expect(() => resolveTrainConfig({ data: { train: { synthetic: { count: -1, size: 64, seed: 3 } } } })).toThrow(/data\.train\.synthetic\.count/);
    expect(() => resolveTrainConfig({ data: { train: { annotations: 5 } } })).toThrow(/data\.train\.annotations: expected string or null/);
    // Over a preset whose dataset is synthetic, a user's COCO files switch the synthetic block off with null.
    const own = resolveTrainConfig({ data: { train: { annotations: 'a.json', images: 'img', synthetic: null } } }, presetConfig('demo'));
    expect(own.data.train).toEqual({ annotations: 'a.json', images: 'img', synthetic: null });
  });
});

describe('presets', () => {
  it('has every reference preset and the demo', () => {
    expect(PRESET_NAMES).toEqual(
      expect.arrayContaining(['boxteacher_r50_1x', 'boxteacher_r50_3x', 'boxteacher_r101_3x', 'boxinst_r50_1x', 'condinst_r50_1x', 'demo']),
    );
  });

  it('mirrors the reference schedules and methods', () => {
    expect(presetConfig('boxteacher_r50_3x').solver.maxIter).toBe(270000);
    expect(presetConfig('boxteacher_r50_3x').data.augType).toBe('strongv2');
    expect(presetConfig('boxteacher_r101_3x').model.backbone.depth).toBe(101);
    expect(presetConfig('boxinst_r50_1x').method).toBe('boxinst');
    expect(presetConfig('condinst_r50_1x').method).toBe('supervised');
    expect(presetConfig('demo').data.train.synthetic).not.toBeNull();
  });

  it('lists the valid names for an unknown preset', () => {
    expect(() => presetConfig('nope')).toThrow(/unknown preset "nope"; valid presets: boxteacher_r50_1x/);
  });
});
