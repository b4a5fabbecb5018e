// An operator service process: reads its BLS keystore, trusts one gateway, listens; close-with-
// grace finishes in-flight rounds on SIGINT/SIGTERM. Configuration from the environment:
// NEWTON_OPERATOR_KEYSTORE (EIP-2335 file, e.g. from `newton keys generate`), NEWTON_KEYSTORE_PASSWORD,
// NEWTON_GATEWAY_URL (content is fetched from <url>/content/<cid>), NEWTON_GATEWAY_ADDRESS (the
// gateway's signing address), PORT (9545), HOST (127.0.0.1).
import fs from 'node:fs';
import closeWithGrace from 'close-with-grace';
import { BlsSigner, type Hex } from 'newton-engine';
import { gatewayContent } from './content-source.js';
import { startOperator } from './listen.js';

const env = process.env;
const required = (name: string): string => {
  const value = env[name];
  if (!value) {
    console.error(`newton operator: set ${name}`);
    process.exit(2);
  }
  return value;
};

const keystore = fs.readFileSync(required('NEWTON_OPERATOR_KEYSTORE'), 'utf8');
const signer = await BlsSigner.fromKeystore(keystore, required('NEWTON_KEYSTORE_PASSWORD'));
const gatewayAddress = required('NEWTON_GATEWAY_ADDRESS');
if (!/^0x[0-9a-fA-F]{40}$/.test(gatewayAddress)) {
  console.error('newton operator: NEWTON_GATEWAY_ADDRESS is not a 20-byte 0x address');
  process.exit(2);
}
const { app, identity, url } = await startOperator({
  signer,
  gatewayAddress: gatewayAddress as Hex,
  content: gatewayContent(required('NEWTON_GATEWAY_URL')),
  listenHost: env.HOST ?? '127.0.0.1',
  port: Number(env.PORT ?? 9545),
  logger: { level: 'info' },
});
app.log.info({ url, operatorId: identity.operatorId }, 'operator service listening');
closeWithGrace({ delay: 20_000 }, async ({ err }) => {
  if (err) app.log.error({ err }, 'shutting down after an error');
  await app.close();
});
