import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { z } from 'zod';

export interface RunningChild {
  name: string;
  pid: number;
  url: string;
  logFile: string;
  /** SIGTERM, then SIGKILL to this child only if it has not exited within the grace period. */
  stop(): Promise<number | null>;
}

const readyLine = z.object({ bench: z.literal('ready'), url: z.string(), pid: z.number() });

/**
 * Starts a bench/*.ts script in its own node process (tsx as a loader), so the servers never share
 * the load generator's event loop. Resolves with the URL the child prints when it listens; every
 * other output line goes to `logFile`.
 */
export function startChild(options: {
  name: string; script: string; env: Record<string, string>; logFile: string; nodeArgs?: string[]; timeoutMs?: number;
}): Promise<RunningChild> {
  const log = fs.createWriteStream(options.logFile, { flags: 'a' });
  const child: ChildProcess = spawn(process.execPath, [...(options.nodeArgs ?? []), '--import', 'tsx', options.script], {
    cwd: path.resolve(__dirname, '..'),
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.stderr?.pipe(log, { end: false });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${options.name} did not report ready within ${options.timeoutMs ?? 60_000} ms; see ${options.logFile}`));
    }, options.timeoutMs ?? 60_000);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${options.name} exited with code ${code} before it was ready; see ${options.logFile}`));
    });
    if (!child.stdout) throw new Error('child stdout is not piped');
    const lines = readline.createInterface({ input: child.stdout });
    let ready = false;
    lines.on('line', (line) => {
      if (!ready && line.startsWith('{"bench":"ready"')) {
        const parsed = readyLine.safeParse(JSON.parse(line));
        if (parsed.success) {
          ready = true;
          clearTimeout(timer);
          resolve({
            name: options.name,
            pid: child.pid ?? parsed.data.pid,
            url: parsed.data.url,
            logFile: options.logFile,
            stop: async () => {
              if (child.exitCode !== null) return child.exitCode;
              child.kill('SIGTERM');
              const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
              const code = await exited;
              clearTimeout(killer);
              log.end();
              return code;
            },
          });
          return;
        }
      }
      log.write(`${line}\n`);
    });
  });
}
