// Newton's NATS subject tree (protocol reference §1), the part the gateway and operators use:
// task requests per chain and round, responses per task, errors, heartbeats and announcements.
import type { Hex } from 'newton-engine';
import { OPERATOR_METHODS, type OperatorMethod } from '../operator/messages.js';

/** Newton's round names on the bus: `prepare` and `evaluate` (our commit). */
export type BusRound = 'prepare' | 'evaluate';

export const ROUND_METHOD: Record<BusRound, OperatorMethod> = { prepare: OPERATOR_METHODS.prepare, evaluate: OPERATOR_METHODS.commit };

export const SUBJECTS = {
  /** The gateway's broadcast of a round's request to every operator of a chain. */
  request: (chainId: number, round: BusRound) => `newton.tasks.${chainId}.${round}.request`,
  /** Operators' answers to one task's round. */
  response: (taskId: Hex, round: BusRound) => `newton.responses.${taskId.toLowerCase()}.${round}`,
  /** Every task's answers to a round (the gateway's one subscription per round). */
  responses: (round: BusRound) => `newton.responses.*.${round}`,
  /** Operators' refusals and failures, any task, any round. */
  errors: 'newton.responses.errors',
  heartbeat: (operatorId: Hex) => `newton.operators.${operatorId.toLowerCase()}.heartbeat`,
  heartbeats: 'newton.operators.*.heartbeat',
  /** Registrations (request/reply: the gateway answers with the registered entry or an error). */
  announce: 'newton.operators.announce',
  /** Our extension: every gateway's task progress, so a WebSocket on any gateway sees any task. */
  taskUpdates: 'newton.gateways.tasks.updates',
  /** Our extension: the local chain's mined blocks, so gateways sharing it keep one height. */
  clock: (chainId: number) => `newton.gateways.clock.${chainId}`,
} as const;

/** The task id in a response subject, or undefined. */
export function responseTaskId(subject: string): Hex | undefined {
  const id = subject.split('.')[2];
  return id && /^0x[0-9a-f]{64}$/.test(id) ? (id as Hex) : undefined;
}
