// Policy unit tests, `opa test` style: `test_*` rules pass when exactly true; `todo_*` skip.
import { callAsync, call, type ErrorInfo } from './errors.js';
import { native } from './native.js';
import type { CompileOptions, PolicyModule } from './policy.js';

export interface TestOptions {
  /** Only tests whose full name (`data.pkg.test_x`) matches this regex. */
  run?: string;
  coverage?: boolean;
  compile?: Omit<CompileOptions, 'signal'>;
}

export interface TestResult {
  name: string;
  package: string;
  file: string;
  line: number;
  outcome: 'pass' | 'fail' | 'error' | 'skip';
  /** What the rule evaluated to when not `true` (`null` = undefined). */
  value?: unknown;
  error?: ErrorInfo;
  prints?: string[];
  duration_ns: number;
}

export interface TestReport {
  results: TestResult[];
  passed: number;
  failed: number;
  errored: number;
  skipped: number;
  coverage?: {
    percent: number;
    files: { path: string; covered: number[]; not_covered: number[]; percent: number }[];
  };
}

/** TestOptions as the JSON text the native binding takes. */
const nativeOptions = ({ compile, ...rest }: TestOptions = {}) => {
  const { signal: _signal, ...compileOptions } = (compile ?? {}) as CompileOptions;
  return JSON.stringify({ ...rest, compile: compileOptions });
};

export async function runPolicyTests(modules: PolicyModule[], options?: TestOptions): Promise<TestReport> {
  return JSON.parse(await callAsync(() => native.runPolicyTests(modules, nativeOptions(options)))) as TestReport;
}

export function runPolicyTestsSync(modules: PolicyModule[], options?: TestOptions): TestReport {
  return JSON.parse(call(() => native.runPolicyTestsSync(modules, nativeOptions(options)))) as TestReport;
}
