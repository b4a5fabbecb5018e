// @fastify/rate-limit's store over a GatewayStore that counts requests itself (PostgreSQL shared
// by several gateways), so a key's limit holds across all of them; one counter update per request.
import type { FastifyRateLimitOptions, FastifyRateLimitStore, FastifyRateLimitStoreCtor } from '@fastify/rate-limit';
import type { GatewayStore } from './store/store.js';

type Counted = { current: number; ttl: number };

export function sharedRateLimitStore(store: Required<Pick<GatewayStore, 'countRequest'>>): FastifyRateLimitStoreCtor {
  class SharedRateLimitStore implements FastifyRateLimitStore {
    readonly #timeWindow: number;

    /** The plugin passes its options with `timeWindow` already in ms (a route's own in `child`). */
    constructor(options: FastifyRateLimitOptions) {
      this.#timeWindow = Number((options as { timeWindow?: unknown }).timeWindow);
    }

    incr(key: string, done: (err: Error | null, counted?: Counted) => void): void {
      store.countRequest(key, this.#timeWindow).then((counted) => done(null, counted), (err: Error) => done(err));
    }

    child(routeOptions: object): FastifyRateLimitStore {
      const { timeWindow } = routeOptions as { timeWindow?: unknown };
      return new SharedRateLimitStore({ timeWindow: typeof timeWindow === 'number' ? timeWindow : this.#timeWindow });
    }
  }
  return SharedRateLimitStore;
}
