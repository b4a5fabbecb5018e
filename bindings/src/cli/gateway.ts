// `newton gateway start|keys create`: run a gateway on a data directory, and make its API keys.
// The gateway is the newton-server package, which depends on newton-engine: it is loaded when one
// of these commands runs (a dynamic import), never a dependency of this package.
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { InvalidArgumentError, Option, type Command } from 'commander';
import type { Hex } from 'viem';
import { NewtonError } from '../errors.js';
import { positiveInt, usage } from './exit.js';
import { address } from './gateway-client.js';
import { formatOption, type Cli, type Format, type Output } from './output.js';

const SERVER_PACKAGE = 'newton-server';

type Permission = 'read' | 'write';

/** The part of newton-server the CLI uses (declared here: newton-engine cannot import its types). */
export interface GatewayServer {
  createGateway(options: { dataDir: string; database?: string; keysFile?: string; operators?: number; admitOperators?: 'any' | Hex[]; nats?: string; rateLimitMax?: number; chainId?: number; blockTimeMs?: number; logSink?: string; logger?: unknown; chain?: ChainOptions }): Promise<{ app: GatewayApp; gateway: { account: { address: Hex } } }>;
  runOperator(config: OperatorConfig): Promise<RunningOperator>;
  SqliteStore: new (file: string) => KeyStore;
  PostgresStore: { open(url: string): Promise<KeyStore> };
  createApiKey(store: KeyStore, options: { permissions: Permission[]; owner?: Hex | null }): Promise<{ id: string; key: string; permissions: Permission[] }>;
}

/** newton-server's ChainOptions (server/src/chain): chain mode. */
export interface ChainOptions {
  rpcUrl: string;
  /** The contracts' JSON file (a deploy step's output). */
  contracts: string;
  privateKey?: Hex;
}

/** newton-server's OperatorConfig (server/src/operator/run.ts). */
export interface OperatorConfig {
  keystore: string;
  password: string;
  gatewayUrl: string;
  gatewayAddress?: Hex;
  listenHost?: string;
  port?: number;
  stake?: bigint;
  dataDir: string;
  allowHosts?: string[];
  nats?: string;
  logger?: unknown;
}

interface RunningOperator {
  close(): Promise<void>;
  identity: { operatorId: Hex; operatorAddress: Hex; publicKey: Hex };
  url: string;
  gatewayAddress: Hex;
  gatewayAddressPinned: boolean;
  registration?: { first: Promise<void> };
}

interface GatewayApp {
  listen(options: { host: string; port: number }): Promise<string>;
  close(): Promise<unknown>;
}

interface KeyStore {
  close(): Promise<void>;
}

/** Loads newton-server; when it is not installed, a usage error that says to install it. */
export async function loadGatewayServer(specifier = SERVER_PACKAGE): Promise<GatewayServer> {
  try {
    return (await import(specifier)) as GatewayServer;
  } catch (err) {
    const { code, message } = err as NodeJS.ErrnoException;
    if (code === 'ERR_MODULE_NOT_FOUND' && message.includes(`'${specifier}'`)) {
      throw usage(`newton gateway needs the ${specifier} package (the gateway itself), which is not installed: run \`npm install ${specifier}\` next to newton-engine`);
    }
    throw err;
  }
}

export interface StartOptions {
  dataDir: string;
  /** A postgres:// URL: the store (registry, tasks, API keys, spent attestations) in PostgreSQL instead of gateway.db. */
  database?: string;
  /** The gateway's keys instead of <dataDir>/gateway-keys.json (gateways of one network share it). */
  keysFile?: string;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 8545; 0 picks a free port. */
  port?: number;
  /** In-process operators (default 4; 0: none, the task methods answer NEWTON_ERR_UNAVAILABLE). */
  operators?: number;
  /** Operator services admitted to register (their ids, or 'any'); implies no in-process operators. */
  admitOperators?: 'any' | Hex[];
  /** With admitOperators: a NATS server URL operators may also register and serve on. */
  nats?: string;
  /** Requests per API key per minute (default 600). */
  rateLimitMax?: number;
  /** Ship decision-log entries to this URL (HTTP POST, signed batches). */
  logSink?: string;
  chainId?: number;
  blockTimeMs?: number;
  /** Chain mode: the chain's RPC, the contracts file, the posting key (default the gateway's). */
  chain?: ChainOptions;
  /** pino's level, or 'silent' for no logs (default info). */
  logLevel?: string;
  /** Where the logs go (one JSON object a line). */
  log: Output;
}

