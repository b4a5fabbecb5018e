// `newton log head | verify`: the gateway's decision log checked from outside. `head` saves a
// signed tree head; `verify` checks the latest head's signature, one entry's inclusion in it,
// and — given a head saved earlier — that the log only grew since (RFC 9162 consistency). An
// edited, reordered, truncated or rolled-back log fails with the reason (exit 3).
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { NewtonError } from '../errors.js';
import { logLeafHash, recoverTreeHeadSigner, verifyLogConsistency, verifyLogInclusion, type LogEntry, type SignedTreeHead } from '../log.js';
import type { Hex } from '../bls.js';
import { EXIT, matching, NegativeVerdict } from './exit.js';
import { readJson } from './files.js';
import { address, GatewayConnection, withGateway, type GatewayFlags } from './gateway-client.js';
import type { Cli } from './output.js';

const VERIFY_ABOUT = `Checks, with the gateway's answers only as input: the latest signed tree head recovers to its
signer (and to --signer, or to the saved head's signer); the entry hashes to its leaf and its
inclusion proof leads to the latest head's root; with --tree-head, the saved head's signature and a
consistency proof from it to the latest head (a log that shrank, forked or was rewritten since
fails). Exit codes: 0 verified, 1 error (gateway unreachable, no such entry), 2 usage error,
${EXIT.negative} verification failed (NEWTON_ERR_LOG_VERIFICATION with the reason).`;

interface HeadFlags extends GatewayFlags {
  out?: string;
  signer?: Hex;
}

interface VerifyFlags extends HeadFlags {
  entry: string;
  treeHead?: string;
}

const entryRef = matching(/^(0x[0-9a-fA-F]{64}|\d{1,15})$/, 'a task id (0x + 64 hex) or an entry index');

const failed = (message: string) => new NegativeVerdict({ code: 'NEWTON_ERR_LOG_VERIFICATION', message });

/** Rethrows a failed check as a negative verdict. */
function check(what: string, fn: () => void): void {
  try {
    fn();
  } catch (err) {
    if (err instanceof NewtonError && err.code === 'NEWTON_ERR_LOG_VERIFICATION') throw failed(`${what}: ${err.message}`);
    throw err;
  }
}

/** The head's signer after checking its signature (and `expected`, when given). */
async function checkHead(head: SignedTreeHead, what: string, expected?: string): Promise<Hex> {
  let signer: Hex;
  try {
    signer = await recoverTreeHeadSigner(head, head.signature);
  } catch (err) {
    if (err instanceof NewtonError) throw failed(`${what}: ${err.message}`);
    throw err;
  }
  if (signer.toLowerCase() !== head.signer.toLowerCase()) throw failed(`${what} is not signed by ${head.signer} (it recovers to ${signer}): it was altered`);
  if (expected && signer.toLowerCase() !== expected.toLowerCase()) throw failed(`${what} is signed by ${signer}, not by ${expected}`);
  return signer;
}

function savedHead(file: string): SignedTreeHead {
  const head = readJson<SignedTreeHead>(file);
  const ok = typeof head === 'object' && head !== null && Number.isSafeInteger(head.tree_size) && Number.isSafeInteger(head.timestamp)
    && [head.root_hash, head.signature, head.signer].every((v) => typeof v === 'string');
  if (!ok) throw new NewtonError({ code: 'NEWTON_ERR_INVALID_JSON', message: `${file} is not a signed tree head ({tree_size, root_hash, timestamp, signature, signer})` });
  return head;
}

