// `newton operator start`: an operator service (newton-server, loaded as `gateway start` loads
// it) — the BLS keystore's operator, registered with a gateway and serving its two rounds until
// SIGINT/SIGTERM.
import { resolve } from 'node:path';
import { InvalidArgumentError, Option, type Command } from 'commander';
import type { Hex } from 'viem';
import { NewtonError } from '../errors.js';
import { address } from './gateway-client.js';
import { loadGatewayServer, port, stopOnSignal } from './gateway.js';
import { password } from './keys.js';
import { formatOption, type Cli, type Format } from './output.js';

const ABOUT = `The operator registers with the gateway (POST URL/operators: its BLS public key, proof of
possession, stake, address and id = keccak256 of the key, signed by the key) and renews that every
10 s, so a restarted gateway learns it back. With --nats it serves on the bus instead: it registers
on newton.operators.announce, beats every second and answers the gateway's broadcasts. It answers the gateway's two rounds only when the
gateway's EIP-712 signature is fresh and by the trusted address: --gateway-address, else the address
the gateway reports at first contact (printed; pin it for production). Policies and PolicyData
modules are fetched from URL/content by content id and checked against it; compiled modules are
cached in DIR/wasm-cache. The keystore password is the first line of --password-file, else
$NEWTON_KEYSTORE_PASSWORD. stdout gets one line when the gateway has admitted the operator; the
logs (pino JSON lines) go to stderr.`;

interface StartFlags {
  keystore: string;
  passwordFile?: string;
  gateway: string;
  gatewayAddress?: Hex;
  listen: { host: string; port: number };
  stake: bigint;
  dataDir: string;
  allowHost: string[];
  nats?: string;
  logLevel: string;
  format: Format;
}

export function addOperator(program: Command, cli: Cli): void {
  const area = program.command('operator').description('run an operator service for a gateway: start');
  area
    .command('start')
    .description('serve as one operator of a gateway until SIGINT/SIGTERM')
    .addHelpText('after', `\n${ABOUT}`)
    .requiredOption('--keystore <FILE>', "the operator's EIP-2335 BLS keystore (`newton keys generate`)")
    .option('--password-file <FILE>', 'the password is its first line (default $NEWTON_KEYSTORE_PASSWORD)')
    .addOption(new Option('--gateway <URL>', "the gateway's base URL").env('NEWTON_GATEWAY_URL').makeOptionMandatory())
    .option('--gateway-address <ADDR>', 'the gateway signing address to trust (default: as the gateway reports it)', address)
    .option('--listen <HOST:PORT>', 'where to listen (port 0: a free one)', listen, { host: '127.0.0.1', port: 9545 })
    .option('--stake <N>', 'stake in quorum 0', stake, 1000n)
    .addOption(new Option('--data-dir <DIR>', 'where compiled modules are cached').env('NEWTON_OPERATOR_DATA_DIR').default('newton-operator'))
    .addOption(new Option('--nats <URL>', "serve on the gateway's NATS bus (nats://host:4222) instead of listening for HTTP").env('NEWTON_NATS_URL'))
    .option('--allow-host <HOST:PORT>', 'a host PolicyData may reach that is not public (repeatable), e.g. a local chain RPC', (v: string, all: string[]) => [...all, v], [])
    .addOption(new Option('--log-level <LEVEL>', 'the log level (logs go to stderr)').choices(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'))
    .addOption(formatOption('pretty'))
    .action(async (opts: StartFlags) => {
      const server = await loadGatewayServer();
      const secret = password(opts.passwordFile);
      let running: Awaited<ReturnType<typeof server.runOperator>>;
      try {
        running = await server.runOperator({
          keystore: resolve(opts.keystore),
          password: secret,
          gatewayUrl: opts.gateway,
          gatewayAddress: opts.gatewayAddress,
          listenHost: opts.listen.host,
          port: opts.listen.port,
          stake: opts.stake,
          dataDir: resolve(opts.dataDir),
          allowHosts: opts.allowHost.length ? opts.allowHost : undefined,
          nats: opts.nats,
          logger: opts.logLevel === 'silent' ? false : { level: opts.logLevel, stream: cli.io.stderr },
        });
      } catch (err) {
        const { code } = err as NodeJS.ErrnoException;
        if (code === 'EADDRINUSE' || code === 'EACCES') throw new NewtonError({ code: 'NEWTON_ERR_IO', message: `cannot listen on ${opts.listen.host}:${opts.listen.port}: ${code}` });
        if (code === 'ECONNREFUSED' || (err as Error).name === 'TypeError') throw new NewtonError({ code: 'NEWTON_ERR_IO', message: `cannot reach the gateway at ${opts.gateway}: ${(err as Error).message}` });
        if (code === 'CONNECTION_REFUSED' || (err as Error).name === 'ConnectionError') throw new NewtonError({ code: 'NEWTON_ERR_IO', message: `cannot reach the NATS server at ${opts.nats}: ${(err as Error).message}` });
        throw err;
      }
      if (!running.gatewayAddressPinned) cli.note(`trusting gateway ${running.gatewayAddress} as ${opts.gateway} reported it; pin it with --gateway-address`);
      try {
        await running.registration?.first;
      } catch (err) {
        await running.close();
        throw err;
      }
      const stop = stopOnSignal(cli, 'the operator');
      const { operatorId } = running.identity;
      if (opts.format === 'json') cli.data('json', { url: running.url, operator_id: operatorId, gateway: running.gatewayAddress });
      else cli.out(`operator ${operatorId} serving on ${running.url}, registered with ${opts.gateway}`);
      await stop.serve(running);
    });
}

function listen(value: string): { host: string; port: number } {
  const at = value.lastIndexOf(':');
  if (at <= 0) throw new InvalidArgumentError('Expected HOST:PORT, e.g. 127.0.0.1:9545.');
  return { host: value.slice(0, at).replace(/^\[(.*)\]$/, '$1'), port: port(value.slice(at + 1)) };
}

function stake(value: string): bigint {
  if (!/^[1-9][0-9]{0,77}$/.test(value)) throw new InvalidArgumentError('Expected a positive whole number.');
  return BigInt(value);
}
