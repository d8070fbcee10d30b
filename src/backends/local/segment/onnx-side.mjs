// Re-targets a square segmentation model to another input side. IS-Net's graph is fully
// convolutional, but its export fixed the input at 1024² and wrote every decoder upsampling target
// as a constant (Resize sizes = Concat(Shape(x)[0:2], Constant[h, w])). Scaling those constants by
// side/1024 and declaring the new input size gives the same network at, say, 768²: about 0.56× the
// activations, which is most of a background edit's memory (docs/performance.md, memory).
// Plain JS: it runs in the model worker, which has no TypeScript loader.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/**
 * The model's native square side: the height of its first input, or null when the model does not
 * declare a fixed square [1, 3, side, side] input (then it is run as it is).
 * @param {any} graph
 */
function nativeSide(graph) {
  const dims = graph.input[0]?.type?.tensorType?.shape?.dim ?? [];
  const [h, w] = [dims[2]?.dimValue, dims[3]?.dimValue].map((d) => (d == null ? null : Number(d)));
  return h && h === w ? h : null;
}

/**
 * The model bytes re-targeted to `side`, or null when this model cannot be: it has no fixed square
 * input, or an upsampling target that does not scale to whole pixels, or a Resize fed otherwise
 * than IS-Net's exporter wrote it (its sizes would then not follow the input, and the run would fail).
 * @param {Uint8Array} bytes the ONNX model
 * @param {number} side the wanted input side
 * @returns {{ bytes: Uint8Array, native: number } | { bytes: null, native: number | null, reason: string }}
 */
export function retargetSide(bytes, side) {
  let onnx;
  try {
    ({ onnx } = require('onnx-proto'));
  } catch {
    return { bytes: null, native: null, reason: 'onnx-proto (an optional dependency) is not installed' };
  }
  const model = onnx.ModelProto.decode(bytes);
  const graph = model.graph;
  const native = nativeSide(graph);
  if (!native) return { bytes: null, native, reason: 'the model has no fixed square input' };
  if (native === side) return { bytes, native };

  const producer = new Map();
  for (const node of graph.node) for (const out of node.output) producer.set(out, node);
  const scaled = [];
  for (const resize of graph.node.filter((n) => n.opType === 'Resize')) {
    const concat = producer.get(resize.input[3] ?? '');
    const constant = concat?.opType === 'Concat' ? producer.get(concat.input[1] ?? '') : undefined;
    const tensor = constant?.opType === 'Constant' ? constant.attribute.find((a) => a.name === 'value')?.t : undefined;
    // int64 (dataType 7) sizes, stored raw: what the exporter writes.
    if (!tensor || tensor.dataType !== 7 || !tensor.rawData?.length) {
      return { bytes: null, native, reason: `Resize ${resize.name} has no constant target size to scale` };
    }
    const raw = tensor.rawData;
    const sizes = new BigInt64Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
    const next = new BigInt64Array(sizes.length);
    for (let i = 0; i < sizes.length; i++) {
      const v = Number(sizes[i]) * side;
      if (v % native !== 0) return { bytes: null, native, reason: `a ${sizes[i]}-pixel upsampling target does not scale to ${side}/${native}` };
      next[i] = BigInt(v / native);
    }
    scaled.push([tensor, new Uint8Array(next.buffer)]);
  }
  // Declared shapes: the input and every output scale with the side; the exporter's shape
  // annotations of intermediate tensors (value_info) are for the native side and would only conflict.
  const declared = [];
  for (const value of [...graph.input.slice(0, 1), ...graph.output]) {
    const dims = value.type?.tensorType?.shape?.dim ?? [];
    for (const i of [2, 3]) {
      if (dims[i]?.dimValue == null) continue;
      const v = Number(dims[i].dimValue) * side;
      if (v % native !== 0) return { bytes: null, native, reason: `output ${value.name} does not scale to ${side}/${native}` };
      declared.push([dims, i, v / native]);
    }
  }
  for (const [tensor, raw] of scaled) tensor.rawData = raw;
  for (const [dims, i, v] of declared) dims[i] = { dimValue: v };
  graph.valueInfo = [];
  return { bytes: onnx.ModelProto.encode(model).finish(), native };
}
