// npm install hook: use a prebuilt binary when one matches this platform (a local build or the
// per-platform optional package); otherwise build the addon from source with @napi-rs/cli.
// NEWTON_BUILD_FROM_SOURCE=1 forces a source build.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

function prebuiltLoads() {
  try {
    require(join(root, 'binding.cjs'));
    return true;
  } catch {
    return false;
  }
}

if (process.env.NEWTON_BUILD_FROM_SOURCE !== '1' && prebuiltLoads()) {
  console.log('newton-engine: using the prebuilt native binding');
} else {
  console.log('newton-engine: no prebuilt binary for this platform; building from source (cargo)…');
  const result = spawnSync('npm', ['run', 'build:native'], { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' });
  if (result.status !== 0) {
    console.error('newton-engine: native build failed. It needs a Rust toolchain (https://rustup.rs) and a C compiler.');
    process.exit(result.status ?? 1);
  }
}
