// Clients' PolicyData secrets on their way to an operator service: the gateway seals each
// source's secrets (HPKE, bound to the client and the chain) to the X25519 key the operator
// registered, in `sealedSecrets` — one envelope for a request to one operator, or one per
// operator id for a broadcast; the operator opens its own before it sets the policy. Secrets
// never cross the network in the clear, and an operator refuses plaintext ones.
import { NewtonError, sealEnvelope, type Hex, type PolicyDeployment, type PrivacyNode } from 'newton-engine';
import type { PolicyAnnouncement } from './transport.js';

type Source = NonNullable<PolicyDeployment['policyData']>[number];

/** A PolicyData source as sent: its secrets, if any, sealed (to one operator, or to each by lowercase id). */
export type SealedSource = Source & { sealedSecrets?: string | Record<string, string> };

const withSources = (announcement: PolicyAnnouncement, policyData: Source[] | SealedSource[]): PolicyAnnouncement => ({
  ...announcement,
  deployment: { ...announcement.deployment, policyData },
});

/** The gateway's side: `announcement` with every source's secrets sealed to `recipient`. */
export async function sealSecrets(announcement: PolicyAnnouncement, recipient: { publicKey: Hex | undefined; chainId: number; operator: string }): Promise<PolicyAnnouncement> {
  const sources = announcement.deployment.policyData ?? [];
  if (!sources.some((s) => s.runOptions?.secrets !== undefined)) return announcement;
  const { publicKey, chainId, operator } = recipient;
  if (publicKey === undefined) {
    throw new NewtonError({ code: 'NEWTON_ERR_INVALID_ARGUMENT', message: `operator ${operator} registered no secrets key; client ${announcement.policyClient}'s secrets cannot be sent to it` });
  }
  const sealed = await Promise.all(
    sources.map(async ({ runOptions, ...source }): Promise<SealedSource> => {
      if (runOptions?.secrets === undefined) return { ...source, ...(runOptions && { runOptions }) };
      const { secrets, ...rest } = runOptions;
      const envelope = await sealEnvelope(secrets, { recipientPublicKey: publicKey, policyClient: announcement.policyClient, chainId });
      return { ...source, ...(Object.keys(rest).length > 0 && { runOptions: rest }), sealedSecrets: envelope };
    }),
  );
  return withSources(announcement, sealed);
}

/** For a broadcast: every source's secrets sealed to each of `recipients` (keyed by lowercase operator id). */
export async function sealSecretsForEach(
  announcement: PolicyAnnouncement,
  recipients: Array<{ publicKey: Hex | undefined; operator: string }>,
  chainId: number,
): Promise<PolicyAnnouncement> {
  const sources = announcement.deployment.policyData ?? [];
  if (!sources.some((s) => s.runOptions?.secrets !== undefined)) return announcement;
  const each = await Promise.all(recipients.map((r) => sealSecrets(announcement, { ...r, chainId })));
  const sealed = sources.map(({ runOptions, ...source }, i): SealedSource => {
    if (runOptions?.secrets === undefined) return { ...source, ...(runOptions && { runOptions }) };
    const perOperator = Object.fromEntries(recipients.map((r, j) => [r.operator.toLowerCase(), (each[j]!.deployment.policyData![i] as SealedSource).sealedSecrets as string]));
    const { secrets: _, ...rest } = runOptions;
    return { ...source, ...(Object.keys(rest).length > 0 && { runOptions: rest }), sealedSecrets: perOperator };
  });
  return withSources(announcement, sealed);
}

const invalid = (message: string) => new NewtonError({ code: 'NEWTON_ERR_INVALID_ARGUMENT', message });

/** The operator's side: the announcement with its sealed secrets opened into `runOptions.secrets`. */
export async function openSecrets(announcement: PolicyAnnouncement, node: PrivacyNode, operatorId: Hex): Promise<PolicyAnnouncement> {
  const sources = (announcement.deployment.policyData ?? []) as SealedSource[];
  if (!sources.some((s) => s.sealedSecrets !== undefined || s.runOptions?.secrets !== undefined)) return announcement;
  const opened = await Promise.all(
    sources.map(async ({ sealedSecrets: sealed, ...source }): Promise<Source> => {
      if (source.runOptions?.secrets !== undefined) throw invalid(`PolicyData ${source.address}: secrets must arrive sealed to this operator's key`);
      if (sealed === undefined) return source;
      const sealedSecrets = typeof sealed === 'string' ? sealed : sealed[operatorId.toLowerCase()];
      if (typeof sealedSecrets !== 'string') throw invalid(`PolicyData ${source.address}: no secrets are sealed to operator ${operatorId}`);
      let boundTo: unknown;
      try {
        boundTo = (JSON.parse(sealedSecrets) as { policy_client?: unknown }).policy_client;
      } catch {
        throw invalid(`PolicyData ${source.address}: sealedSecrets is not a SecureEnvelope`);
      }
      if (typeof boundTo !== 'string' || boundTo.toLowerCase() !== announcement.policyClient.toLowerCase()) {
        throw invalid(`PolicyData ${source.address}: the secrets are sealed for client ${String(boundTo)}, not ${announcement.policyClient}`);
      }
      const secrets = Buffer.from(await node.open(sealedSecrets)).toString('utf8');
      return { ...source, runOptions: { ...source.runOptions, secrets } };
    }),
  );
  return withSources(announcement, opened);
}
