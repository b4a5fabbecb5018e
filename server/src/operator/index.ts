// The operator service: one operator (a TaskEvaluator with its BLS key) as its own HTTP server,
// driven by the gateway through HttpTransport (network/http-transport.ts). First slice: the
// service and the transport; the gateway still runs in-process operators by default.
//
// Wire format — JSON-RPC 2.0 at POST /rpc, one request per POST:
//   newt_fetchPolicyData  params { task, announcement }          → PreparedData        (prepare)
//   newt_evaluateAndSign  params { task, announcement, agreed }  → SignedTaskResponse  (commit)
// `task` is Newton's Task JSON, `announcement` the PolicyAnnouncement of task.policyClient (ids
// and hashes only), `agreed` the operators' consensus on the prepared data. Errors are JSON-RPC
// errors with the engine's NEWTON_ERR_* code in `error.data.code`.
//
// Signatures — every request carries the gateway's EIP-712 signature (secp256k1, the gateway's
// `gatewayPrivateKey` of gateway-keys.json) in headers x-newton-signature, x-newton-issued-at and
// x-newton-deadline (unix ms). Domain { name: "Newton Operator Request", version: "1" }; type
// OperatorRequest(string method, bytes32 taskId, bytes32 operatorId, bytes32 paramsDigest,
// uint64 issuedAt, uint64 deadline), paramsDigest = keccak256(UTF-8 of the params JSON text).
// The gateway sends params as JSON.stringify text; the operator recomputes it with
// JSON.stringify of the parsed params (the same text for anything JSON.stringify produced). The
// operator is configured with the gateway address it trusts and refuses: a missing, malformed
// or other signer's signature (NEWTON_ERR_UNAUTHORIZED, HTTP 401); a request past its deadline,
// issued more than `maxRequestAgeMs` ago or in the future beyond the clock skew
// (NEWTON_ERR_TIMEOUT). Binding operatorId stops a request for one operator being replayed to
// another; within its lifetime a replay only recomputes the same answer.
//
// Deployments and content — the deployment travels with every request (the announcement), so
// the operator keeps no per-gateway state that could drift: when a client's announcement differs
// from the one it last set, it loads the policy, schema and PolicyData modules it does not hold
// yet from its ContentSource — `gatewayContent(gatewayUrl)`, GET <gateway>/content/<cid>, which
// the gateway serves with `contentRoute` — checks each against its content id (fetchVerified)
// and the Rego against `policyCodeHash`, then sets the client's policy. Those loads are the
// InProcessTransport's: the service wraps one, so in-process and HTTP operators behave alike.
export { buildOperatorApp, type OperatorApp, type OperatorAppOptions } from './app.js';
export { startOperator, type StartOperatorOptions } from './listen.js';
export { contentRoute, gatewayContent } from './content-source.js';
export { OPERATOR_METHODS, type CommitParams, type OperatorMethod, type PrepareParams } from './messages.js';
export { AUTH_HEADERS, REQUEST_DOMAIN, REQUEST_TYPES, authHeaders, paramsDigest, signRequest, verifyRequest, type RequestAuth, type RequestClaims } from './request-auth.js';
