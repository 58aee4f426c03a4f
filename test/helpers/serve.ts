import type { Test } from 'tap';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
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
export async function serve(t: Pick<Test, 'teardown'>, args: string[], env: NodeJS.ProcessEnv = {}): Promise<Served> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', ...args], { cwd: repoRoot, env: { ...process.env, ...env } });
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
    setTimeout(() => reject(new Error(`no "listening on" line within 30 s:\n${stderr}`)), 30_000).unref();
  });
  return { child, url, stderr: () => stderr, exit };
}
