// The gateway's network of operator services that registered themselves (POST /operators, or
// the bus's announce subject): each reached over HTTP or the bus (NATS), the set kept in the data directory so a restarted gateway knows its
// operators at once. A registration that changes the set (a new operator, a new URL) builds a
// new registry and OperatorNetwork; a task runs on the set it started with. Operators that stop
// answering stay registered, their stake counted, as on chain: the quorum decides.
import fs from 'node:fs';
import { NewtonError, OperatorRegistry, type NewtonTask } from 'newton-engine';
import type { TaskNetwork, RunOptions } from '../tasks/network.js';
import { HttpTransport } from './http-transport.js';
import { registryEntry } from './identity.js';
import type { OperatorError } from './operator-errors.js';
import { OperatorNetwork, type NetworkSettings } from './operator-network.js';
import type { TaskOutcome } from './outcome.js';
import { parseRegistration, verifyRegistration, type OperatorRegistration, type RegistrationPolicy } from './registration.js';
import type { PolicyAnnouncement, Transport } from './transport.js';
import type { RequestSigner } from '../operator/request-auth.js';
import { OperatorBus } from '../bus/gateway-bus.js';
import { NatsTransport } from '../bus/nats-transport.js';

export interface RegisteredOperatorsOptions {
  /** The gateway's signing account: its address is what registrations name, and it signs every request to an operator. */
  account: RequestSigner;
  /** Operator ids admitted, or 'any' (a devnet). */
  allow: RegistrationPolicy['allow'];
  /** Where the set is kept (`operators.json` in the data directory). */
  file: string;
  /** The gateway's chain: clients' secrets are sealed to each operator bound to it. */
  chainId: number;
  /** NATS server URL(s): operators may also register and serve on the bus (`nats:<id>` URLs). */
  nats?: string | string[];
  /** Told of the bus's refused answers and publish failures. */
  onWarning?: (message: string) => void;
  settings?: Partial<NetworkSettings>;
}

/** One registered operator as `GET /operators` lists it. */
export interface RegisteredOperator {
  operator_id: string;
  operator_address: string;
  public_key: string;
  proof_of_possession: string;
  stake: Record<string, string>;
  url: string;
  /** Unix ms of its last registration (operators renew theirs periodically). */
  last_seen: number;
}

interface Member {
  registration: OperatorRegistration;
  transport: Transport;
  lastSeen: number;
}

export class RegisteredOperators implements TaskNetwork {
  readonly #options: RegisteredOperatorsOptions;
  readonly #members = new Map<string, Member>();
  /** Every client's latest announcement, handed to operators that join later. */
  readonly #announcements = new Map<string, PolicyAnnouncement>();
  #network: OperatorNetwork | undefined;
  /** Registrations change the set one at a time. */
  #changes: Promise<unknown> = Promise.resolve();
  readonly #bus: OperatorBus | undefined;

  private constructor(options: RegisteredOperatorsOptions, bus: OperatorBus | undefined) {
    this.#options = options;
    this.#bus = bus;
  }

