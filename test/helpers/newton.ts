// Shared fixtures for the API and CLI suites: the Newton vectors, wire intents and temp dirs.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'vitest';
import { NewtonError, Policy, type CompileOptions, type ErrorCode, type TaskIntent } from '../../bindings/dist/index.js';
import { vectorsDir } from './paths.js';

/** test/vectors/newton/vectors.json (Newton hash and encoding vectors). */
export const newtonVectorsFile = path.join(vectorsDir, 'newton/vectors.json');

export interface NewtonVectors {
  intent_example: {
    intent: {
      from: string;
      to: string;
      value: string;
      data: string;
      chain_id: string;
      chain_id_decimal: number;
      function_signature: string;
      function_signature_utf8: string;
    };
  };
  newton_crypto_builtins: {
    signer_address: string;
    cases: { id: string; value?: string; input_utf8?: string; [k: string]: unknown }[];
  };
  evaluation_result: { cases: { id: string; value: string; allowed: boolean }[] };
}

export const vectors: NewtonVectors = JSON.parse(fs.readFileSync(newtonVectorsFile, 'utf8'));

/** A `newton_crypto_builtins` case by id. */
export function cryptoCase(id: string) {
  const found = vectors.newton_crypto_builtins.cases.find((c) => c.id === id);
  if (!found) throw new Error(`no newton_crypto_builtins case ${id}`);
  return found;
}

/** The rpc-api `newt_createTask` transfer intent, as the wire TaskIntent (snake_case). */
export function rpcTransferIntent(): TaskIntent {
  const i = vectors.intent_example.intent;
  return {
    from: i.from,
    to: i.to,
    value: i.value,
    data: i.data,
    chain_id: i.chain_id,
    function_signature: i.function_signature,
  };
}

/** 0x-hex of a UTF-8 string (how intents carry `function_signature`). */
export const utf8Hex = (s: string) => `0x${Buffer.from(s, 'utf8').toString('hex')}`;

/** One 32-byte ABI word from a 0x-hex or bare hex value. */
export const word = (hex: string) => hex.replace(/^0x/, '').padStart(64, '0');

/** abi.encode(true) / abi.encode(false): the only two evaluation_result values. */
export const ABI_TRUE = `0x${word('1')}`;
export const ABI_FALSE = `0x${word('0')}`;

/** Compiles one module `policy.rego` (entrypoint `p.allow` by default). */
export function compileOne(source: string, options?: CompileOptions, entrypoint = 'p.allow'): Policy {
  return Policy.compileSync([{ path: 'policy.rego', source }], entrypoint, options);
}

/** Runs `fn` and returns what it threw (fails if it did not throw). */
export function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected a throw');
}

/** The NewtonError code `fn` throws (it must throw a NewtonError). */
export function codeOf(fn: () => unknown): ErrorCode {
  const err = thrown(fn);
  expect(err).toBeInstanceOf(NewtonError);
  return (err as NewtonError).code;
}

/** The NewtonError code `promise` rejects with (it must reject with a NewtonError). */
export const codeOfAsync = (promise: Promise<unknown>): Promise<ErrorCode> =>
  promise.then(
    () => expect.fail('expected a rejection'),
    (err: unknown) => (expect(err).toBeInstanceOf(NewtonError), (err as NewtonError).code),
  );

/** The NewtonError `promise` rejects with (it must reject with one). */
export async function rejection(promise: Promise<unknown>): Promise<NewtonError> {
  const err = await promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(NewtonError);
  return err as NewtonError;
}

/** A fresh directory under os.tmpdir(); remove it with `fs.rmSync(dir, {recursive: true})`. */
export function makeTempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `newton-${prefix}-`));
}

/** Writes `files` (relative path → contents) under `dir` and returns their absolute paths. */
export function writeFiles(dir: string, files: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [rel, contents] of Object.entries(files)) {
    const file = path.join(dir, rel);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, contents);
    out[rel] = file;
  }
  return out;
}
