// NatsTransport: an operator reached over the bus (gateway-bus.ts). It keeps each client's
// announcement from `deploy` and asks the bus for the operator's answer in each round; the bus
// sends one broadcast per task and round for all the operators asked.
import { NewtonError, type Hex, type NewtonTask, type PreparedData, type SignedTaskResponse } from 'newton-engine';
import type { OperatorIdentity, PolicyAnnouncement, Transport } from '../network/transport.js';
import type { OperatorBus } from './gateway-bus.js';

export class NatsTransport implements Transport {
  readonly identity: OperatorIdentity;
  readonly #bus: OperatorBus;
  readonly #secretsPublicKey: Hex | undefined;
  readonly #announcements = new Map<string, PolicyAnnouncement>();

  constructor(options: { identity: OperatorIdentity; bus: OperatorBus; secretsPublicKey?: Hex }) {
    this.identity = options.identity;
    this.#bus = options.bus;
    this.#secretsPublicKey = options.secretsPublicKey;
  }

  async deploy(announcement: PolicyAnnouncement, signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    this.#announcements.set(announcement.policyClient.toLowerCase(), announcement);
  }

  async prepare(task: NewtonTask, signal: AbortSignal): Promise<PreparedData> {
    return this.#bus.ask('prepare', this.#addressee(), task, this.#announcement(task), undefined, signal);
  }

  async commit(task: NewtonTask, agreed: PreparedData, signal: AbortSignal): Promise<SignedTaskResponse> {
    return this.#bus.ask('evaluate', this.#addressee(), task, this.#announcement(task), agreed, signal);
  }

  #addressee() {
    return { identity: this.identity, secretsPublicKey: this.#secretsPublicKey };
  }

  #announcement(task: NewtonTask): PolicyAnnouncement {
    const announcement = this.#announcements.get(task.policyClient.toLowerCase());
    if (announcement === undefined) throw new NewtonError({ code: 'NEWTON_ERR_INVALID_ARGUMENT', message: `policy client ${task.policyClient} has no policy on this operator` });
    return announcement;
  }
}
