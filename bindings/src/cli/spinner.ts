// Progress for long CLI work (a componentize-js build, the first compile of a 12 MB PolicyData
// component): a yocto-spinner on stderr ending in a line saying how long it took, only when stderr
// is an interactive terminal. Anywhere else (a pipe, a file, a test's buffer, CI, TERM=dumb)
// nothing at all is written, so the output is the same as without it.
// On a terminal the spinner restores the cursor on Ctrl-C and exits 130 (yocto-spinner's signal
// handling, held only while it spins).
import yoctoSpinner from 'yocto-spinner';
import type { Output } from './output.js';

/** A stream a spinner can draw on: a TTY's write stream. */
type Terminal = Output & NodeJS.WriteStream;

/** True when `stream` is a terminal a person watches (not CI, not TERM=dumb). */
export function interactive(stream: Output): stream is Terminal {
  const tty = stream as Partial<NodeJS.WriteStream>;
  return tty.isTTY === true && typeof tty.cursorTo === 'function' && process.env.TERM !== 'dumb' && !('CI' in process.env);
}

/**
 * Resolves to what `work` resolves to. On a terminal a spinner says `text` meanwhile, and ends in
 * `newton: ${done(result)} (1.2 s)`; on failure it is cleared (the error is reported as usual).
 */
export async function withSpinner<T>(stream: Output, text: string, work: () => Promise<T>, done: (result: T) => string): Promise<T> {
  if (!interactive(stream)) return work();
  const started = performance.now();
  const spinner = yoctoSpinner({ text, stream }).start();
  try {
    const result = await work();
    spinner.stop(`newton: ${done(result)} (${seconds(performance.now() - started)})`);
    return result;
  } catch (err) {
    spinner.stop();
    throw err;
  }
}

/** A duration in ms as `0.42 s` / `12.3 s`. */
export const seconds = (ms: number) => `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;

/** A byte count as `12.3 MB` (or `4.1 kB`). */
export const size = (bytes: number) => (bytes >= 1e6 ? `${(bytes / 1e6).toFixed(1)} MB` : `${(bytes / 1e3).toFixed(1)} kB`);
