// `npm run build:prebuilt [-- --target x64|arm64]`: builds the addon for Linux x64 and arm64
// (glibc ≥ 2.28, cross-linked by cargo-zigbuild on any Linux x86_64 host), lays the binaries out
// as napi-rs's per-platform packages (bindings/npm/<platform>, from `napi create-npm-dirs`), and
// packs them and the main package, whose optionalDependencies name them, into dist/prebuilt/.
// CI publishes exactly these tarballs (.github/workflows/prebuilt.yml).
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  TARGETS, bindingsDir, checkElf, fail, mainTarball, outDir, output, requireTool, run, targetKeys, version, zigbuild,
} from './common.mjs';

const keys = targetKeys(process.argv.slice(2));
const ZIG_INSTALL = 'pip install ziglang==0.17.1 cargo-zigbuild==0.24.1';

requireTool('cargo-zigbuild', ['--version'], ZIG_INSTALL);
// cargo-zigbuild runs `zig` from PATH, else the `ziglang` Python package.
if (spawnSync('zig', ['version']).status !== 0) requireTool('python3', ['-m', 'ziglang', 'version'], ZIG_INSTALL);
const installed = output('rustup', ['target', 'list', '--installed']).split('\n');
for (const key of keys) {
  const { triple } = TARGETS[key];
  if (!installed.includes(triple)) fail(`the Rust target ${triple} is missing; install it with: rustup target add ${triple}`);
}
if (!existsSync(path.join(bindingsDir, 'dist/index.js'))) fail('bindings/dist is not built; run: npx tsc -b');

mkdirSync(outDir, { recursive: true });
run('npx', ['napi', 'create-npm-dirs', '--npm-dir', 'npm'], { cwd: bindingsDir });

for (const key of keys) {
  const { triple, platform } = TARGETS[key];
  const started = Date.now();
  // cargo-zigbuild directly, as `napi build -x` would run it: napi build also regenerates type
  // definitions (committed here) and forces the addon crate to rebuild, a full LTO link, each time.
  const messages = zigbuild(key, ['-p', 'newton-napi']);
  const built = messages.find((m) => m.reason === 'compiler-artifact' && m.target.name === 'newton_napi')
    ?.filenames.find((f) => f.endsWith('.so'));
  if (!built) fail(`cargo zigbuild -p newton-napi for ${triple} produced no shared library`);
  const node = `newton.${platform}.node`;
  checkElf(built, key);
  copyFileSync(built, path.join(bindingsDir, 'npm', platform, node));
  run('npm', ['pack', '--pack-destination', outDir], { cwd: path.join(bindingsDir, 'npm', platform) });
  console.log(`prebuilt: ${platform} built in ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

// The main package: `npm pack` of bindings (prepack copies the WIT), repacked with the
// per-platform packages as optionalDependencies and without the checkout's scripts.
const stage = mkdtempSync(path.join(os.tmpdir(), 'newton-prebuilt-'));
run('npm', ['pack', '--pack-destination', stage], { cwd: bindingsDir });
run('tar', ['-xzf', path.join(stage, `newton-engine-${version}.tgz`), '-C', stage]);
const manifestFile = path.join(stage, 'package/package.json');
const manifest = JSON.parse(readFileSync(manifestFile, 'utf8'));
delete manifest.scripts;
manifest.optionalDependencies = Object.fromEntries(
  Object.values(TARGETS).map(({ platform }) => [`newton-engine-${platform}`, version]),
);
writeFileSync(manifestFile, `${JSON.stringify(manifest, null, 2)}\n`);
run('npm', ['pack', '--pack-destination', outDir], { cwd: path.join(stage, 'package') });
rmSync(stage, { recursive: true, force: true });
console.log(`prebuilt: packed into ${path.relative(process.cwd(), outDir) || '.'}: ${path.basename(mainTarball())} and ${keys.map((k) => `newton-engine-${TARGETS[k].platform}-${version}.tgz`).join(', ')}`);
