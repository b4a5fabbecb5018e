// EIP-712 signer recovery on worker threads: concurrent recoveries each get their own signer,
// a malformed signature rejects, a closed pool refuses.
import { describe, expect, it } from 'vitest';
import { privateKeyToAccount } from 'viem/accounts';
import { intentTypedData } from '../bindings/dist/index.js';
import { SignatureRecovery } from '../server/dist/signatures.js';

const accounts = [1, 2, 3].map((n) => privateKeyToAccount(`0x${n.toString(16).padStart(64, '0')}`));

describe('SignatureRecovery', () => {
  it('recovers concurrent signatures off the event loop, each to its signer', async () => {
    const recovery = new SignatureRecovery(2);
    try {
      const jobs = Array.from({ length: 12 }, async (_, i) => {
        const account = accounts[i % 3]!;
        const typed = intentTypedData({ from: account.address, to: `0x${'11'.repeat(20)}`, value: `0x${i.toString(16)}`, data: '0x', chainId: '0xaa36a7', functionSignature: '0x' }, `0x${'c1'.repeat(20)}`);
        const signature = await account.signTypedData(typed);
        return [await recovery.recover(typed, signature), account.address];
      });
      for (const [recovered, expected] of await Promise.all(jobs)) expect(recovered).toBe(expected);
      const typed = intentTypedData({ from: accounts[0]!.address, to: accounts[1]!.address, value: '0x0', data: '0x', chainId: '0x1', functionSignature: '0x' }, accounts[2]!.address);
      await expect(recovery.recover(typed, `0x${'00'.repeat(65)}`)).rejects.toThrow();
    } finally {
      await recovery.close();
    }
    await expect(recovery.recover(intentTypedData({ from: accounts[0]!.address, to: accounts[1]!.address, value: '0x0', data: '0x', chainId: '0x1', functionSignature: '0x' }, accounts[2]!.address), `0x${'00'.repeat(65)}`)).rejects.toThrow(/closed/);
  });
});
