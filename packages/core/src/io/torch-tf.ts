// TorchTensor records -> TensorFlow.js tensors: f64/f16/bf16 -> float32, i64/i16/i8/u8 -> int32 (a value outside
// int32 is an error naming the tensor, never a silent wrap), bool -> bool.
import { tf } from '../tf';
import { torchTensorValues, type TorchTensor } from './torch-checkpoint';

export function toTfTensors(tensors: Record<string, TorchTensor>): Record<string, tf.Tensor> {
  const out: Record<string, tf.Tensor> = {};
  try {
    for (const [name, t] of Object.entries(tensors)) {
      const { dtype, values } = torchTensorValues(t, `tensor ${JSON.stringify(name)}`);
      out[name] = tf.tensor(values, t.shape, dtype);
    }
  } catch (error) {
    for (const t of Object.values(out)) t.dispose();
    throw error;
  }
  return out;
}
