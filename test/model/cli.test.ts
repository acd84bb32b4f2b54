import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeNpy } from '../../src/io/npy.js';
import { readNpy } from '../../src/io/npy.js';
import { textLineBatch } from '../../problems/text-batch.js';
import type { ModelStudyResult } from '../../study/model/pipeline.js';
import { runCli } from '../helpers/cli.js';
import { CLS_MODEL } from './cls.js';
import { unknownOpModel } from './synthetic-onnx.js';

const dir = mkdtempSync(join(tmpdir(), 'pvq-model-'));

/** A small HTML parser: tags with their nesting (void and self-closed elements handled), text ignored. */
interface El {
  tag: string;
  attrs: string;
  children: El[];
  text: string;
}
function parseHtml(html: string): El {
  const root: El = { tag: '#root', attrs: '', children: [], text: '' };
  const stack: El[] = [root];
  const VOID = new Set(['meta', 'br', 'hr', 'img', 'link', 'input', 'source', 'wbr', 'area', 'base', 'col', 'embed', 'track']);
  const re = /<!--[\s\S]*?-->|<!DOCTYPE[^>]*>|<(\/?)([a-zA-Z][\w:-]*)((?:[^>"']|"[^"]*"|'[^']*')*?)(\/?)>|([^<]+)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(html)) !== null) {
    if (m[5] !== undefined) {
      stack[stack.length - 1].text += m[5];
      continue;
    }
    if (m[2] === undefined) continue;
    const tag = m[2].toLowerCase();
    if (m[1] === '/') {
      const top = stack.pop();
      if (!top || top.tag !== tag) throw new Error(`unbalanced </${tag}> (open: ${top?.tag})`);
      continue;
    }
    const el: El = { tag, attrs: m[3], children: [], text: '' };
    stack[stack.length - 1].children.push(el);
    if (!VOID.has(tag) && m[4] !== '/') stack.push(el);
  }
  if (stack.length !== 1) throw new Error(`unclosed <${stack[stack.length - 1].tag}>`);
  return root;
}
function all(e: El, pred: (x: El) => boolean, out: El[] = []): El[] {
  if (pred(e)) out.push(e);
  for (const c of e.children) all(c, pred, out);
  return out;
}
const textOf = (e: El): string => e.text + e.children.map(textOf).join('');

describe('pvq model on the cls model (restricted): results.json, table, figure, HTML', () => {
  const out = join(dir, 'report');
  const layers = ['p2o.Conv.3', 'p2o.Conv.4', 'p2o.Conv.7'];
  let run: Awaited<ReturnType<typeof runCli>>;
  it('runs and writes the four files', async () => {
    run = await runCli(['model', CLS_MODEL, '--input', 'demo:16', '--layers', 'Conv\\.(3|4|7)$', '--bits', '2,4', '--channels-per-layer', '2', '--time-limit', '5', '--no-progress', '-o', out]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    for (const f of ['results.json', 'table.txt', 'figure.svg', 'report.html']) expect(existsSync(join(out, f)), f).toBe(true);
  });

  it('results.json: every sub-problem with intervals and solver results; aggregates recomputed from them', () => {
    const r = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as ModelStudyResult;
    expect(r.model.sha256).toBe(createHash('sha256').update(readFileSync(CLS_MODEL)).digest('hex'));
    expect(r.model.weightLayers).toBe(54);
    expect(r.layers.map((l) => l.name)).toEqual(layers);
    expect(r.subproblems).toHaveLength(3 * 2 * 2);
    expect(new Set(r.subproblems.map((s) => s.key)).size).toBe(12);
    for (const s of r.subproblems) {
      for (const m of [s.comparison.quant, s.comparison.prune]) {
        expect(m.lowerBound).toBeLessThanOrEqual(m.upperBound);
        expect(m.results.some((x) => Array.isArray(x.solution))).toBe(true);
      }
    }
    // every solver run is kept whole (solution, status, stats, and the certificate when the solver attached one)
    for (const s of r.subproblems) expect(s.comparison.quant.results.map((x) => x.solver)).toContain('quant-exact');
    expect(r.perLayer).toHaveLength(6);
    for (const l of r.perLayer) {
      const subs = r.subproblems.filter((s) => s.layer === l.layer && s.bits === l.bits);
      const R = subs.reduce((a, s) => a + s.comparison.r, 0);
      const qub = subs.reduce((a, s) => a + s.comparison.quant.upperBound, 0);
      const plb = subs.reduce((a, s) => a + s.comparison.prune.lowerBound, 0);
      expect(l.subproblems).toBe(subs.length);
      expect(l.aggregate.quantSqnrDb[0]).toBeCloseTo(10 * Math.log10(R / qub), 9);
      if (plb > 0) expect(l.aggregate.pruneSqnrDb[1]).toBeCloseTo(10 * Math.log10(R / plb), 9);
    }
    expect(r.perModel.map((m) => [m.bits, m.subproblems])).toEqual([[2, 6], [4, 6]]);
  });

  it('table.txt and the SVG figure', () => {
    const t = readFileSync(join(out, 'table.txt'), 'utf8');
    for (const l of layers) expect(t).toMatch(new RegExp(`^${l.replace(/\./g, '\\.')}\\s+(conv2d|depthwise)\\s+[24]\\s+2\\s`, 'm'));
    expect(t).toMatch(/^model\s+all layers\s+2\s+6\s/m);
    const svg = readFileSync(join(out, 'figure.svg'), 'utf8');
    expect(svg.startsWith('<svg')).toBe(true);
    expect(() => parseHtml(svg)).not.toThrow();
    expect(svg).toContain('SQNR (dB)');
  });

  it('report.html parses, is self-contained, and holds the tables and the inline figure', () => {
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    const doc = parseHtml(html);
    expect(all(doc, (e) => e.tag === 'script' || e.tag === 'link' || e.tag === 'iframe' || e.tag === 'img')).toEqual([]);
    expect(all(doc, (e) => /\b(src|href)\s*=/.test(e.attrs))).toEqual([]);
    expect(html).not.toMatch(/url\(/);
    const table = (id: string): El => all(doc, (e) => e.tag === 'table' && e.attrs.includes(`id="${id}"`))[0];
    const rows = (id: string): string[][] => all(table(id), (e) => e.tag === 'tr').slice(1).map((tr) => tr.children.map((td) => textOf(td)));
    const perLayer = rows('per-layer');
    expect(perLayer).toHaveLength(6);
    expect(perLayer.map((r) => [r[0], r[2]])).toEqual(layers.flatMap((l) => [[l, '2'], [l, '4']]));
    expect(rows('per-model').map((r) => r[0])).toEqual(['model', 'model']);
    const table0 = readFileSync(join(out, 'table.txt'), 'utf8');
    for (const r of perLayer) expect(table0).toContain(r[4]); // same quant SQNR text as table.txt
    expect(rows('layers').map((r) => [r[0], r[2], r[7], r[8]])).toEqual([['p2o.Conv.3', 'conv2d', '1x1', '0x0'], ['p2o.Conv.4', 'conv2d', '1x1', '0x0'], ['p2o.Conv.7', 'depthwise', '2x1', '1x1']]);
    const svgs = all(doc, (e) => e.tag === 'svg');
    expect(svgs).toHaveLength(1);
    expect(textOf(svgs[0])).toContain('p2o.Conv.7');
  });
});

describe('pvq demo-batch', () => {
  it('writes the deterministic text-line batch as float32 NCHW', async () => {
    const p = join(dir, 'batch.npy');
    const r = await runCli(['demo-batch', '-o', p, '--n', '4', '--seed', '2']);
    expect(r.code).toBe(0);
    const a = readNpy(p);
    expect(a.shape).toEqual([4, 3, 48, 192]);
    expect(a.dtype).toBe('f4');
    expect(Array.from(a.data)).toEqual(Array.from(textLineBatch({ n: 4, seed: 2 }).data));
    let mn = Infinity;
    let mx = -Infinity;
    for (const v of a.data) {
      mn = Math.min(mn, v);
      mx = Math.max(mx, v);
    }
    expect(mn).toBeGreaterThanOrEqual(-1);
    expect(mx).toBeLessThanOrEqual(1);
  });
});

describe('pvq model bad input: one line, exit 2, nothing written', () => {
  const npy = (name: string, shape: number[]): string => {
    const p = join(dir, name);
    writeFileSync(p, encodeNpy(new Float32Array(shape.reduce((a, b) => a * b, 1)), shape));
    return p;
  };
  const notOnnx = join(dir, 'model.onnx');
  writeFileSync(notOnnx, 'this is not a model\n');
  const oddModel = join(dir, 'odd.onnx');
  writeFileSync(oddModel, unknownOpModel());
  const cases: [string, () => string[], RegExp][] = [
    ['a model onnxruntime cannot run', () => [oddModel, '--input', npy('odd-x.npy', [1, 2, 3, 3])], /odd\.onnx: onnxruntime cannot load the model/],
    ['wrong input channels', () => [CLS_MODEL, '--input', npy('c4.npy', [1, 4, 48, 192])], /c4\.npy: shape \[1, 4, 48, 192\] does not match the model's input x .*dimension 1/],
    ['wrong input rank', () => [CLS_MODEL, '--input', npy('r3.npy', [3, 48, 192])], /r3\.npy: shape \[3, 48, 192\] does not match .*rank 4/],
    ['wrong input name', () => [CLS_MODEL, '--input', `image=${npy('ok.npy', [1, 3, 48, 192])}`], /input name "image" does not match the model's input "x"/],
    ['no layer matches', () => [CLS_MODEL, '--input', 'demo:2', '--layers', 'nothing-like-this'], /^pvq: error: --layers: no weight layer of ch_ppocr_mobile_v2\.0_cls_infer\.onnx matches/],
    ['not an ONNX file', () => [notOnnx, '--input', 'demo:2'], /model\.onnx: not an ONNX model/],
    ['missing model', () => [join(dir, 'missing.onnx'), '--input', 'demo:2'], /missing\.onnx: cannot read file/],
    ['missing batch', () => [CLS_MODEL, '--input', join(dir, 'missing.npy')], /missing\.npy: cannot read file/],
    ['bad opt-dim', () => [CLS_MODEL, '--input', 'demo:2', '--opt-dim', 'half'], /--opt-dim: expected an integer >= 1/],
    ['bad bits', () => [CLS_MODEL, '--input', 'demo:2', '--bits', '4,9'], /--bits: expected integers in \[2, 8\], got 9/],
    ['bad regex', () => [CLS_MODEL, '--input', 'demo:2', '--layers', '(['], /--layers: invalid regular expression/],
  ];
  for (const [name, args, re] of cases) {
    it(name, async () => {
      const o = join(dir, `out-${name.replace(/\W+/g, '-')}`);
      const r = await runCli(['model', ...args(), '--no-progress', '-o', o]);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      const lines = r.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(re);
      expect(existsSync(o)).toBe(false);
    });
  }
});
