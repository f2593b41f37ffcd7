// `npm start`: the whole service on one machine: the API and one worker process serving every queue, each
// its own process (as `npm run api` and `npm run worker` start them for scale-out), same environment.
// SIGTERM/SIGINT go to both, which drain; if either stops on its own, the other is stopped too and the
// exit code says which failed.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const PARTS = [
  { name: 'api', args: ['src/api/main.ts'] },
  { name: 'worker', args: ['workers/main.ts', ...process.argv.slice(2)] },
] as const;

type Part = { name: string; child: ChildProcess; exited: Promise<number> };

function startPart(name: string, args: readonly string[]): Part {
  const child = spawn(process.execPath, ['--import', 'tsx', ...args], { cwd: ROOT, env: process.env, stdio: 'inherit' });
  const exited = new Promise<number>((resolve) => {
    child.once('error', (error) => {
      process.stderr.write(`medsched start: cannot start the ${name}: ${error.message}\n`);
      resolve(1);
    });
    child.once('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
  return { name, child, exited };
}

const parts = PARTS.map((p) => startPart(p.name, p.args));
let stopping = false;
const stopAll = (signal: NodeJS.Signals) => {
  stopping = true;
  for (const p of parts) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill(signal);
};
process.on('SIGTERM', () => stopAll('SIGTERM'));
process.on('SIGINT', () => stopAll('SIGINT'));

// The first to stop (unasked) takes the other down with it.
void Promise.race(parts.map((p) => p.exited.then((code) => ({ p, code })))).then(({ p, code }) => {
  if (!stopping) process.stderr.write(`medsched start: the ${p.name} stopped (exit ${code}); stopping the rest\n`);
  stopAll('SIGTERM');
});
const codes = await Promise.all(parts.map((p) => p.exited));
process.exit(codes.find((c) => c !== 0) ?? 0);