export interface RunningGateway {
  /** Its base URL, e.g. http://127.0.0.1:8545 (JSON-RPC at /rpc, task progress at /ws). */
  url: string;
  /** The address it signs operator requests with (what operators trust). */
  address: Hex;
  /** The data directory, absolute. */
  dataDir: string;
  /** Stops listening, finishes (or fails) in-flight tasks, closes the store. */
  close(): Promise<void>;
}

/** Opens the data directory and listens: what `newton gateway start` runs before it waits for a signal. */
export async function startGateway(options: StartOptions): Promise<RunningGateway> {
  const server = await loadGatewayServer();
  const dataDir = resolve(options.dataDir);
  const level = options.logLevel ?? 'info';
  const { app, gateway } = await server.createGateway({
    dataDir,
    database: options.database,
    keysFile: options.keysFile && resolve(options.keysFile),
    operators: options.admitOperators ? 0 : (options.operators ?? 4),
    admitOperators: options.admitOperators,
    nats: options.nats,
    rateLimitMax: options.rateLimitMax,
    logSink: options.logSink,
    chainId: options.chainId,
    blockTimeMs: options.blockTimeMs,
    chain: options.chain,
    logger: level === 'silent' ? false : { level, stream: options.log },
  });
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? 8545;
  let url: string;
  try {
    url = await app.listen({ host, port });
  } catch (err) {
    await app.close();
    const reason = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    throw new NewtonError({ code: 'NEWTON_ERR_IO', message: `cannot listen on ${host}:${port}: ${reason}` });
  }
  return { url, address: gateway.account.address, dataDir, close: async () => void (await app.close()) };
}

/** How long in-flight tasks get to finish once a signal arrives. */
const GRACE_MS = 20_000;

const START_ABOUT = `Serves JSON-RPC at URL/rpc and task progress at URL/ws until SIGINT or SIGTERM, then stops
listening, lets in-flight tasks finish (the gateway fails those still running after 10 s) and exits
0; a second signal, or a close that takes over ${GRACE_MS / 1000} s, exits 1 at once. The data directory keeps
the registry, tasks, spent attestations, API keys and the gateway's and operators' keys across
restarts; with --database the registry, tasks, spent attestations and API keys live in that
PostgreSQL database instead (its schema is migrated at start). stdout gets one line ({"url",
"data_dir"} with --format json); the logs (pino JSON lines) go to stderr.
With --chain-rpc (chain mode) the block clock is that chain's, a client's policy is read from its
contract at each task, and each certified response is posted to the TaskResponseHandler named in
--chain-contracts (the JSON contracts/deploy.mjs writes) before the task answers; signature_data is
then the ABI certificate. The posting key comes from NEWTON_CHAIN_PRIVATE_KEY (default: the
gateway's signing key; its account pays the gas).`;

interface StartFlags {
  dataDir: string;
  database?: string;
  keysFile?: string;
  host: string;
  port: number;
  operators: number;
  admitOperators?: 'any' | Hex[];
  nats?: string;
  rateLimitMax?: number;
  logSink?: string;
  chainId?: number;
  blockTimeMs?: number;
  chainRpc?: string;
  chainContracts?: string;
  logLevel: string;
  format: Format;
}

interface KeysFlags {
  dataDir?: string;
  database?: string;
  permission: Permission;
  owner?: Hex;
  format: Format;
}

