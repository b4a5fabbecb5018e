// Public TypeScript API of the Newton engine.
export { NewtonError, errorCodes, type ErrorCode, type ErrorCodeEntry, type ErrorInfo } from './errors.js';
export { parseIntent, type TaskIntent, type ParsedIntent, type AbiParam } from './intent.js';
export { policyCodeHash, policyCid } from './identifiers.js';
export {
  Policy,
  checkPolicy,
  type CheckedModule,
  type PolicyModule,
  type CompileOptions,
  type Limits,
  type EvaluationRequest,
  type Decision,
  type ModuleIdentifiers,
} from './policy.js';
export { runPolicyTests, runPolicyTestsSync, type TestOptions, type TestReport, type TestResult } from './testing.js';
