// parseIntent: the wire TaskIntent → the ParsedIntent Newton policies see as `input` (spec §5).
import { describe, expect, it } from 'vitest';
import { NewtonError, Policy, parseIntent, policyCodeHash, type TaskIntent } from '../bindings/dist/index.js';
import { rpcTransferIntent, thrown, utf8Hex, vectors, word } from './helpers/newton.js';

function intentError(intent: TaskIntent | string): NewtonError {
  const err = thrown(() => parseIntent(intent));
  expect(err).toBeInstanceOf(NewtonError);
  return err as NewtonError;
}

// newton-protocol.md §13C: the quickstart buy(address,uint256,uint32) intent.
const BUY_SIGNATURE = 'buy(address,uint256,uint32)';
const BUY_ARGS = { token: '0x8f86403a4de0bb5791fa46b8e795c547942fe4cf', amount: 100000000000n, count: 2 };
const BUY_CALLDATA =
  '0x28dca9f7' +
  '0000000000000000000000008f86403a4de0bb5791fa46b8e795c547942fe4cf' +
  '000000000000000000000000000000000000000000000000000000174876e800' +
  '0000000000000000000000000000000000000000000000000000000000000002';

const quickstartIntent: TaskIntent = {
  from: '0xd232c8d0dc8069eba108954a5f2307752547df1a',
  to: '0xf4d520149541f948f6da99eaec6ef6d699690ba3',
  value: '0x0',
  data: BUY_CALLDATA,
  chain_id: '0xaa36a7',
  function_signature: utf8Hex(BUY_SIGNATURE),
};

