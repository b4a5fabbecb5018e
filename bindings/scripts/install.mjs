// The repository checkout's install hook (the root package's postinstall; the published package
// has none and needs none). It copies the WIT worlds, then uses a native binding in this order:
// one that already loads (a local build or an installed per-platform package); the matching
// per-platform tarball from $NEWTON_PREBUILT_DIR (as `npm run build:prebuilt` packs them); else
// a source build with @napi-rs/cli. NEWTON_BUILD_FROM_SOURCE=1 forces the source build.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { copyWit } from './copy-wit.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

function loads() {
  try {
    require(join(root, 'binding.cjs'));
    return true;
  } catch {
    return false;
  }
}

/** napi-rs's name for this platform, as in `newton-engine-<platform>` (glibc Linux only). */
function platform() {
  if (process.platform !== 'linux' || !['x64', 'arm64'].includes(process.arch)) return null;
  return process.report.getReport().header.glibcVersionRuntime ? `linux-${process.arch}-gnu` : null;
}

/** Unpacks newton.<platform>.node from $NEWTON_PREBUILT_DIR's tarball into bindings/. */
function fromPrebuiltDir(dir) {
  const name = platform();
  const tarball = name && resolve(dir, `newton-engine-${name}-${version}.tgz`);
  if (!tarball || !existsSync(tarball)) {
    const wanted = name ? `newton-engine-${name}-${version}.tgz` : `a package for ${process.platform}-${process.arch}`;
    console.error(`newton-engine: NEWTON_PREBUILT_DIR=${dir} has no ${wanted} (npm run build:prebuilt makes them)`);
    process.exit(1);
  }
  const file = `newton.${name}.node`;
  const untar = spawnSync('tar', ['-xzf', tarball, '-C', root, '--strip-components=1', `package/${file}`], { stdio: 'inherit' });
  if (untar.status !== 0 || !loads()) {
    console.error(`newton-engine: ${file} from ${tarball} does not load`);
    process.exit(1);
  }
  console.log(`newton-engine: using ${file} from ${tarball}`);
}

copyWit();
const fromSource = process.env.NEWTON_BUILD_FROM_SOURCE === '1';
if (!fromSource && loads()) {
  console.log('newton-engine: using the native binding already present');
} else if (!fromSource && process.env.NEWTON_PREBUILT_DIR) {
  fromPrebuiltDir(process.env.NEWTON_PREBUILT_DIR);
} else {
  console.log('newton-engine: building the native binding from source (cargo)…');
  const result = spawnSync('npm', ['run', 'build:native'], { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' });
  if (result.status !== 0) {
    console.error('newton-engine: native build failed. It needs a Rust toolchain (https://rustup.rs) and a C compiler.');
    process.exit(result.status ?? 1);
  }
}
