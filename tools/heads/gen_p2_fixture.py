#!/usr/bin/python3
"""Parity fixture for a pyramid that starts at P2 (stride 4): detectron2's FPN given res2..res5, a CondInst mask
branch on P2..P5 (MASK_BRANCH.IN_FEATURES: p2, p3, p4, p5) and the dynamic mask head on stride-4 features with
mask output stride 4 (no upsampling). The demo uses it on 128-pixel images (issue 21).

Run with the system interpreter (torch 1.13):  /usr/bin/python3 tools/heads/gen_p2_fixture.py
Writes packages/heads/test/fixtures/p2.json. The references are gen_fixtures.py's, extended by one level.
"""
import torch
import torch.nn.functional as F

import gen_fixtures as g

g.GENERATOR = 'tools/heads/gen_p2_fixture.py'


class FPNWithP2Ref(g.FPNRef):
    """detectron2 FPN with in_features res2..res5: lateral/output convs of stage 2 too; P3..P7 unchanged."""

    def __init__(self, in_channels, out):
        super().__init__(in_channels[1:], out)
        self.fpn_lateral2 = torch.nn.Conv2d(in_channels[0], out, 1)
        self.fpn_output2 = torch.nn.Conv2d(out, out, 3, padding=1)

    def forward(self, c2, c3, c4, c5):
        t5 = self.fpn_lateral5(c5)
        t4 = self.fpn_lateral4(c4) + F.interpolate(t5, scale_factor=2.0, mode='nearest')
        t3 = self.fpn_lateral3(c3) + F.interpolate(t4, scale_factor=2.0, mode='nearest')
        t2 = self.fpn_lateral2(c2) + F.interpolate(t3, scale_factor=2.0, mode='nearest')
        p5 = self.fpn_output5(t5)
        p6 = self.top_block.p6(p5)
        p7 = self.top_block.p7(F.relu(p6))
        return [self.fpn_output2(t2), self.fpn_output3(t3), self.fpn_output4(t4), p5, p6, p7]


class MaskBranchP2Ref(torch.nn.Module):
    def __init__(self, cin, ch, num_convs, out, levels=4):
        super().__init__()
        block = lambda a, b: torch.nn.Sequential(torch.nn.Conv2d(a, b, 3, padding=1, bias=False), torch.nn.BatchNorm2d(b), torch.nn.ReLU())
        self.refine = torch.nn.ModuleList([block(cin, ch) for _ in range(levels)])
        self.tower = torch.nn.Sequential(*([block(ch, ch) for _ in range(num_convs)] + [torch.nn.Conv2d(ch, out, 1)]))

    def forward(self, *levels):
        x = self.refine[0](levels[0])
        for i, p in enumerate(levels[1:], start=1):
            xp = self.refine[i](p)
            x = x + g.aligned_bilinear(xp, x.shape[2] // xp.shape[2])
        return self.tower(x)


def fpn_p2_fixture():
    torch.manual_seed(5)
    m = FPNWithP2Ref([4, 8, 16, 32], 8)
    for p_ in m.parameters():
        p_.data.uniform_(-0.3, 0.3)
    # padded 96 x 160 as the P3-P7 fixture: C2 24 x 40, C5 3 x 5 (odd, so P6/P7 still pad symmetrically).
    c2, c3, c4, c5 = torch.randn(1, 4, 24, 40), torch.randn(1, 8, 12, 20), torch.randn(1, 16, 6, 10), torch.randn(1, 32, 3, 5)
    outs = m(c2, c3, c4, c5)
    names = ['res2', 'res3', 'res4', 'res5']
    return {
        'options': {'inChannels': {'res2': 4, 'res3': 8, 'res4': 16, 'res5': 32}, 'outChannels': 8},
        'state': g.state_dict_json(m),
        'inputs': {n: g.tensor_entry(g.nhwc(c)) for n, c in zip(names, (c2, c3, c4, c5))},
        'outputs': {name: g.tensor_entry(g.nhwc(o)) for name, o in zip(['p2', 'p3', 'p4', 'p5', 'p6', 'p7'], outs)},
    }


def mask_branch_p2_fixture():
    torch.manual_seed(7)
    m = MaskBranchP2Ref(16, 8, 2, 4)
    m.eval()  # running statistics: the train-mode path is the same code as the P3 fixture's
    for name, b in m.named_buffers():
        if 'running_mean' in name:
            b.uniform_(-0.2, 0.2)
        elif 'running_var' in name:
            b.uniform_(0.5, 1.5)
    levels = [torch.randn(1, 16, 16 >> i, 16 >> i) for i in range(4)]
    return {
        'options': {'inFeatures': ['p2', 'p3', 'p4', 'p5'], 'inChannels': 16, 'channels': 8, 'numConvs': 2, 'outChannels': 4},
        'state': g.state_dict_json(m),
        'inputs': {n: g.tensor_entry(g.nhwc(t)) for n, t in zip(['p2', 'p3', 'p4', 'p5'], levels)},
        'evalOutput': g.tensor_entry(g.nhwc(m(*levels))),
    }


def dynamic_head_stride4_fixture():
    gen = torch.Generator().manual_seed(19)
    N, H, W, n = 2, 9, 11, 4
    feats = torch.randn(N, 16, H, W, generator=gen)
    params = torch.randn(n, 233, generator=gen) * 0.5
    im_inds = torch.randint(0, N, (n,), generator=gen)
    levels = torch.randint(0, 5, (n,), generator=gen)
    # FCOS locations are on the stride-8 grid (P3 and coarser) while the mask features are on the stride-4 grid.
    locs = torch.stack([torch.randint(0, W // 2, (n,), generator=gen) * 8 + 4, torch.randint(0, H // 2, (n,), generator=gen) * 8 + 4], 1).float()
    out = g.dynamic_head_ref(feats, params, im_inds, locs, levels, feat_stride=4, out_stride=4)
    return {
        'maskFeatStride': 4, 'maskOutStride': 4,
        'maskFeats': g.tensor_entry(g.nhwc(feats)), 'params': g.tensor_entry(params), 'imInds': im_inds.tolist(),
        'fpnLevels': levels.tolist(), 'locations': g.flat(locs), 'logits': g.tensor_entry(g.nhwc(out)),
    }


if __name__ == '__main__':
    g.write('p2.json', {'fpn': fpn_p2_fixture(), 'maskBranch': mask_branch_p2_fixture(), 'dynamicMaskHead': dynamic_head_stride4_fixture()})
