// The worker-thread runner, from TypeScript sources under vitest (the worker bootstraps tsx itself).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Progress } from '../solver/api.js';
import { firstFit } from '../solver/firstFit.js';
import { parseInstance } from '../src/contract/parse.js';
import { optimizeInThread } from '../src/runtime/optimizeInThread.js';
import { validateResult } from '../src/validator/validateResult.js';

function load(file: string) {
  const parsed = parseInstance(JSON.parse(readFileSync(new URL(file, import.meta.url), 'utf8')));
  if (!parsed.ok) throw new Error(`bad fixture ${file}`);
  return parsed.value;
}

describe('optimizeInThread', () => {
  it('runs the optimizer in a worker and returns its result', async () => {
    const instance = load('./fixtures/tiny-instance.json');
    const seen: Progress[] = [];
    const outcome = await optimizeInThread(instance, {
      timeLimitMs: 5_000,
      seed: 1,
      backend: 'jsl',
      onProgress: (p) => seen.push(p),
    });
    expect(outcome.stopped).toBeNull();
    expect(outcome.usedFallback).toBe(false);
    expect(outcome.result.appointments).toHaveLength(2);
    expect(outcome.result.objective).toBeCloseTo(112, 6);
    expect(validateResult(instance, outcome.result).violations).toEqual([]);
  }, 30_000);

  it('an abort stops the run and keeps the fallback when no schedule was reported yet', async () => {
    const instance = load('./fixtures/tiny-instance.json');
    const outcome = await optimizeInThread(instance, {
      timeLimitMs: 5_000,
      seed: 1,
      backend: 'jsl',
      signal: AbortSignal.abort(),
      fallback: firstFit,
    });
    expect(outcome.stopped).toBe('aborted');
    expect(outcome.usedFallback).toBe(true);
    expect(validateResult(instance, outcome.result).violations).toEqual([]);
  });

  it('rejects when stopped with neither a schedule nor a fallback', async () => {
    const instance = load('./fixtures/tiny-instance.json');
    await expect(
      optimizeInThread(instance, { timeLimitMs: 5_000, seed: 1, backend: 'jsl', signal: AbortSignal.abort() }),
    ).rejects.toThrow(/before it found any schedule/);
  });
});
