// Compiles contracts/src and contracts/test with the pinned solc-js (the root devDependency) for
// the Prague EVM, caching ABI and bytecode under contracts/out by a hash of the sources and the
// compiler version, so a clean clone compiles once (a few seconds) and later runs load the cache.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(fileURLToPath(import.meta.url));
const outDir = path.join(root, 'out');
const SETTINGS = {
  evmVersion: 'prague',
  optimizer: { enabled: true, runs: 200 },
  outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object'] } },
};

function sources() {
  const files = {};
  for (const dir of ['src', 'test']) {
    for (const name of fs.readdirSync(path.join(root, dir)).filter((f) => f.endsWith('.sol')).sort()) {
      files[`${dir}/${name}`] = { content: fs.readFileSync(path.join(root, dir, name), 'utf8') };
    }
  }
  return files;
}

/** `{ ContractName: { abi, bytecode } }` for every contract in contracts/src and contracts/test. */
export function compileContracts() {
  const solc = createRequire(import.meta.url)('solc');
  const input = { language: 'Solidity', sources: sources(), settings: SETTINGS };
  const key = createHash('sha256').update(solc.version()).update(JSON.stringify(input)).digest('hex').slice(0, 16);
  const cached = path.join(outDir, `${key}.json`);
  if (fs.existsSync(cached)) return JSON.parse(fs.readFileSync(cached, 'utf8'));

  const output = JSON.parse(solc.compile(JSON.stringify(input)));
  const errors = (output.errors ?? []).filter((e) => e.severity === 'error');
  if (errors.length > 0) throw new Error(`solc ${solc.version()}:\n${errors.map((e) => e.formattedMessage).join('\n')}`);
  const contracts = {};
  for (const file of Object.values(output.contracts)) {
    for (const [name, { abi, evm }] of Object.entries(file)) {
      if (evm.bytecode.object) contracts[name] = { abi, bytecode: `0x${evm.bytecode.object}` };
    }
  }
  fs.mkdirSync(outDir, { recursive: true });
  const tmp = `${cached}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(contracts));
  fs.renameSync(tmp, cached);
  return contracts;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const contracts = compileContracts();
  for (const [name, { bytecode }] of Object.entries(contracts)) console.log(`${name}: ${(bytecode.length - 2) / 2} bytes`);
}
