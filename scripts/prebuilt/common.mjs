// What the prebuilt scripts share: the two Linux targets, where their packages go, a command
// runner that fails loudly, tool checks that name the install command, and the ELF checks
// (machine, glibc floor) every shipped .node must pass.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const bindingsDir = path.join(repoRoot, 'bindings');
/** Where the packed tarballs go. */
export const outDir = path.join(repoRoot, 'dist/prebuilt');
export const version = JSON.parse(readFileSync(path.join(bindingsDir, 'package.json'), 'utf8')).version;

/** The newest glibc a shipped binary may need (Debian 10, RHEL 8, Ubuntu 18.10 and later). */
export const GLIBC_FLOOR = '2.28';

/** Key → Rust triple, napi-rs platform name, ELF machine (`readelf -h`), cargo target dir name. */
export const TARGETS = {
  x64: { triple: 'x86_64-unknown-linux-gnu', platform: 'linux-x64-gnu', machine: 'Advanced Micro Devices X86-64', cargoDir: 'target-x86_64-zig' },
  arm64: { triple: 'aarch64-unknown-linux-gnu', platform: 'linux-arm64-gnu', machine: 'AArch64', cargoDir: 'target-aarch64' },
};

/** Cargo's target dir for a zig build: its own, so it never invalidates the host build's. */
export const cargoTargetDir = (key) =>
  path.join(process.env.NEWTON_PREBUILT_CACHE ?? path.join(homedir(), '.cache/newton-engine'), TARGETS[key].cargoDir);

export const tarball = (key) => path.join(outDir, `newton-engine-${TARGETS[key].platform}-${version}.tgz`);
export const mainTarball = () => path.join(outDir, `newton-engine-${version}.tgz`);

/** The --target keys named on the command line (`--target x64`, `--target arm64`), default both. */
export function targetKeys(argv) {
  const keys = argv.flatMap((a, i) => (argv[i - 1] === '--target' ? [a] : []));
  for (const k of keys) if (!TARGETS[k]) fail(`unknown --target ${k} (x64 or arm64)`);
  return keys.length ? keys : Object.keys(TARGETS);
}

export function fail(message) {
  console.error(`prebuilt: ${message}`);
  process.exit(1);
}

/** Runs a command with inherited output; any failure ends the process. */
export function run(cmd, args, options = {}) {
  console.log(`$ ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { stdio: 'inherit', ...options });
  if (r.status !== 0) fail(`${cmd} ${args.join(' ')} failed (${r.error?.message ?? `exit ${r.status}`})`);
}

/** Runs a command and returns its stdout (stderr passes through); any failure ends the process. */
export function output(cmd, args, options = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], ...options });
  if (r.status !== 0) fail(`${cmd} ${args.join(' ')} failed (${r.error?.message ?? `exit ${r.status}`})`);
  return r.stdout;
}

/**
 * `cargo zigbuild --release --target <triple>.2.28 ARGS` in the target's own cargo dir, with the
 * shipped profile (thin LTO, whatever Cargo.toml's release profile says); cargo's JSON messages.
 * `.2.28` is cargo-zigbuild's glibc version suffix.
 */
export function zigbuild(key, args) {
  const env = { ...process.env, CARGO_TARGET_DIR: cargoTargetDir(key), CARGO_PROFILE_RELEASE_LTO: 'thin' };
  const cmd = ['zigbuild', '--release', '--target', `${TARGETS[key].triple}.${GLIBC_FLOOR}`, ...args, '--message-format=json-render-diagnostics'];
  console.log(`$ cargo ${cmd.join(' ')}`);
  return output('cargo', cmd, { cwd: repoRoot, env }).split('\n').filter(Boolean).map((l) => JSON.parse(l));
}

/** Ends the process naming the install command unless `cmd args` runs. */
export function requireTool(cmd, args, install) {
  const r = spawnSync(cmd, args, { stdio: 'ignore' });
  if (r.status !== 0) fail(`${cmd} is missing or broken; install it with: ${install}`);
}

/** The ELF machine and the newest GLIBC_x.y symbol version a shared object needs. */
export function elfInfo(file) {
  const machine = /Machine:\s+(.+)/.exec(output('readelf', ['-h', file]))?.[1].trim();
  const versions = [...output('readelf', ['-V', '--wide', file]).matchAll(/GLIBC_(\d+)\.(\d+)(?:\.(\d+))?/g)]
    .map((m) => [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)]);
  versions.sort((a, b) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2]);
  const newest = versions.at(-1);
  return { machine, glibc: newest ? newest.filter((n, i) => i < 2 || n).join('.') : null };
}

/** Ends the process unless `file` is an ELF for `key`'s machine needing glibc ≤ GLIBC_FLOOR. */
export function checkElf(file, key) {
  const { machine, glibc } = elfInfo(file);
  const [major, minor] = glibc?.split('.').map(Number) ?? [];
  const [floorMajor, floorMinor] = GLIBC_FLOOR.split('.').map(Number);
  if (machine !== TARGETS[key].machine) fail(`${file}: ELF machine ${machine}, expected ${TARGETS[key].machine}`);
  if (!glibc || major > floorMajor || (major === floorMajor && minor > floorMinor)) {
    fail(`${file}: needs glibc ${glibc}, newer than the ${GLIBC_FLOOR} floor`);
  }
  console.log(`${path.basename(file)}: ${machine}, glibc ≥ ${glibc} (floor ${GLIBC_FLOOR})`);
  return { machine, glibc };
}
