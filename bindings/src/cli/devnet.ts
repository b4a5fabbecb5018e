// `newton devnet`: a gateway and N operator processes on loopback (newton-server's startDevnet),
// the examples published and a scripted tour through the JSON-RPC API — or, with --no-tour, just
// the gateway's URL and an API key for scripts — serving until SIGINT/SIGTERM, which stops every
// operator process.
import { resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { loadGatewayServer, port, stopOnSignal } from './gateway.js';
import { formatOption, type Cli, type Format } from './output.js';
import { positiveInt } from './exit.js';

const ABOUT = `The gateway runs in this process and admits exactly the devnet's operators; each operator is
its own process (BLS keystores made on first start in DIR/operators), registered with the gateway
and reached over HTTP. The examples' HTTP (the gas-price oracle's chain RPC) is a local fixture
server. Without --data-dir the data directory is temporary and removed on exit. The tour prints a
line per operator vote and kills one operator mid-way to show the 67 % quorum met by the rest.
--no-tour prints {url, api_key, owner, operators} once every operator is admitted (stdout; progress
goes to stderr). SIGINT/SIGTERM stop the operators, then the gateway; NEWTON_TOUR_EXIT=1 exits
after the tour.
--chain runs it on a real EVM: anvil (@foundry-rs/anvil) with the Newton contracts deployed, the
operators registered on chain with their keys and proofs of possession, the gateway in chain mode
(it posts every certified response) and the example vault as the policy client; the tour then
withdraws from the vault with an attestation. Its addresses are printed (and in DIR/chain-contracts.json).`;

interface DevnetFlags {
  operators: number;
  tour: boolean;
  host: string;
  port: number;
  dataDir?: string;
  nats: boolean;
  chain: boolean;
  rateLimit: number;
  logLevel: string;
  format: Format;
}

/** What the CLI uses of newton-server's startDevnet (declared here, as for the gateway). */
interface DevnetServer {
  startDevnet(options: { operators: number; host: string; port: number; dataDir?: string; nats: boolean; chain: boolean; rateLimitMax: number; logLevel: string; progress(line: string): void }): Promise<{
    url: string;
    apiKey: string;
    owner: { address: string };
    operators: { running: Array<{ index: number; operatorId: string; url: string; child: { pid?: number } }> };
    chain?: { rpcUrl: string; contracts: { chainId: number; operatorRegistry: string; taskResponseHandler: string }; contractsFile: string; vault: string; policyId: string };
    tour(log: (line: string) => void): Promise<void>;
    close(): Promise<void>;
  }>;
}

export function addDevnet(program: Command, cli: Cli): void {
  program
    .command('devnet')
    .description('a gateway and operator processes on loopback, toured through the RPC API, until Ctrl-C')
    .addHelpText('after', `\n${ABOUT}`)
    .option('--operators <N>', 'operator processes', positiveInt, 4)
    .option('--no-tour', 'print the URL and an API key when ready instead of the tour')
    .option('--host <HOST>', 'the address the gateway listens on', '127.0.0.1')
    .addOption(new Option('--port <N>', 'the gateway port (0: a free one)').argParser(port).env('PORT').default(8545))
    .option('--data-dir <DIR>', 'keep keys and state here across runs (default: a temporary directory)')
    .option('--nats', 'operators on a NATS bus: starts a local nats-server (it must be installed) instead of HTTP', false)
    .option('--chain', 'chain mode on a local anvil: the contracts deployed, the operators registered on chain, the example vault', false)
    .option('--rate-limit <N>', 'requests per API key per minute', positiveInt, 100_000)
    .addOption(new Option('--log-level <LEVEL>', 'gateway and operator logs (stderr)').choices(['fatal', 'error', 'warn', 'info', 'debug', 'silent']).default('warn'))
    .addOption(formatOption('pretty'))
    .action(async (opts: DevnetFlags) => {
      const server = (await loadGatewayServer()) as unknown as DevnetServer;
      const started = Date.now();
      const devnet = await server.startDevnet({
        operators: opts.operators,
        host: opts.host,
        port: opts.port,
        dataDir: opts.dataDir && resolve(opts.dataDir),
        nats: opts.nats,
        chain: opts.chain,
        rateLimitMax: opts.rateLimit,
        logLevel: opts.logLevel,
        progress: (line) => cli.note(line),
      });
      const stop = stopOnSignal(cli, 'the devnet');
      cli.note(`ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      if (!opts.tour) {
        const operators = devnet.operators.running.map((op) => ({ operator_id: op.operatorId, url: op.url, pid: op.child.pid }));
        const chain = devnet.chain && {
          rpc_url: devnet.chain.rpcUrl, chain_id: devnet.chain.contracts.chainId, operator_registry: devnet.chain.contracts.operatorRegistry,
          task_response_handler: devnet.chain.contracts.taskResponseHandler, contracts_file: devnet.chain.contractsFile, vault: devnet.chain.vault, policy_id: devnet.chain.policyId,
        };
        cli.data(opts.format, { url: devnet.url, api_key: devnet.apiKey, owner: devnet.owner.address, operators, ...(chain && { chain }) });
      } else {
        const log = (line: string) => cli.out(line);
        log(`\n== devnet: gateway ${devnet.url}/rpc, ${opts.operators} operator processes${opts.nats ? ' on NATS' : ''}`);
        log(`   owner ${devnet.owner.address} (a key generated for this run), its API key ${devnet.apiKey}`);
        if (devnet.chain) {
          const { rpcUrl, contracts, vault, contractsFile } = devnet.chain;
          log(`   chain ${contracts.chainId} at ${rpcUrl}: OperatorRegistry ${contracts.operatorRegistry}, TaskResponseHandler ${contracts.taskResponseHandler}, ExampleVault ${vault} (${contractsFile})`);
        }
        log(`   network page ${devnet.url}/ui/ (open on the devnet: operators, live tasks, the registry)`);
        try {
          await devnet.tour(log);
        } catch (err) {
          stop.release();
          await devnet.close();
          throw err;
        }
        log('\nThe devnet keeps its registry while it runs; call it with the key above, e.g.');
        log(`   curl -s ${devnet.url}/rpc -H 'authorization: Bearer ${devnet.apiKey}' -H 'content-type: application/json' -d '{"jsonrpc":"2.0","id":1,"method":"newton_blockNumber","params":{}}'`);
        log('Next: `npx newton --help`, `npm test`, `npm run bench`.');
        if (process.env.NEWTON_TOUR_EXIT === '1') {
          stop.release();
          return devnet.close();
        }
        log(`\nserving on ${devnet.url} — Ctrl-C to stop`);
      }
      await stop.serve(devnet);
    });
}
