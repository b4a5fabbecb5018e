// TypeBox building blocks for params: optionals that may arrive as explicit null, and the wire's
// loose hex (validated and normalized by rpc/hex.ts in the handlers).
import { Type, type TSchema } from '@sinclair/typebox';

/** An optional field that may also be an explicit `null` (= not set). */
export const Opt = <T extends TSchema>(schema: T) => Type.Optional(Type.Union([schema, Type.Null()]));

/** Hex text with or without `0x`. */
export const HexText = Type.String({ pattern: '^(0x|0X)?[0-9a-fA-F]*$', maxLength: 2_000_000 });
/** A quantity: hex (any padding), decimal string or integer. */
export const Quantity = Type.Union([Type.String({ maxLength: 80 }), Type.Integer({ minimum: 0 })]);
/** An address, any casing, with or without `0x`. */
export const Address = Type.String({ pattern: '^(0x|0X)?[0-9a-fA-F]{40}$' });
export const Bytes32 = Type.String({ pattern: '^(0x|0X)?[0-9a-fA-F]{64}$' });

/** A wire intent: snake_case or camelCase keys, unknown keys ignored. */
export const Intent = Type.Object({
  from: Address,
  to: Address,
  value: Opt(Quantity),
  data: Opt(HexText),
  chain_id: Opt(Quantity),
  chainId: Opt(Quantity),
  function_signature: Opt(HexText),
  functionSignature: Opt(HexText),
});

/** No params: `{}` (anything else is ignored too). */
export const NoParams = Type.Object({});
