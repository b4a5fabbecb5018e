// The network page's session: an API key with `read` permission, presented once as
// `/ui?api_key=…` and kept in an HttpOnly, SameSite=Strict cookie. A cookie session is read-only
// wherever it is used (/rpc, /ws, the page) and is ignored on a cross-origin request.
import type { FastifyReply, FastifyRequest } from 'fastify';

export const UI_COOKIE = 'newton_ui';

/** The session cookie's key, unless the request comes from another origin. */
export function sessionKey(req: FastifyRequest): string | undefined {
  const key = req.cookies?.[UI_COOKIE];
  if (!key) return undefined;
  const { origin, host } = req.headers;
  if (origin !== undefined) {
    try {
      if (new URL(origin).host !== host) return undefined;
    } catch {
      return undefined;
    }
  }
  return key;
}

export function setSession(reply: FastifyReply, key: string): void {
  void reply.setCookie(UI_COOKIE, key, { path: '/', httpOnly: true, sameSite: 'strict', secure: 'auto' });
}
