// The decision log's methods (RFC 9162 style): newton_getLogEntry, newton_getInclusionProof,
// newton_getConsistencyProof and newton_getSignedTreeHead. Indices and sizes past the log answer
// NEWTON_ERR_NOT_FOUND, a first size above the second NEWTON_ERR_INVALID_ARGUMENT.
import { Type } from '@sinclair/typebox';
import type { Gateway } from '../gateway.js';
import type { LogRecord } from '../store/store.js';
import { bytes32 } from '../rpc/hex.js';
import { method, type Method } from '../rpc/method.js';
import { Bytes32, NoParams, Opt } from '../rpc/types.js';

const Index = Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER });
const EntryRef = Type.Union([Type.Object({ index: Index }), Type.Object({ task_id: Bytes32 })]);

function find(gateway: Gateway, ref: { index?: number; task_id?: string }): Promise<LogRecord> {
  return ref.task_id !== undefined ? gateway.log.entryOfTask(bytes32(ref.task_id, 'task_id')) : gateway.log.entry(ref.index!);
}

/** `entry` parsed; `entry_json` is the leaf's bytes (RFC 8785 text) that `leaf_hash` and proofs cover. */
const entryResult = (r: LogRecord) => ({ index: r.index, entry: JSON.parse(r.entry) as unknown, entry_json: r.entry, leaf_hash: r.leafHash });

export const logMethods: Method[] = [
  method('newton_getLogEntry', 'read', EntryRef, async (p, { gateway }) => entryResult(await find(gateway, p))),
  method(
    'newton_getInclusionProof',
    'read',
    Type.Intersect([EntryRef, Type.Object({ tree_size: Opt(Index) })]),
    async (p, { gateway }) => {
      const record = await find(gateway, p);
      const head = await gateway.log.head(p.tree_size ?? undefined);
      const proof = await gateway.log.inclusionProof(record.index, head.tree_size);
      return { index: record.index, tree_size: head.tree_size, leaf_hash: record.leafHash, proof, signed_tree_head: head };
    },
  ),
  method('newton_getConsistencyProof', 'read', Type.Object({ first: Index, second: Index }), async (p, { gateway }) => ({
    first: p.first,
    second: p.second,
    proof: await gateway.log.consistencyProof(p.first, p.second),
  })),
  method('newton_getSignedTreeHead', 'read', NoParams, async (_, { gateway }) => gateway.log.head()),
];
