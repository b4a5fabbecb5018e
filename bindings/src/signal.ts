// Abort signals handed to the addon.

/**
 * napi-rs listens through `signal.onabort`, which misses an already-aborted signal and would
 * replace the caller's own handler: throw for an aborted one, hand it a fresh dependent signal.
 */
export function nativeSignal(signal: AbortSignal | undefined): AbortSignal | undefined {
  signal?.throwIfAborted();
  return signal && AbortSignal.any([signal]);
}
