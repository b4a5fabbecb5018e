// File access for the CLI, with NEWTON_ERR_IO / NEWTON_ERR_INVALID_JSON errors that name the file.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { NewtonError } from '../errors.js';
import type { PolicyModule } from '../policy.js';

export function readText(path: string): string {
  return readBytes(path).toString('utf8');
}

export function readBytes(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code ?? String(err);
    throw new NewtonError({ code: 'NEWTON_ERR_IO', message: `cannot read ${path}: ${reason}` });
  }
}

export function readJson<T = unknown>(path: string): T {
  const text = readText(path);
  try {
    return JSON.parse(text) as T;
  } catch (err) {
    throw new NewtonError({ code: 'NEWTON_ERR_INVALID_JSON', message: `${path} is not valid JSON: ${(err as Error).message}` });
  }
}

export function readModules(paths: string[]): PolicyModule[] {
  return paths.map((path) => ({ path, source: readText(path) }));
}

/** Every `*.rego` file under `paths` (files are taken as given), sorted, skipping dot and node_modules folders. */
export function findRego(paths: string[]): string[] {
  const found: string[] = [];
  const visit = (path: string, explicit: boolean) => {
    let stat;
    try {
      stat = statSync(path);
    } catch {
      throw new NewtonError({ code: 'NEWTON_ERR_IO', message: `no such file or directory: ${path}` });
    }
    if (stat.isDirectory()) {
      for (const entry of readdirSync(path).sort()) {
        if (entry.startsWith('.') || entry === 'node_modules') continue;
        visit(join(path, entry), false);
      }
    } else if (explicit || path.endsWith('.rego')) {
      found.push(path);
    }
  };
  paths.forEach((p) => visit(p, true));
  return found;
}
