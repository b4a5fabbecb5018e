// The gateway's operator network: the Transport interface to one operator, in-process operators,
// and the round engine that takes a task to a quorum certificate (or a failed outcome).
//
//   const content = new MemoryContentSource();                  // or the gateway store's
//   const { operators, registry } = await createInProcessOperators({ content, count: 4 });
//   const network = new OperatorNetwork(registry, operators);    // Newton's timeouts, tolerance, 67 %
//   await network.deploy(announcement);                           // ids only; operators fetch and check
//   const outcome = await network.run(task, { onEvent, signal: AbortSignal.timeout(10_000) });
export { OperatorNetwork, NETWORK_DEFAULTS, type NetworkSettings, type RunOptions } from './operator-network.js';
export type { ContentSource, OperatorIdentity, PolicyAnnouncement, Transport } from './transport.js';
export { InProcessTransport, type InProcessTransportOptions } from './in-process-transport.js';
export { createInProcessOperators, type InProcessOperators, type InProcessOperatorsOptions } from './in-process-operators.js';
export { MemoryContentSource, fetchVerified } from './content.js';
export { operatorId, operatorIdentity, registryEntry, type StakeInput } from './identity.js';
export type { OperatorError, OperatorErrorCode, Round } from './operator-errors.js';
export type { FailedOutcome, OperatorSignature, RespondedOutcome, TaskOutcome } from './outcome.js';
export type { OperatorResponse, TaskEvent, TaskEventName, TaskProgress, TaskStatus } from './events.js';
export { HttpTransport, type HttpTransportOptions } from './http-transport.js';
