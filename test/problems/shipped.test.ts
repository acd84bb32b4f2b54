import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseLayerProblem } from '../../src/io/layer-problem.js';
import { parseNpy, readNpy } from '../../src/io/npy.js';
import { buildLinearLayer } from '../../problems/build.js';
import { shippedInstances } from '../../problems/instances.js';
import { layerFileJSON, parseLayerFile } from '../../src/io/layer-file.js';
import { npyBytes } from '../../src/io/npy-write.js';

/** null when equal (compared as JSON text, fast), else the index and name of the first differing problem. */
function firstDifference(a: { name: string }[], b: { name: string }[]): string | null {
  if (a.length !== b.length) return `lengths ${a.length} vs ${b.length}`;
  for (let i = 0; i < a.length; i++) if (JSON.stringify(a[i]) !== JSON.stringify(b[i])) return `problem ${i} (${a[i].name}) differs`;
  return null;
}

const dir = resolve(dirname(fileURLToPath(import.meta.url)), '../../problems');
const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();

describe('shipped instances', () => {
  it('there are several, including the default', () => {
    expect(files).toContain('default.json');
    expect(files.length).toBeGreaterThanOrEqual(5);
  });

  for (const f of files) {
    it(`${f} parses; every element passes parseLayerProblem and carries the meta fields`, () => {
      const json = JSON.parse(readFileSync(join(dir, f), 'utf8'));
      const { problems, name } = parseLayerFile(json);
      expect(name).toBe(f.replace(/\.json$/, ''));
      json.problems.forEach((p: unknown, i: number) => {
        const q = parseLayerProblem(p);
        expect(q.n).toBe(problems[i].n);
      });
      for (const p of problems) {
        for (const key of ['layer', 'channel', 'bits', 'scaleRule', 'kRule', 'kind']) expect(p.meta[key], `${p.name} meta.${key}`).toBeDefined();
        const b = p.meta.bits as number;
        expect(p.zmin).toBe(-(2 ** (b - 1)));
        expect(p.zmax).toBe(2 ** (b - 1) - 1);
        expect(p.k).toBe(Math.floor((p.n * b) / 16 + 0.5));
        if (p.meta.kind === 'chunk') expect(p.meta.chunk).toBeDefined();
      }
    });
  }

  it('the files equal a fresh build (regenerate with `npx tsx problems/generate.ts`)', () => {
    for (const inst of shippedInstances()) {
      const onDisk = JSON.parse(readFileSync(join(dir, `${inst.file}.json`), 'utf8'));
      const fresh = JSON.parse(JSON.stringify(layerFileJSON(inst.problems, inst.file)));
      expect(firstDifference(onDisk.problems, fresh.problems), inst.file).toBeNull();
    }
  });

  it('the default is a small 4-bit layer: 8 channels, n <= 32', () => {
    const { problems } = parseLayerFile(JSON.parse(readFileSync(join(dir, 'default.json'), 'utf8')));
    expect(problems.length).toBe(8);
    for (const p of problems) {
      expect(p.n).toBeLessThanOrEqual(32);
      expect(p.meta.bits).toBe(4);
      expect(p.objective.r).toBeGreaterThan(0);
    }
  });

  it('the default layer rebuilds from its .npy inputs (as the README shows)', () => {
    const X = readNpy(join(dir, 'data/default_X.npy'));
    const W = readNpy(join(dir, 'data/default_W.npy'));
    expect(X.shape).toEqual([256, 32]);
    expect(W.shape).toEqual([8, 32]);
    const built = buildLinearLayer(X, W, { bits: 4, layer: 'default' });
    const onDisk = JSON.parse(readFileSync(join(dir, 'default.json'), 'utf8'));
    expect(firstDifference(JSON.parse(JSON.stringify(layerFileJSON(built, 'default'))).problems, onDisk.problems)).toBeNull();
  });
});

describe('npy writer', () => {
  it('round-trips through the npy reader (f8 exact, f4 rounded), header aligned to 64 bytes', () => {
    const data = [1.5, -2.25, Math.PI, 1e-300, 0, -0, 7, 8, 9, 10, 11, 12];
    for (const shape of [[12], [3, 4], [2, 3, 2]]) {
      const b8 = npyBytes(shape, data, '<f8');
      const hlen = b8[8] | (b8[9] << 8);
      expect((10 + hlen) % 64).toBe(0);
      const a = parseNpy(b8);
      expect(a.shape).toEqual(shape);
      expect(Array.from(a.data)).toEqual(data);
      const a4 = parseNpy(npyBytes(shape, data, '<f4'));
      expect(Array.from(a4.data)).toEqual(data.map((v) => Math.fround(v)));
    }
    expect(() => npyBytes([2, 2], [1, 2, 3])).toThrow();
  });
});
