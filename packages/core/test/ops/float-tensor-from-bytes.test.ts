// floatTensorFromBytes (src/ops/float-tensor-from-bytes.ts): every byte value comes out as the same float32 on every
// backend (on `tensorflow` through a native uint8 tensor and Cast), shapes are kept, the tensor is tracked like any
// other (tidy disposes it, nothing leaks), it can be differentiated downstream, and a size mismatch is named.
import { beforeAll, describe, expect, it } from 'vitest';
import { floatTensorFromBytes, initBackend, tf } from '../../src/index';
import { expectNoLeaks, testBackends } from '../../src/testing/index';

describe.each(testBackends())('floatTensorFromBytes on %s', (backend) => {
  beforeAll(async () => {
    await initBackend(backend, { log: () => undefined });
  });

  it('gives each of the 256 byte values exactly, in order, with the shape asked for', async () => {
    const bytes = new Uint8Array(2 * 4 * 32 * 3);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 37 + 11) % 256;
    await expectNoLeaks(() => {
      const t = floatTensorFromBytes<tf.Rank.R4>(bytes, [2, 4, 32, 3]);
      expect(t.dtype).toBe('float32');
      expect(t.shape).toEqual([2, 4, 32, 3]);
      expect(Array.from(t.dataSync())).toEqual(Array.from(bytes));
      t.dispose();
    }, 'floatTensorFromBytes');
  });

  it('is owned by the tidy that makes it, and feeds float ops and their gradients', async () => {
    const bytes = Uint8Array.from([0, 1, 127, 128, 254, 255]);
    await expectNoLeaks(() => {
      const [sum, grad] = tf.tidy(() => {
        const x = floatTensorFromBytes<tf.Rank.R2>(bytes, [2, 3]);
        const g = tf.grad((v: tf.Tensor) => v.mul(v).sum())(x);
        return [x.sum().dataSync()[0], Array.from(g.dataSync())];
      });
      expect(sum).toBe(765);
      expect(grad).toEqual([0, 2, 254, 256, 508, 510]);
    }, 'floatTensorFromBytes in tidy');
  });

  it('makes empty tensors (an image without instances has a [0, H, W, 1] mask stack)', () => {
    const t = floatTensorFromBytes<tf.Rank.R4>(new Uint8Array(0), [0, 8, 8, 1]);
    expect(t.shape).toEqual([0, 8, 8, 1]);
    expect(t.dtype).toBe('float32');
    t.dispose();
  });

  it('names a byte count that does not fit the shape', () => {
    expect(() => floatTensorFromBytes(new Uint8Array(5), [2, 3])).toThrow('floatTensorFromBytes: 5 bytes for shape [2, 3] (6 values)');
  });
});
