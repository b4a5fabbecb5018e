// The method table: Newton's fifteen newt_* methods and the gateway's newton_* extensions (the decision log's among them).
import type { Method } from '../rpc/method.js';
import { logMethods } from './log.js';
import { privacyMethods } from './privacy.js';
import { registryMethods } from './registry.js';
import { secretsMethods } from './secrets.js';
import { simulateMethods } from './simulate.js';
import { taskMethods } from './tasks.js';
import { webhookMethods } from './webhooks.js';

export function methods(): Map<string, Method> {
  const all = [...taskMethods, ...simulateMethods, ...privacyMethods, ...secretsMethods, ...webhookMethods, ...registryMethods, ...logMethods];
  return new Map(all.map((m) => [m.name, m]));
}
