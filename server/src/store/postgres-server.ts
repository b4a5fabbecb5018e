// A throwaway PostgreSQL server for the tests and local runs: initdb on a temporary directory,
// postgres on loopback and a free port (fsync off: nothing in it outlives the run), ready once it
// accepts connections, a fresh database per caller, stopped and removed by its owner. PostgreSQL
// refuses to run as root, so as root it runs as the `postgres` user. A machine without the server
// binaries gets the install command, never a silent fallback.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { NewtonError } from 'newton-engine';

export const POSTGRES_INSTALL = 'install the PostgreSQL server: `apt-get install postgresql` (Debian/Ubuntu), `brew install postgresql` (macOS), or set POSTGRES_BIN_DIR to a directory holding initdb and postgres';

export interface PostgresServer {
  /** `postgres://postgres@127.0.0.1:<port>/newton`: the database made at start. */
  url: string;
  port: number;
  pid: number | undefined;
  /** Creates an empty database (`newton_1`, `newton_2` … unless named) and returns its URL. */
  createDatabase(name?: string): Promise<string>;
  /** Stops it (fast shutdown, SIGKILL after 5 s) and removes its directory. */
  stop(): Promise<void>;
}

/** The directory holding initdb and postgres: POSTGRES_BIN_DIR, else PATH, else the newest /usr/lib/postgresql/<n>/bin; null when none. */
export function postgresBinDir(env: NodeJS.ProcessEnv = process.env): string | null {
  const has = (dir: string) => ['initdb', 'postgres'].every((bin) => fs.existsSync(path.join(dir, bin)));
  if (env.POSTGRES_BIN_DIR) return has(env.POSTGRES_BIN_DIR) ? env.POSTGRES_BIN_DIR : null;
  const onPath = (env.PATH ?? '').split(path.delimiter).find((dir) => dir && has(dir));
  if (onPath) return onPath;
  const debian = '/usr/lib/postgresql';
  const versions = fs.existsSync(debian) ? fs.readdirSync(debian).filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a)) : [];
  return versions.map((v) => path.join(debian, v, 'bin')).find(has) ?? null;
}

/** Runs initdb and starts postgres; `binDir` defaults to postgresBinDir(). */
export async function startPostgresServer(options: { binDir?: string; database?: string } = {}): Promise<PostgresServer> {
  const binDir = options.binDir ?? postgresBinDir();
  if (!binDir) throw new NewtonError({ code: 'NEWTON_ERR_UNAVAILABLE', message: `the PostgreSQL server binaries (initdb, postgres) were not found: ${POSTGRES_INSTALL}` });
  const user = runAs();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'newton-postgres-'));
  try {
    if (user) fs.chownSync(dir, user.uid, user.gid);
    const data = path.join(dir, 'data');
    const spawnOptions = { cwd: dir, env: { ...process.env, LC_ALL: 'C', LANG: 'C' }, ...user };
    await promisify(execFile)(path.join(binDir, 'initdb'), ['-D', data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-sync'], spawnOptions)
      .catch((err: { stderr?: string; message: string }) => {
        throw new NewtonError({ code: 'NEWTON_ERR_UNAVAILABLE', message: `initdb failed: ${(err.stderr || err.message).slice(-500)}` });
      });
    const { child, port } = await launch(path.join(binDir, 'postgres'), data, dir, spawnOptions);
    const stopOnExit = () => child.kill('SIGQUIT'); // the test process ended without stop(): no orphan server
    process.on('exit', stopOnExit);
    const base = `postgres://postgres@127.0.0.1:${port}`;
    let admin: Promise<pg.Client> | undefined;
    let made = 0;
    const server: PostgresServer = {
      url: '',
      port,
      pid: child.pid,
      async createDatabase(name = `newton_${++made}`) {
        admin ??= (async () => {
          const client = new pg.Client({ connectionString: `${base}/postgres` });
          client.on('error', () => undefined); // the server stopping under it
          await client.connect();
          return client;
        })();
        await (await admin).query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`);
        return `${base}/${encodeURIComponent(name)}`;
      },
      async stop() {
        process.off('exit', stopOnExit);
        await admin?.then((client) => client.end(), () => undefined);
        await halt(child);
        fs.rmSync(dir, { recursive: true, force: true });
      },
    };
    try {
      server.url = await server.createDatabase(options.database ?? 'newton');
    } catch (err) {
      await server.stop();
      throw err;
    }
    return server;
  } catch (err) {
    fs.rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

/** As root: the postgres user's ids (PostgreSQL will not run as root); otherwise undefined (the current user). */
function runAs(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const line = fs.readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.startsWith('postgres:'));
  if (!line) {
    throw new NewtonError({ code: 'NEWTON_ERR_UNAVAILABLE', message: 'PostgreSQL will not run as root and there is no postgres user to run it as: `useradd --system postgres` (the postgresql package creates it)' });
  }
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

/** Starts postgres on a free loopback port (another try when the port was taken meanwhile). */
async function launch(bin: string, data: string, sockets: string, spawnOptions: object): Promise<{ child: ChildProcess; port: number }> {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const child = spawn(bin, ['-D', data, '-p', String(port), '-k', sockets, '-c', 'listen_addresses=127.0.0.1',
      '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'], { ...spawnOptions, stdio: ['ignore', 'ignore', 'pipe'] });
    let log = '';
    const ready = new Promise<void>((resolve, reject) => {
      child.once('error', (err: NodeJS.ErrnoException) =>
        reject(err.code === 'ENOENT' ? new NewtonError({ code: 'NEWTON_ERR_UNAVAILABLE', message: `${bin} not found: ${POSTGRES_INSTALL}` }) : err));
      child.once('exit', (code) => reject(new NewtonError({ code: 'NEWTON_ERR_UNAVAILABLE', message: `postgres exited (${code}) before it was ready: ${log.slice(-500)}` })));
      const onLog = (chunk: string) => {
        log += chunk;
        if (log.includes('database system is ready to accept connections')) {
          child.stderr!.off('data', onLog).resume(); // keep draining, stop keeping
          resolve();
        }
      };
      child.stderr!.setEncoding('utf8').on('data', onLog);
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    try {
      await ready;
      return { child, port };
    } catch (err) {
      if (attempt < 3 && /could not bind|Address already in use/.test(log)) continue;
      throw err;
    } finally {
      clearTimeout(timer);
    }
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer().once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

async function halt(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGINT'); // postgres's fast shutdown: disconnects clients, then stops
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}