export function addGateway(program: Command, cli: Cli): void {
  const area = program.command('gateway').description('run a gateway and make its API keys: start | keys');
  area
    .command('start')
    .description('run a gateway on a data directory until SIGINT/SIGTERM; prints its URL')
    .addHelpText('after', `\n${START_ABOUT}`)
    .addOption(new Option('--data-dir <DIR>', 'the data directory (created if missing)').env('NEWTON_DATA_DIR').default('newton-data'))
    .addOption(new Option('--database <URL>', 'keep the store in PostgreSQL (postgres://user:password@host:port/database; the env var keeps a password out of ps) instead of gateway.db').env('NEWTON_DATABASE_URL'))
    .addOption(new Option('--keys-file <FILE>', "the gateway's keys instead of DIR/gateway-keys.json: gateways serving one network share it (made on first use, mode 0600)").env('NEWTON_GATEWAY_KEYS'))
    .option('--host <HOST>', 'the address to listen on', '127.0.0.1')
    .option('--port <N>', 'the port to listen on (0: a free one)', port, 8545)
    .addOption(new Option('--operators <N>', 'in-process operators (0: none, tasks are unavailable)').argParser(count).env('NEWTON_OPERATORS').default(4))
    .addOption(new Option('--admit-operators <IDS>', "operator services that may register (`newton operator start`): comma-separated operator ids, or 'any'; no in-process operators then").argParser(admitted))
    .addOption(new Option('--rate-limit-max <N>', 'requests per API key per minute (default 600)').argParser(positiveInt))
    .addOption(new Option('--log-sink <URL>', 'POST decision-log entries with a signed tree head to this URL in batches (retried; see docs/gateway.md)').env('NEWTON_LOG_SINK'))
    .addOption(new Option('--nats <URL>', 'with --admit-operators: a NATS server operators may also register and serve on (nats://host:4222)').env('NEWTON_NATS_URL'))
    .addOption(new Option('--chain-id <N>', 'the chain id (default 11155111, Sepolia)').argParser(positiveInt).env('NEWTON_CHAIN_ID'))
    .addOption(new Option('--block-time-ms <MS>', 'milliseconds per block (default 12000)').argParser(positiveInt).env('NEWTON_BLOCK_TIME_MS'))
    .addOption(new Option('--chain-rpc <URL>', "chain mode: the chain's JSON-RPC URL (its clock, clients' policies, responses posted)").env('NEWTON_CHAIN_RPC'))
    .addOption(new Option('--chain-contracts <FILE>', 'with --chain-rpc: the Newton contracts on it (JSON from contracts/deploy.mjs)').env('NEWTON_CHAIN_CONTRACTS'))
    .addOption(new Option('--log-level <LEVEL>', 'the log level (logs go to stderr)').choices(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'))
    .addOption(formatOption('pretty'))
    .action(async (opts: StartFlags) => {
      if (opts.nats && !opts.admitOperators) throw usage('--nats needs --admit-operators (which operators may register on the bus)');
      if (!opts.chainRpc !== !opts.chainContracts) throw usage('--chain-rpc and --chain-contracts go together');
      const privateKey = process.env.NEWTON_CHAIN_PRIVATE_KEY as Hex | undefined;
      const chain = opts.chainRpc ? { rpcUrl: opts.chainRpc, contracts: resolve(opts.chainContracts!), ...(privateKey && { privateKey }) } : undefined;
      const running = await startGateway({ ...opts, chain, log: cli.io.stderr });
      const stop = stopOnSignal(cli, 'the gateway');
      if (opts.format === 'json') cli.data('json', { url: running.url, address: running.address, data_dir: running.dataDir });
      else cli.out(`gateway listening on ${running.url} (JSON-RPC at ${running.url}/rpc), signing as ${running.address}, data in ${running.dataDir}`);
      await stop.serve(running);
    });
  area
    .command('keys')
    .description("the gateway's API keys: create")
    .command('create')
    .description("create an API key in a data directory's store and print it (the only time it is shown)")
    .addHelpText('after', `\nThe store keeps only the key's sha256; it works at once, also for a gateway already running (and, on\nPostgreSQL, for every gateway sharing the database).`)
    .addOption(new Option('--data-dir <DIR>', "the gateway's data directory (its gateway.db)").env('NEWTON_DATA_DIR'))
    .addOption(new Option('--database <URL>', "the gateway's PostgreSQL database instead").env('NEWTON_DATABASE_URL'))
    .addOption(new Option('--permission <PERMISSION>', 'read: tasks, simulation and reads; write: read, plus publishing, registry writes and spending').choices(['read', 'write']).makeOptionMandatory())
    .option('--owner <ADDR>', 'the address the key acts for (newt_storeEncryptedSecrets checks it)', address)
    .addOption(formatOption('pretty'))
    .action(async (opts: KeysFlags) => {
      const server = await loadGatewayServer();
      if (!opts.dataDir === !opts.database) throw usage('give the gateway\'s --data-dir or its --database');
      let store: KeyStore;
      let createdStore: string | undefined;
      if (opts.database) {
        store = await server.PostgresStore.open(opts.database);
      } else {
        const dataDir = resolve(opts.dataDir!);
        const file = join(dataDir, 'gateway.db');
        if (!existsSync(file)) createdStore = file;
        try {
          mkdirSync(dataDir, { recursive: true, mode: 0o700 });
          store = new server.SqliteStore(file);
        } catch (err) {
          throw new NewtonError({ code: 'NEWTON_ERR_STORE', message: `cannot open ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}` });
        }
      }
      try {
        const permissions: Permission[] = opts.permission === 'write' ? ['read', 'write'] : ['read'];
        const created = await server.createApiKey(store, { permissions, owner: opts.owner?.toLowerCase() as Hex | undefined });
        if (createdStore) cli.note(`created the store ${createdStore}`);
        cli.note('this is the only time the key is shown: the store keeps its hash');
        cli.data(opts.format, { ...created, owner: opts.owner?.toLowerCase() ?? null });
      } finally {
        await store.close();
      }
    });
}

function admitted(value: string): 'any' | Hex[] {
  if (value === 'any') return 'any';
  const ids = value.split(',').map((id) => id.trim());
  if (ids.some((id) => !/^0x[0-9a-fA-F]{64}$/.test(id))) throw new InvalidArgumentError("Expected 'any' or comma-separated 32-byte 0x operator ids.");
  return ids as Hex[];
}

export function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535 || !/^\d+$/.test(value)) throw new InvalidArgumentError('Expected a port, 0 to 65535.');
  return n;
}

