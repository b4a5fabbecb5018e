// A local nats-server for the devnet and the tests: started on loopback (a free port unless one
// is given), ready once it listens, stopped (and restartable on the same port) by its owner. A
// machine without the binary gets the install command, never a silent fallback.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { NewtonError } from 'newton-engine';

export const NATS_INSTALL = 'install nats-server: `apt-get install nats-server` (Debian/Ubuntu) or `go install github.com/nats-io/nats-server/v2@latest`';

export interface NatsServer {
  /** `nats://127.0.0.1:<port>`. */
  url: string;
  port: number;
  pid: number | undefined;
  /** Stops it (SIGTERM, then SIGKILL after 5 s). */
  stop(): Promise<void>;
  /** Stops it and starts it again on the same port. */
  restart(): Promise<void>;
}

/** Starts `nats-server` (NATS_SERVER_BIN, else the one on PATH); `port` 0 or absent picks a free one. */
export async function startNatsServer(options: { port?: number; bin?: string } = {}): Promise<NatsServer> {
  const bin = options.bin ?? process.env.NATS_SERVER_BIN ?? 'nats-server';
  let child = await launch(bin, options.port || -1);
  const port = child.port;
  const server: NatsServer = {
    url: `nats://127.0.0.1:${port}`,
    port,
    pid: child.process.pid,
    stop: () => halt(child.process),
    async restart() {
      await halt(child.process);
      child = await launch(bin, port);
      server.pid = child.process.pid;
    },
  };
  return server;
}

async function launch(bin: string, port: number): Promise<{ process: ChildProcess; port: number }> {
  const child = spawn(bin, ['-a', '127.0.0.1', '-p', String(port), '--no_advertise'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  const listening = new Promise<number>((resolve, reject) => {
    child.once('error', (err: NodeJS.ErrnoException) =>
      reject(err.code === 'ENOENT' ? new NewtonError({ code: 'NEWTON_ERR_UNAVAILABLE', message: `${bin} not found: ${NATS_INSTALL}` }) : err));
    child.once('exit', (code) => reject(new NewtonError({ code: 'NEWTON_ERR_UNAVAILABLE', message: `nats-server exited (${code}) before it listened: ${log.slice(-500)}` })));
    const onLog = (chunk: string) => {
      log += chunk;
      const match = /Listening for client connections on [^\s]*:(\d+)/.exec(log);
      if (match && log.includes('Server is ready')) {
        child.stderr!.off('data', onLog).resume(); // keep draining, stop keeping
        resolve(Number(match[1]));
      }
    };
    child.stderr!.setEncoding('utf8').on('data', onLog);
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  try {
    return { process: child, port: await listening };
  } finally {
    clearTimeout(timer);
  }
}

async function halt(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}
