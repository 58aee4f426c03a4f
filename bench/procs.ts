import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { request } from 'undici';

export interface Proc {
  child: ChildProcess;
  stop(): Promise<void>;
}

/** Starts a child whose first stdout line is its port. */
export async function spawnWithPort(cmd: string, args: string[]): Promise<Proc & { port: number }> {
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout!.once('data', (d: Buffer) => resolve(Number(String(d).trim())));
    child.once('exit', (code) => reject(new Error(`${cmd} exited with ${code}`)));
  });
  return { child, port, stop: () => stopChild(child) };
}

/** The sidecar as deployed: its own process, its log lines written to a file (as a container runtime keeps them). */
export function spawnSidecar(configFile: string, env: NodeJS.ProcessEnv = {}): Proc {
  const log = openSync(configFile.replace(/\.ya?ml$/, '.log'), 'a');
  const child = spawn(process.execPath, ['dist/main.js', 'serve', '-c', configFile], {
    stdio: ['ignore', 'ignore', log],
    env: { ...process.env, ...env },
  });
  closeSync(log);
  return { child, stop: () => stopChild(child) };
}

export function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

/** Polls GET url until it answers 200; returns the milliseconds waited. */
export async function waitReady(url: string, timeoutMs = 30_000): Promise<number> {
  const t0 = performance.now();
  while (performance.now() - t0 < timeoutMs) {
    try {
      const res = await request(url);
      await res.body.dump();
      if (res.statusCode === 200) return performance.now() - t0;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`${url} not ready after ${timeoutMs} ms`);
}

/** Resident set size now and at its peak, in MB, from /proc (Linux). */
export function memoryOf(pid: number): { rssMb: number; peakMb: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string) => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(status)?.[1] ?? NaN);
  return { rssMb: kb('VmRSS') / 1024, peakMb: kb('VmHWM') / 1024 };
}
