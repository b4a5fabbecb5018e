// PolicyData oracle `kyc_screen`: screens one address against a KYC/sanctions API over HTTP.
//
// wasm_args: {"kyc_screen": {"address": "0x…", "base_url": "https://…"}} (or the inner object alone).
// secrets:   {"KYC_API_KEY": "…"} (optional), sent as the X-API-Key header.
// output:    {"kyc_screen": {"address", "sanctioned", "sanctions_lists", "kyc_status", "country"}},
//            or {"kyc_screen": {"error": "…"}} on any failure, so the policy fails closed.
import { fetch } from 'newton:provider/http@0.2.0';
import { get } from 'newton:provider/secrets@0.2.0';

const PACK_ID = 'kyc_screen';

export function run(input) {
  try {
    const parsed = JSON.parse(input || '{}');
    return JSON.stringify({ [PACK_ID]: screen(parsed[PACK_ID] ?? parsed, apiKey()) });
  } catch (err) {
    return JSON.stringify({ [PACK_ID]: { error: message(err) } });
  }
}

function screen(args, key) {
  const address = String(args.address ?? '').toLowerCase();
  if (!/^0x[0-9a-f]{40}$/.test(address)) throw new Error('wasm_args.address must be a 0x-prefixed 20-byte hex address');
  if (typeof args.base_url !== 'string' || !/^https?:\/\//.test(args.base_url)) throw new Error('wasm_args.base_url must be an http(s) URL');
  const base = `${args.base_url.replace(/\/+$/, '')}/v1/addresses/${address}`;

  const sanctions = getJson(`${base}/sanctions`, key, [200]);
  const lists = (sanctions.body.identifications ?? []).map((id) => String(id.name));
  const kyc = getJson(`${base}/kyc`, key, [200, 404]);
  return {
    address,
    sanctioned: lists.length > 0,
    sanctions_lists: lists,
    kyc_status: kyc.status === 404 ? 'none' : String(kyc.body.status),
    country: kyc.status === 404 ? null : kyc.body.country ?? null,
  };
}

function getJson(url, key, okStatuses) {
  const headers = [['accept', 'application/json']];
  if (key) headers.push(['x-api-key', key]);
  const res = fetch({ url, method: 'GET', headers, body: undefined });
  if (!okStatuses.includes(res.status)) throw new Error(`GET ${url}: HTTP ${res.status}`);
  return { status: res.status, body: JSON.parse(new TextDecoder().decode(res.body)) };
}

/** KYC_API_KEY from the secrets scope, if any secrets were stored. */
function apiKey() {
  try {
    const secrets = JSON.parse(new TextDecoder().decode(get().value));
    return typeof secrets.KYC_API_KEY === 'string' ? secrets.KYC_API_KEY : undefined;
  } catch {
    return undefined;
  }
}

function message(err) {
  if (typeof err === 'string') return err;
  return String(err?.payload ?? err?.message ?? err);
}
