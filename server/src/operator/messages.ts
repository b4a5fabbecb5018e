// The operator service's two JSON-RPC methods and their params: the task, the announcement of
// its client's policy (the deployment travels with every request), and for the commit round the
// data the operators agreed on.
import { NewtonError, type Hex, type NewtonTask, type PreparedData } from 'newton-engine';
import type { PolicyAnnouncement } from '../network/transport.js';

export const OPERATOR_METHODS = {
  /** Round one (prepare): run the task's PolicyData → PreparedData. */
  prepare: 'newt_fetchPolicyData',
  /** Round two (commit): evaluate on the agreed data and BLS-sign → SignedTaskResponse. */
  commit: 'newt_evaluateAndSign',
} as const;

export type OperatorMethod = (typeof OPERATOR_METHODS)[keyof typeof OPERATOR_METHODS];

export interface PrepareParams {
  task: NewtonTask;
  /** The policy of `task.policyClient`, by content id (the operator fetches and checks it). */
  announcement: PolicyAnnouncement;
}

export interface CommitParams extends PrepareParams {
  agreed: PreparedData;
}

const invalid = (message: string) => new NewtonError({ code: 'NEWTON_ERR_INVALID_ARGUMENT', message });

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const isBytes32 = (value: unknown): value is Hex => typeof value === 'string' && /^0x[0-9a-fA-F]{64}$/.test(value);

/** The task id a request is about (what the gateway signs), or undefined when params have none. */
export function requestTaskId(params: unknown): Hex | undefined {
  if (!isObject(params) || !isObject(params.task)) return undefined;
  return isBytes32(params.task.taskId) ? params.task.taskId : undefined;
}

/** Params of either method, checked for shape (the engine checks the rest). */
export function checkParams(method: OperatorMethod, params: unknown): PrepareParams | CommitParams {
  if (!isObject(params)) throw invalid('params must be an object');
  const { task, announcement } = params;
  if (!isObject(task) || typeof task.policyClient !== 'string') throw invalid('params.task must be a Newton task');
  if (!isObject(announcement) || typeof announcement.policyClient !== 'string' || !isObject(announcement.deployment)
    || typeof announcement.entrypoint !== 'string' || typeof announcement.policyCodeHash !== 'string'
    || (announcement.schemaCid !== undefined && typeof announcement.schemaCid !== 'string')) {
    throw invalid('params.announcement must be a policy announcement');
  }
  if (announcement.policyClient.toLowerCase() !== task.policyClient.toLowerCase()) {
    throw invalid(`the announcement is for ${announcement.policyClient}, the task for ${task.policyClient}`);
  }
  if (method === OPERATOR_METHODS.commit && !isObject(params.agreed)) throw invalid('params.agreed must be prepared data');
  return params as unknown as PrepareParams | CommitParams;
}
