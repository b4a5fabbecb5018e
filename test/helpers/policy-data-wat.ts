// Hand-written PolicyData components for the API and CLI tests, in component-model text
// assembled by jco (asynchronously). Each returns `result<string, string>` from a return area at address 0.
import { parse } from '@bytecodealliance/jco';

const REALLOC = `
    (global $heap (mut i32) (i32.const 65536))
    (func (export "realloc") (param i32 i32 i32 i32) (result i32)
      (local $p i32)
      (local.set $p (i32.and (i32.add (global.get $heap) (i32.sub (local.get 2) (i32.const 1)))
                             (i32.sub (i32.const 0) (local.get 2))))
      (global.set $heap (i32.add (local.get $p) (local.get 3)))
      (block $ok
        (br_if $ok (i32.le_u (global.get $heap) (i32.mul (memory.size) (i32.const 65536))))
        (br_if $ok (i32.ne (memory.grow (i32.add (i32.shr_u (i32.sub (global.get $heap)
                   (i32.mul (memory.size) (i32.const 65536))) (i32.const 16)) (i32.const 1))) (i32.const -1)))
        unreachable)
      (local.get $p))`;

const HTTP_IMPORT = (version: string) => `
  (type $http-ty (instance
    (type $req (record (field "url" string) (field "method" string)
                       (field "headers" (list (tuple string string))) (field "body" (option (list u8)))))
    (export "http-request" (type $req-e (eq $req)))
    (type $resp (record (field "status" u16) (field "headers" (list (tuple string string))) (field "body" (list u8))))
    (export "http-response" (type $resp-e (eq $resp)))
    (type $fetch (func (param "request" $req-e) (result (result $resp-e (error string)))))
    (export "fetch" (func (type $fetch)))))
  (import "newton:provider/http@${version}" (instance $http (type $http-ty)))
  (core func $fetch (canon lower (func $http "fetch") (memory (core memory $libc "mem")) (realloc (core func $libc "realloc"))))`;

const SECRETS_IMPORT = `
  (type $sec-ty (instance
    (type $sr (record (field "value" (list u8))))
    (export "secret-response" (type $sr-e (eq $sr)))
    (type $get (func (result (result $sr-e (error string)))))
    (export "get" (func (type $get)))))
  (import "newton:provider/secrets@0.2.0" (instance $sec (type $sec-ty)))
  (core func $get (canon lower (func $sec "get") (memory (core memory $libc "mem")) (realloc (core func $libc "realloc"))))`;

const hex = (text: string) => [...new TextEncoder().encode(text)].map((b) => `\\${b.toString(16).padStart(2, '0')}`).join('');

/** Stores result `disc` (0 ok, 1 err) with string (ptr, len) at the return area and returns it. */
const ret = (disc: number, ptr: string, len: string) =>
  `(i32.store8 (i32.const 0) (i32.const ${disc})) (i32.store (i32.const 4) ${ptr}) (i32.store (i32.const 8) ${len}) (i32.const 0)`;

interface Parts {
  /** Import declarations and their lowered core funcs (names `fetch`, `get`). */
  imports?: string;
  /** Core imports of the main module matching the lowered funcs. */
  coreImports?: string;
  hostInstance?: string;
  pages?: number;
  items?: string;
  body: string;
}

function component({ imports = '', coreImports = '', hostInstance = '', pages = 2, items = '', body }: Parts): Promise<Uint8Array> {
  return parse(`(component
  (core module $libc_m
    (memory (export "mem") ${pages})
    ${REALLOC})
  (core instance $libc (instantiate $libc_m))
  ${imports}
  (core module $main_m
    (import "libc" "mem" (memory 1))
    ${coreImports}
    ${items}
    (func (export "run") (param i32 i32) (result i32)
      ${body}))
  (core instance $main (instantiate $main_m (with "libc" (instance $libc)) ${hostInstance}))
  (func (export "run") (param "input" string) (result (result string (error string)))
    (canon lift (core func $main "run") (memory (core memory $libc "mem")) (realloc (core func $libc "realloc")))))`);
}