function count(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 0 || !/^\d+$/.test(value)) throw new InvalidArgumentError('Expected a non-negative integer.');
  return n;
}

const SIGNALS = ['SIGINT', 'SIGTERM'] as const;

/**
 * Listens for SIGINT and SIGTERM from now on — call it before printing that the service is ready,
 * so that no signal finds the process without a handler — and `serve` then waits for the first,
 * closes `running` (as close-with-grace does for the server's own main) and returns. The one place
 * the CLI ends the process itself: a second signal, or a close that takes longer than the grace
 * period, exits 1 at once (an event loop still busy would never end).
 */
export function stopOnSignal(cli: Cli, what: string): { serve(running: { close(): Promise<void> }): Promise<void>; release(): void } {
  const received: NodeJS.Signals[] = [];
  const waiting: Array<() => void> = [];
  const on = (name: NodeJS.Signals) => {
    received.push(name);
    for (const wake of waiting.splice(0)) wake();
  };
  SIGNALS.forEach((name) => process.on(name, on));
  /** The `n`th signal received (1-based), now or when it comes. */
  const nth = (n: number) =>
    new Promise<NodeJS.Signals>((resolveSignal) => {
      const check = () => (received.length >= n ? resolveSignal(received[n - 1]!) : waiting.push(check));
      check();
    });
  const release = () => SIGNALS.forEach((name) => process.off(name, on));
  return {
    release,
    async serve(running) {
      let timer: NodeJS.Timeout | undefined;
      try {
        cli.note(`${await nth(1)}: closing ${what}`);
        const forced = Promise.race([
          nth(2).then((name) => `second ${name}`),
          new Promise<string>((resolveTimeout) => (timer = setTimeout(() => resolveTimeout(`not closed after ${GRACE_MS / 1000} s`), GRACE_MS))),
        ]);
        const outcome = await Promise.race([running.close().then(() => undefined), forced]);
        if (outcome !== undefined) {
          cli.note(`${outcome}: exiting`);
          process.exit(1);
        }
      } finally {
        clearTimeout(timer);
        release();
      }
    },
  };
}