export function addLog(program: Command, cli: Cli): void {
  const area = program.command('log').description("check a gateway's signed decision log: head | verify");
  withGateway(
    area
      .command('head')
      .description("fetch the gateway's signed tree head, check its signature, and print or save it")
      .option('--out <FILE>', 'save the head (JSON) for a later `newton log verify --tree-head FILE`')
      .option('--signer <ADDR>', "the gateway's address the head must be signed by", address),
  ).action(async (opts: HeadFlags) => {
    const gateway = new GatewayConnection(opts);
    const head = await gateway.call((c) => c.call<SignedTreeHead>('newton_getSignedTreeHead'));
    await checkHead(head, 'the tree head', opts.signer);
    if (opts.out) writeFileSync(opts.out, `${JSON.stringify(head, null, 2)}\n`);
    if (opts.format === 'json') cli.data('json', head);
    else cli.out(`tree head: ${head.tree_size} entries, root ${head.root_hash}, signed by ${head.signer} at ${new Date(head.timestamp).toISOString()}${opts.out ? ` (saved to ${opts.out})` : ''}`);
  });

  withGateway(
    area
      .command('verify')
      .description("verify an entry's inclusion in the gateway's signed log and the log's consistency with a saved head")
      .addHelpText('after', `\n${VERIFY_ABOUT}`)
      .requiredOption('--entry <TASK_ID|INDEX>', 'the entry: the task id it logs, or its index', entryRef)
      .option('--tree-head <FILE>', 'a head saved earlier by `newton log head --out`: the log must have only grown since')
      .option('--signer <ADDR>', "the gateway's address the heads must be signed by", address),
  ).action(async (opts: VerifyFlags) => {
    const saved = opts.treeHead === undefined ? undefined : savedHead(opts.treeHead);
    if (saved) await checkHead(saved, `the saved tree head ${opts.treeHead}`, opts.signer);
    const gateway = new GatewayConnection(opts);
    const taskId = opts.entry.startsWith('0x') ? opts.entry : undefined;
    const ref = taskId ? { task_id: taskId } : { index: Number(opts.entry) };
    const found = await gateway.call((c) => c.call<{ index: number; entry: LogEntry; entry_json: string; leaf_hash: Hex }>('newton_getLogEntry', ref));
    if (logLeafHash(found.entry_json) !== found.leaf_hash) throw failed(`entry ${found.index} does not hash to its leaf hash ${found.leaf_hash}`);
    if (taskId && found.entry.task_id.toLowerCase() !== taskId.toLowerCase()) throw failed(`the gateway answered entry ${found.index} for another task (${found.entry.task_id})`);
    // The proof at the latest head comes with that head, signed.
    const { proof, signed_tree_head: head } = await gateway.call((c) => c.call<{ proof: Hex[]; signed_tree_head: SignedTreeHead }>('newton_getInclusionProof', { index: found.index }));
    const signer = await checkHead(head, "the gateway's tree head", opts.signer ?? saved?.signer);
    check(`entry ${found.index}`, () => verifyLogInclusion(found.entry_json, found.index, head, proof));
    if (saved) {
      if (saved.tree_size > head.tree_size) throw failed(`the log was rolled back: the saved head has ${saved.tree_size} entries, the gateway's ${head.tree_size}`);
      const consistency = saved.tree_size === head.tree_size || saved.tree_size === 0 ? [] : (await gateway.call((c) => c.call<{ proof: Hex[] }>('newton_getConsistencyProof', { first: saved.tree_size, second: head.tree_size }))).proof;
      check(`the log since the saved head (${saved.tree_size} entries)`, () => verifyLogConsistency(saved, head, consistency));
    }
    const report = { verified: true, index: found.index, task_id: found.entry.task_id, decision: found.entry.decision, leaf_hash: found.leaf_hash, tree_size: head.tree_size, root_hash: head.root_hash, signer, consistent_with: saved ? saved.tree_size : null };
    if (opts.format === 'json') cli.data('json', report);
    else {
      cli.out([
        `VERIFIED  entry ${found.index}: task ${found.entry.task_id} ${found.entry.decision}`,
        `  included in the head of ${head.tree_size} entries (root ${head.root_hash}), signed by ${signer}`,
        ...(saved ? [`  the log extends the saved head of ${saved.tree_size} entries`] : []),
      ].join('\n'));
    }
  });
}