  /** Opens the set kept in `options.file` (empty when there is none yet), and the bus when given. */
  static async open(options: RegisteredOperatorsOptions): Promise<RegisteredOperators> {
    const bus = options.nats === undefined ? undefined
      : await OperatorBus.connect({ servers: options.nats, account: options.account, chainId: options.chainId, onWarning: options.onWarning });
    const network = new RegisteredOperators(options, bus);
    bus?.serveRegistrations((body) => network.register(body));
    let saved: OperatorRegistration[] = [];
    try {
      saved = JSON.parse(fs.readFileSync(options.file, 'utf8')) as OperatorRegistration[];
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    for (const registration of saved) {
      try {
        network.#admit(parseRegistration(registration), 0);
      } catch (err) {
        options.onWarning?.(`operator ${registration.operatorId} from ${options.file} left out until it registers again: ${(err as Error).message}`);
      }
    }
    if (network.#members.size > 0) await network.#rebuild();
    return network;
  }

  /** The bus, when the network is on one. */
  get bus(): OperatorBus | undefined {
    return this.#bus;
  }

  get operatorCount(): number {
    return this.#members.size;
  }

  /** The registry of the current set (NEWTON_ERR_UNAVAILABLE while no operator has registered). */
  get registry(): OperatorRegistry {
    if (this.#network === undefined) throw new NewtonError({ code: 'NEWTON_ERR_UNAVAILABLE', message: 'No operators registered' });
    return this.#network.registry;
  }

  /**
   * Admits a posted registration: checked (shape, id, freshness, BLS signature, allow list) and,
   * when it changes the set, a new registry (proofs of possession verified). A renewal only
   * records that the operator was seen.
   */
  register(body: unknown): Promise<RegisteredOperator> {
    const change = this.#changes.then(async () => {
      const registration = parseRegistration(body);
      await verifyRegistration(registration, { gateway: this.#options.account.address, allow: this.#options.allow });
      const key = registration.operatorId.toLowerCase();
      const known = this.#members.get(key)?.registration;
      const same = known !== undefined && sameMember(known, registration);
      const member = this.#admit(registration, Date.now());
      if (!same) {
        try {
          await this.#rebuild();
        } catch (err) {
          if (known) this.#admit(known, 0);
          else this.#members.delete(key);
          throw err;
        }
        this.#save();
      }
      return listed(member);
    });
    this.#changes = change.catch(() => undefined);
    return change;
  }

  list(): RegisteredOperator[] {
    return [...this.#members.values()].map(listed);
  }

  async deploy(announcement: PolicyAnnouncement): Promise<OperatorError[]> {
    this.#announcements.set(announcement.policyClient.toLowerCase(), announcement);
    return this.#network ? this.#network.deploy(announcement) : [];
  }

  run(task: NewtonTask, options?: RunOptions): Promise<TaskOutcome> {
    if (this.#network === undefined) return Promise.reject(new NewtonError({ code: 'NEWTON_ERR_UNAVAILABLE', message: 'No operators registered' }));
    return this.#network.run(task, options);
  }

  #admit(registration: OperatorRegistration, lastSeen: number): Member {
    const key = registration.operatorId.toLowerCase();
    const current = this.#members.get(key);
    if (current && sameMember(current.registration, registration)) {
      current.registration = registration;
      current.lastSeen = lastSeen;
      return current;
    }
    const transport = this.#transport(registration);
    for (const announcement of this.#announcements.values()) void transport.deploy(announcement);
    const member = { registration, transport, lastSeen };
    this.#members.set(key, member);
    return member;
  }

  /** Over the bus for `nats:` URLs (NEWTON_ERR_INVALID_ARGUMENT without one), else over HTTP. */
  #transport(registration: OperatorRegistration): Transport {
    const identity = identityOf(registration);
    const { secretsPublicKey } = registration;
    if (!registration.url.startsWith('nats:')) {
      return new HttpTransport({ url: registration.url, identity, account: this.#options.account, secretsPublicKey, chainId: this.#options.chainId });
    }
    if (this.#bus === undefined) throw new NewtonError({ code: 'NEWTON_ERR_INVALID_ARGUMENT', message: 'this gateway is on no bus: register an http(s) URL' });
    return new NatsTransport({ identity, bus: this.#bus, secretsPublicKey });
  }

  async close(): Promise<void> {
    await this.#bus?.close();
  }

  async #rebuild(): Promise<void> {
    const members = [...this.#members.values()];
    const registry = await OperatorRegistry.fromJson(members.map((m) => registryEntry(m.transport.identity)));
    this.#network = new OperatorNetwork(registry, members.map((m) => m.transport), this.#options.settings);
  }

  #save(): void {
    const temp = `${this.#options.file}.tmp`;
    fs.writeFileSync(temp, `${JSON.stringify([...this.#members.values()].map((m) => m.registration), null, 2)}\n`, { mode: 0o600 });
    fs.renameSync(temp, this.#options.file);
  }
}

const identityOf = (r: OperatorRegistration) => ({
  operatorId: r.operatorId,
  operatorAddress: r.operatorAddress,
  publicKey: r.publicKey,
  proofOfPossession: r.proofOfPossession,
  stake: r.stake,
});

/** Whether a renewal leaves the operator as the registry and transport know it. */
const sameMember = (a: OperatorRegistration, b: OperatorRegistration) =>
  a.url === b.url && a.secretsPublicKey.toLowerCase() === b.secretsPublicKey.toLowerCase() && a.operatorAddress.toLowerCase() === b.operatorAddress.toLowerCase() && a.proofOfPossession.toLowerCase() === b.proofOfPossession.toLowerCase()
  && JSON.stringify(Object.entries(a.stake).sort()) === JSON.stringify(Object.entries(b.stake).sort());

const listed = ({ registration: r, lastSeen }: Member): RegisteredOperator => ({
  operator_id: r.operatorId,
  operator_address: r.operatorAddress,
  public_key: r.publicKey,
  proof_of_possession: r.proofOfPossession,
  stake: r.stake,
  url: r.url,
  last_seen: lastSeen,
});
