// Content by id: an in-memory content source, and fetching with the check that the bytes are
// the ones the id names.
import { NewtonError, policyCid } from 'newton-engine';
import type { ContentSource } from './transport.js';

const utf8 = new TextEncoder();

/** Content sources' bytes kept in memory, keyed by their CID. */
export class MemoryContentSource implements ContentSource {
  readonly #items = new Map<string, Uint8Array>();

  /** Stores `content` (text as UTF-8) and returns its CID. */
  put(content: string | Uint8Array): string {
    const bytes = typeof content === 'string' ? utf8.encode(content) : content;
    const cid = policyCid(bytes);
    this.#items.set(cid, bytes);
    return cid;
  }

  async get(cid: string): Promise<Uint8Array> {
    const bytes = this.#items.get(cid);
    if (bytes === undefined) throw new NewtonError({ code: 'NEWTON_ERR_INVALID_ARGUMENT', message: `no content with id ${cid}` });
    return bytes;
  }
}

/** The bytes of `cid` from `source`, refused (NEWTON_ERR_INVALID_ARGUMENT) unless they hash to `cid`. */
export async function fetchVerified(source: ContentSource, cid: string, signal?: AbortSignal): Promise<Uint8Array> {
  const bytes = await source.get(cid, signal);
  const actual = policyCid(bytes);
  if (actual !== cid) {
    throw new NewtonError({ code: 'NEWTON_ERR_INVALID_ARGUMENT', message: `content fetched for ${cid} hashes to ${actual}` });
  }
  return bytes;
}
