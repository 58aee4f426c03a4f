// Real mcp-sidecar processes from source, for tests of the command line: a long-running `serve`, or a command run to completion.
import type { Test } from 'tap';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

export interface Served {
  child: ChildProcessWithoutNullStreams;
  url: string;
  stderr: () => string;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Starts a real `mcp-sidecar <args>` process from source and resolves on its "listening on" log line
 * (stderr, JSON or pretty). Killed at teardown if still running.
 */
export async function serve(t: Pick<Test, 'teardown'>, args: string[], env: NodeJS.ProcessEnv = {}, opts: { cwd?: string; timeoutMs?: number } = {}): Promise<Served> {
  // From another folder (a command as a user types it there), tsx and the entry are found by absolute URL/path.
  const entry = opts.cwd ? ['--import', import.meta.resolve('tsx'), path.join(repoRoot, 'src/main.ts')] : ['--import', 'tsx', 'src/main.ts'];
  const child = spawn(process.execPath, [...entry, ...args], { cwd: opts.cwd ?? repoRoot, env: { ...process.env, ...env } });
  let stderr = '';
  child.stdout.resume();
  const exit = once(child, 'exit').then(([code, signal]) => ({ code: code as number | null, signal: signal as NodeJS.Signals | null }));
  t.teardown(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  const url = await new Promise<string>((resolve, reject) => {
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      const m = /listening on (http:\/\/[^\s"]+)/.exec(stderr);
      if (m) resolve(m[1]!);
    });
    void exit.then(({ code }) => reject(new Error(`exited with ${code} before listening:\n${stderr}`)));
    setTimeout(() => reject(new Error(`no "listening on" line within ${(opts.timeoutMs ?? 30_000) / 1000} s:\n${stderr}`)), opts.timeoutMs ?? 30_000).unref();
  });
  return { child, url, stderr: () => stderr, exit };
}

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI to completion from the repo root, from source (tsx): what `mcp-sidecar …` does after a build. */
export function cli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', ...args], { cwd: repoRoot, env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
