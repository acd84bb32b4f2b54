/**
 * Activation capture with onnxruntime-node (CPU): the model is re-serialised with the wanted tensors added as
 * graph outputs (a ValueInfoProto with only the name; onnxruntime infers the type), one InferenceSession is
 * created from the bytes, and the batch is run once per group of tensors (`fetches`), so at most one group of
 * activations is in memory at a time. Graph inputs are returned from the batch itself.
 */
import { PvqInputError } from '../core/errors.js';
import { ELEM_TYPE_NAMES, onnxProto, type GraphInput, type ModelProto } from './onnx-graph.js';
import type { NdArray } from './npy.js';

/** A float32 batch for the model's (single) input. */
export interface ModelInput {
  name: string;
  shape: number[];
  data: Float32Array;
}

export interface Activation {
  name: string;
  shape: number[];
  data: Float32Array;
}

/**
 * Check a batch against the model's inputs and make it the float32 feed: the model must have exactly one
 * (non-initializer) input of type float32; the batch's rank and fixed dimensions must match and its dtype
 * must be a float type. `field` names the batch file in errors; `name` is the input name the user gave (optional).
 */
export function checkModelInput(inputs: GraphInput[], batch: NdArray, field: string, modelField: string, name?: string): ModelInput {
  if (inputs.length !== 1)
    throw new PvqInputError(modelField, `the model has ${inputs.length} inputs (${inputs.map((i) => i.name).join(', ')}); pvq model supports models with exactly one input`);
  const inp = inputs[0];
  if (name !== undefined && name !== inp.name) throw new PvqInputError(field, `input name ${JSON.stringify(name)} does not match the model's input ${JSON.stringify(inp.name)}`);
  if (inp.elemType !== 1) throw new PvqInputError(modelField, `input ${inp.name} has type ${ELEM_TYPE_NAMES[inp.elemType] ?? inp.elemType}; only float32 inputs are supported`);
  if (!['f4', 'f8', 'f2'].includes(batch.dtype)) throw new PvqInputError(field, `dtype ${batch.dtype}: the model's input ${inp.name} needs float32 data (.npy dtype <f4)`);
  const want = inp.shape;
  const fmt = (s: (number | string)[]): string => `[${s.join(', ')}]`;
  if (want) {
    if (want.length !== batch.shape.length) throw new PvqInputError(field, `shape ${fmt(batch.shape)} does not match the model's input ${inp.name} ${fmt(want)} (rank ${want.length})`);
    want.forEach((d, i) => {
      if (typeof d === 'number' && d !== batch.shape[i]) throw new PvqInputError(field, `shape ${fmt(batch.shape)} does not match the model's input ${inp.name} ${fmt(want)} (dimension ${i})`);
    });
  }
  if (batch.shape.some((d) => d < 1)) throw new PvqInputError(field, `shape ${fmt(batch.shape)} has an empty dimension`);
  return { name: inp.name, shape: [...batch.shape], data: batch.data instanceof Float32Array ? batch.data : Float32Array.from(batch.data) };
}

type Ort = typeof import('onnxruntime-node');
let ortMod: Ort | null = null;
async function ort(): Promise<Ort> {
  if (!ortMod) ortMod = await import('onnxruntime-node');
  return ortMod;
}

/** Serialise `model` with `names` added as graph outputs (those that are not outputs or inputs already). */
export async function withOutputs(model: ModelProto, names: readonly string[]): Promise<Uint8Array> {
  const onnx = await onnxProto();
  const m = onnx.ModelProto.decode(onnx.ModelProto.encode(model).finish()); // a copy: the caller's model is untouched
  const have = new Set<string>([...(m.graph.output ?? []).map((o: { name: string }) => o.name), ...(m.graph.input ?? []).map((o: { name: string }) => o.name)]);
  for (const n of names) if (!have.has(n)) {
    m.graph.output.push(onnx.ValueInfoProto.create({ name: n }));
    have.add(n);
  }
  return onnx.ModelProto.encode(m).finish();
}

export interface CaptureOptions {
  /** Tensors fetched per inference run (default 8): bounds the activations held in memory at once. */
  perRun?: number;
  /** Threads of onnxruntime's intra-op pool (default 1: the solvers use the cores). */
  threads?: number;
}

/**
 * Capture the tensors `names` for the batch `input`: yields one activation at a time, in the order of `names`
 * (duplicates once). The caller drops each activation after use; a group's run is released before the next.
 * Failures of onnxruntime (an op it cannot run, a shape it rejects) are PvqInputErrors naming `field`.
 */
export async function* captureActivations(model: ModelProto, names: readonly string[], input: ModelInput, field: string, opts: CaptureOptions = {}): AsyncGenerator<Activation> {
  const uniq = [...new Set(names)];
  const fromGraph = uniq.filter((n) => n !== input.name);
  const rt = await ort();
  let session: Awaited<ReturnType<Ort['InferenceSession']['create']>> | null = null;
  try {
    if (fromGraph.length > 0) {
      const bytes = await withOutputs(model, fromGraph);
      try {
        session = await rt.InferenceSession.create(bytes, {
          graphOptimizationLevel: 'disabled',
          intraOpNumThreads: opts.threads ?? 1,
          interOpNumThreads: 1,
          executionMode: 'sequential',
        });
      } catch (e) {
        throw new PvqInputError(field, `onnxruntime cannot load the model (${e instanceof Error ? e.message.split('\n')[0] : String(e)})`);
      }
    }
    const per = Math.max(1, opts.perRun ?? 8);
    const feed = session ? { [input.name]: new rt.Tensor('float32', input.data, input.shape) } : {};
    for (let i = 0; i < uniq.length; ) {
      if (uniq[i] === input.name) {
        yield { name: input.name, shape: input.shape, data: input.data };
        i++;
        continue;
      }
      const group: string[] = [];
      while (i < uniq.length && group.length < per && uniq[i] !== input.name) group.push(uniq[i++]);
      let res: Record<string, { dims: readonly number[]; type: string; data: unknown }>;
      try {
        res = (await session!.run(feed, group)) as unknown as typeof res;
      } catch (e) {
        throw new PvqInputError(field, `onnxruntime failed to run the model on the batch (${e instanceof Error ? e.message.split('\n')[0] : String(e)})`);
      }
      for (const n of group) {
        const t = res[n];
        if (!t) throw new PvqInputError(field, `onnxruntime returned no tensor ${JSON.stringify(n)}`);
        if (t.type !== 'float32') throw new PvqInputError(field, `tensor ${n} has type ${t.type}; float32 activations are expected`);
        yield { name: n, shape: [...t.dims].map(Number), data: t.data as Float32Array };
        delete res[n];
      }
    }
  } finally {
    await session?.release();
  }
}