describe('parseIntent', () => {
  it('builds the §13C calldata from its parts (selector = keccak256(signature)[0:4] = 0x28dca9f7)', () => {
    const selector = policyCodeHash(BUY_SIGNATURE).slice(0, 10);
    expect(selector).toBe('0x28dca9f7');
    const built =
      selector + word(BUY_ARGS.token) + word(BUY_ARGS.amount.toString(16)) + word(BUY_ARGS.count.toString(16));
    expect(built).toBe(BUY_CALLDATA);
    expect(utf8Hex(BUY_SIGNATURE)).toBe('0x62757928616464726573732c75696e743235362c75696e74333229');
  });

  it('reproduces the newton-protocol.md §13C quickstart parsed input exactly', () => {
    expect(parseIntent(quickstartIntent)).toStrictEqual({
      from: '0xd232c8d0dc8069eba108954a5f2307752547df1a',
      to: '0xf4d520149541f948f6da99eaec6ef6d699690ba3',
      value: '0',
      data: BUY_CALLDATA,
      chain_id: '11155111',
      function_signature: '0x62757928616464726573732c75696e743235362c75696e74333229',
      function: {
        name: 'buy',
        type: 'function',
        stateMutability: 'nonpayable',
        inputs: [
          { type: 'address', name: 'param0' },
          { type: 'uint256', name: 'param1' },
          { type: 'uint32', name: 'param2' },
        ],
        outputs: [],
      },
      decoded_function_signature: 'buy(address,uint256,uint32)',
      // uint256 → decimal string, small uints → number.
      decoded_function_arguments: ['0x8f86403a4de0bb5791fa46b8e795c547942fe4cf', '100000000000', 2],
    });
  });

  it('parses the rpc-api newt_createTask transfer intent (vectors.json intent_example)', () => {
    const parsed = parseIntent(rpcTransferIntent());
    const v = vectors.intent_example.intent;
    expect(parsed).toStrictEqual({
      from: v.from.toLowerCase(),
      to: v.to.toLowerCase(),
      value: '0',
      data: v.data,
      chain_id: String(v.chain_id_decimal),
      function_signature: v.function_signature,
      function: {
        name: 'transfer',
        type: 'function',
        stateMutability: 'nonpayable',
        inputs: [
          { name: 'param0', type: 'address' },
          { name: 'param1', type: 'uint256' },
        ],
        outputs: [],
      },
      decoded_function_signature: v.function_signature_utf8,
      decoded_function_arguments: ['0xe42e3458283032c669c98e0d8f883a92fc64fe22', '1'],
    });
  });

  it('accepts camelCase intent keys (chainId, functionSignature) with the same result', () => {
    const { chain_id, function_signature, ...rest } = quickstartIntent;
    const camel = { ...rest, chainId: chain_id, functionSignature: function_signature };
    expect(parseIntent(camel)).toStrictEqual(parseIntent(quickstartIntent));
  });

  it('accepts a JSON string as well as an object', () => {
    expect(parseIntent(JSON.stringify(quickstartIntent))).toStrictEqual(parseIntent(quickstartIntent));
  });

  it('normalizes quantities given as hex, decimal strings or numbers to decimal strings', () => {
    const plain = { ...rpcTransferIntent(), data: '0x', function_signature: '0x' };
    expect(parseIntent({ ...plain, value: '0xde0b6b3a7640000', chain_id: 1 }).value).toBe('1000000000000000000');
    expect(parseIntent({ ...plain, value: '1000', chain_id: '1' })).toMatchObject({ value: '1000', chain_id: '1' });
    expect(parseIntent({ ...plain, value: 12345, chain_id: 31337 })).toMatchObject({ value: '12345', chain_id: '31337' });
    // U256 max survives as an exact decimal string.
    expect(parseIntent({ ...plain, value: `0x${'f'.repeat(64)}` }).value).toBe((2n ** 256n - 1n).toString());
  });

  it('parses a plain transfer (data 0x) with no function', () => {
    const parsed = parseIntent({ ...rpcTransferIntent(), data: '0x', function_signature: '0x' });
    expect(parsed.function).toBeNull();
    expect(parsed.decoded_function_signature).toBeNull();
    expect(parsed.decoded_function_arguments).toEqual([]);
  });

  it('keeps parameter names of a named signature (CLI scaffold form)', () => {
    const signature = 'function transfer(address recipient, uint256 amount)';
    const data = `0xa9059cbb${word('e42e3458283032c669c98e0d8f883a92fc64fe22')}${word((10_000_000_000).toString(16))}`;
    const parsed = parseIntent({ ...rpcTransferIntent(), data, function_signature: utf8Hex(signature) });
    expect(parsed.function?.inputs).toEqual([
      { name: 'recipient', type: 'address' },
      { name: 'amount', type: 'uint256' },
    ]);
    expect(parsed.decoded_function_signature).toBe(signature);
    expect(parsed.decoded_function_arguments).toEqual(['0xe42e3458283032c669c98e0d8f883a92fc64fe22', '10000000000']);
  });

  describe('malformed intents', () => {
    const base = rpcTransferIntent();
    const invalid: [string, TaskIntent, string][] = [
      ['a short address', { ...base, to: '0x1234' }, 'intent.to'],
      ['a non-hex address', { ...base, from: '0xzz' }, 'intent.from'],
      ['a non-numeric value', { ...base, value: '0xzz' }, 'intent.value'],
      ['a negative value', { ...base, value: -1 }, 'intent.value'],
      ['a value of 2^256', { ...base, value: `0x1${'0'.repeat(64)}` }, 'intent.value'],
      ['a non-numeric chain id', { ...base, chain_id: 'abc' }, 'intent.chain_id'],
      ['odd-length calldata', { ...base, data: '0xabc' }, 'intent.data'],
      ['calldata without a function signature', { ...base, function_signature: '0x' }, 'function_signature'],
    ];
    it.each(invalid)('rejects %s with NEWTON_ERR_INTENT_INVALID', (_, intent, field) => {
      const err = intentError(intent);
      expect(err.code).toBe('NEWTON_ERR_INTENT_INVALID');
      expect(err.message).toContain(field);
    });

    it('rejects an intent without a chain id', () => {
      const { chain_id: _, ...rest } = base;
      expect(intentError(rest as TaskIntent).code).toBe('NEWTON_ERR_INTENT_INVALID');
    });

    it('rejects a function signature that does not parse with NEWTON_ERR_ABI_SIGNATURE', () => {
      const err = intentError({ ...base, function_signature: utf8Hex('transfer(address') });
      expect(err.code).toBe('NEWTON_ERR_ABI_SIGNATURE');
    });

    it('rejects calldata that does not match or decode with NEWTON_ERR_ABI_DECODE', () => {
      const mismatch = intentError({ ...base, function_signature: utf8Hex('approve(address,uint256)') });
      expect(mismatch.code).toBe('NEWTON_ERR_ABI_DECODE');
      expect(mismatch.message).toContain('0x095ea7b3'); // approve's selector
      expect(intentError({ ...base, data: '0xa9059cbb00' }).code).toBe('NEWTON_ERR_ABI_DECODE');
      expect(intentError({ ...base, data: '0x' }).code).toBe('NEWTON_ERR_ABI_DECODE');
    });

    it('rejects malformed JSON text with NEWTON_ERR_INVALID_JSON', () => {
      expect(intentError('{"from": ').code).toBe('NEWTON_ERR_INVALID_JSON');
    });
  });

  it('is the `input` an evaluation request with `intent` sees', async () => {
    const policy = Policy.compileSync([{ path: 'echo.rego', source: 'package echo\n\ninput_doc := input\n' }], 'echo.input_doc');
    const d = await policy.evaluate({ intent: quickstartIntent });
    expect(d.result).toStrictEqual(parseIntent(quickstartIntent));
    expect(d.allow).toBe(false); // an object is not `true`
  });
});
