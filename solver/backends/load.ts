import type { MipBackend } from '../api.js';

export const BACKEND_NAMES = ['auto', 'highs', 'jsl'] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];

/** Loads a backend by name (HiGHS compiles its WebAssembly on load, so only what is asked for is loaded). */
export async function loadBackend(name: BackendName): Promise<MipBackend> {
  if (name === 'jsl') return (await import('./jsLpSolver.js')).jsLpSolverBackend;
  if (name === 'highs') return (await import('./highs.js')).loadHighsBackend();
  return (await import('./auto.js')).loadAutoBackend();
}
