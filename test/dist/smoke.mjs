// Runs inside a fresh project that has only the packed newton-engine tarballs installed (copied
// there by test/dist/run.mjs; natively for x64, under qemu-aarch64 for arm64): a policy
// evaluation, a BLS sign/verify, an HPKE seal/open and a PolicyData run through the installed
// package, then, when given, the Ethereum BLS vectors and the RFC 9180 key pairs. Any mismatch
// throws; the last stdout line is a JSON summary.
//   node smoke.mjs COMPONENT.wasm [--bls-vectors DIR] [--hpke-vectors FILE] [--build-oracle FILE.js]
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import * as api from 'newton-engine';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { 'bls-vectors': { type: 'string' }, 'hpke-vectors': { type: 'string' }, 'build-oracle': { type: 'string' } },
});
const summary = { platform: `${process.platform}-${process.arch}`, node: process.version };
const timed = async (name, fn) => {
  const started = performance.now();
  const result = await fn();
  summary[name] = { ms: Math.round(performance.now() - started), ...result };
};

await timed('policy', async () => {
  const intent = { // transfer(0xe42e…fe22, 1) on Sepolia, as in the README
    from: '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266', to: '0xb1aD5f82407bC0f19f42b2614fb9083035a36b69',
    value: '0x0', chain_id: '0xaa36a7', function_signature: '0x7472616e7366657228616464726573732c75696e7432353629',
    data: `0xa9059cbb000000000000000000000000e42e3458283032c669c98e0d8f883a92fc64fe22${'0'.repeat(63)}1`,
  };
  const source = 'package spend\ndefault allow := false\nallow if {\n  input.function.name == "transfer"\n'
    + '  to_number(input.decoded_function_arguments[1]) <= data.params.max_amount\n}\n';
  const policy = await api.Policy.compile([{ path: 'policy.rego', source }], 'spend.allow');
  const allowed = await policy.evaluate({ intent, params: { max_amount: 1000 } });
  const denied = await policy.evaluate({ intent, params: { max_amount: 0 } });
  assert.equal(allowed.allow, true);
  assert.equal(allowed.evaluation_result, `0x${'0'.repeat(63)}1`);
  assert.equal(denied.allow, false);
  return { allow: allowed.allow, deny: !denied.allow };
});

await timed('bls', async () => {
  const signer = api.BlsSigner.fromSecretKey(api.hexToBytes(`0x${'11'.repeat(32)}`));
  const message = new TextEncoder().encode('newton smoke');
  const signature = await signer.sign(message);
  assert.equal(signature.length, 96);
  assert.equal(await api.blsVerify(signer.publicKey, message, signature), true);
  assert.equal(await api.blsVerify(signer.publicKey, new TextEncoder().encode('other'), signature), false);
  assert.equal(await api.blsVerifyPossession(signer.publicKey, signer.proofOfPossession()), true);
  return { verified: true };
});

await timed('hpke', async () => {
  const { publicKey, secretKey } = api.generatePrivacyKey();
  const binding = { recipientPublicKey: publicKey, policyClient: '0xb1aD5f82407bC0f19f42b2614fb9083035a36b69', chainId: 11155111 };
  const envelope = await api.sealEnvelope({ status: 'approved' }, binding);
  const opened = JSON.parse(Buffer.from(await api.openEnvelope(envelope, secretKey)).toString('utf8'));
  assert.deepEqual(opened, { status: 'approved' });
  const otherChain = { ...JSON.parse(envelope), chain_id: 1 }; // the AAD no longer matches
  await assert.rejects(api.openEnvelope(otherChain, secretKey), { code: 'NEWTON_ERR_PRIVACY_DECRYPT' });
  return { opened: true };
});

await timed('policyData', async () => {
  const host = new api.PolicyDataHost();
  const module = await host.load(readFileSync(positionals[0]));
  const { output, fuelConsumed } = await module.run({ address: '0xb1aD5f82407bC0f19f42b2614fb9083035a36b69' });
  assert.deepEqual(JSON.parse(output), {}); // test/fixtures/policy-data/trivial.wat returns {}
  assert.ok(fuelConsumed > 0);
  return { fuelConsumed };
});

if (values['build-oracle']) {
  // buildPolicyData reads the WIT worlds from the package, so this proves they are shipped.
  await timed('buildPolicyData', async () => {
    const { wasm, imports } = await api.buildPolicyData({ source: values['build-oracle'] });
    const { output } = await (await new api.PolicyDataHost().load(wasm)).run({ n: 1 });
    assert.deepEqual(JSON.parse(output), { echo: { n: 1 } }); // test/fixtures/policy-data/echo.js
    return { bytes: wasm.length, imports };
  });
}

if (values['bls-vectors']) {
  const { blsVectorChecks } = await import('./bls-vectors.mjs');
  await timed('blsVectors', async () => {
    const checks = blsVectorChecks(api, values['bls-vectors']);
    for (const { handler, name, check } of checks) {
      await check().catch((err) => {
        throw new Error(`${handler}/${name}: ${err.message}`);
      });
    }
    return { cases: checks.length };
  });
}

if (values['hpke-vectors']) {
  // The public API seals with fresh randomness under its own AAD, so the RFC 9180 encryptions
  // run in the crate's test (crates/newton-privacy/tests/rfc9180.rs); here the addon derives the
  // vectors' X25519 public keys (recipient, ephemeral, sender) from their secret keys.
  await timed('rfc9180KeyPairs', async () => {
    const sets = JSON.parse(readFileSync(values['hpke-vectors'], 'utf8')).filter((v) => v.kem_id === 32);
    let pairs = 0;
    for (const v of sets) {
      for (const role of ['R', 'E', 'S']) {
        if (!v[`sk${role}m`]) continue;
        assert.equal(api.privacyPublicKey(v[`sk${role}m`]).replace(/^0x/, ''), v[`pk${role}m`], `mode ${v.mode} aead ${v.aead_id} ${role}`);
        pairs += 1;
      }
    }
    assert.ok(pairs >= 24, `${pairs} X25519 key pairs`);
    return { pairs };
  });
}

console.log(JSON.stringify(summary));