/** Returns `ok(text)`, or `err(text)` with `disc = 1`. */
export function returning(text: string, disc = 0): Promise<Uint8Array> {
  const len = new TextEncoder().encode(text).length;
  return component({ items: `(data (i32.const 1024) "${hex(text)}")`, body: ret(disc, '(i32.const 1024)', `(i32.const ${len})`) });
}

/** Returns its input (the wasm_args) unchanged. */
export function echo(): Promise<Uint8Array> {
  return component({ body: ret(0, '(local.get 0)', '(local.get 1)') });
}

/** Runs `prelude` (core instructions, with `items` in scope) and then returns ok("{}"). */
export function doing(prelude: string, items = ''): Promise<Uint8Array> {
  return component({ items: `${items} (data (i32.const 1024) "{}")`, body: `${prelude} ${ret(0, '(i32.const 1024)', '(i32.const 2)')}` });
}

export const infiniteLoop = () => doing('(loop $l (br $l))');
export const memoryBomb = () => doing('(loop $l (br_if $l (i32.ne (memory.grow (i32.const 16)) (i32.const -1)))) unreachable');
export const trap = () => doing('unreachable');
/** ok() with 2 MiB of NUL bytes (valid UTF-8, not JSON-limited by content). */
export const hugeOutput = () => component({ pages: 40, body: ret(0, '(i32.const 65536)', '(i32.const 2097152)') });

/** Calls `fetch(GET url)` `count` times; returns the last body as ok, or the fetch error as err. */
export function fetching(url: string, count = 1, version = '0.2.0'): Promise<Uint8Array> {
  const len = new TextEncoder().encode(url).length;
  return component({
    imports: HTTP_IMPORT(version),
    coreImports: '(import "host" "fetch" (func $fetch (param i32 i32 i32 i32 i32 i32 i32 i32 i32 i32)))',
    hostInstance: '(with "host" (instance (export "fetch" (func $fetch))))',
    items: `(data (i32.const 1024) "${hex(url)}") (data (i32.const 4096) "GET")`,
    body: `(local $n i32)
      (loop $again
        (call $fetch (i32.const 1024) (i32.const ${len}) (i32.const 4096) (i32.const 3)
                     (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 256))
        (local.set $n (i32.add (local.get $n) (i32.const 1)))
        (br_if $again (i32.lt_u (local.get $n) (i32.const ${count}))))
      (if (result i32) (i32.load8_u (i32.const 256))
        (then ${ret(1, '(i32.load (i32.const 260))', '(i32.load (i32.const 264))')})
        (else ${ret(0, '(i32.load (i32.const 272))', '(i32.load (i32.const 276))')}))`,
  });
}

/** Returns the secrets JSON as ok, or the `secrets.get` error as err. */
export function readingSecrets(): Promise<Uint8Array> {
  return component({
    imports: SECRETS_IMPORT,
    coreImports: '(import "host" "get" (func $get (param i32)))',
    hostInstance: '(with "host" (instance (export "get" (func $get))))',
    body: `(call $get (i32.const 256)) (if (result i32) (i32.load8_u (i32.const 256))
        (then ${ret(1, '(i32.load (i32.const 260))', '(i32.load (i32.const 264))')})
        (else ${ret(0, '(i32.load (i32.const 260))', '(i32.load (i32.const 264))')}))`,
  });
}

/** A component importing `name` (an instance with one `f: func()`), otherwise returning `{}`. */
export function importing(name: string): Promise<Uint8Array> {
  return parse(`(component
  (import "${name}" (instance $x (export "f" (func))))
  (core module $m
    (memory (export "mem") 1)
    (func (export "realloc") (param i32 i32 i32 i32) (result i32) (i32.const 2048))
    (data (i32.const 1024) "{}")
    (func (export "run") (param i32 i32) (result i32) ${ret(0, '(i32.const 1024)', '(i32.const 2)')}))
  (core instance $i (instantiate $m))
  (func (export "run") (param "input" string) (result (result string (error string)))
    (canon lift (core func $i "run") (memory (core memory $i "mem")) (realloc (core func $i "realloc")))))`);
}
