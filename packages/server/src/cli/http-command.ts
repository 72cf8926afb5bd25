import { createClient, KeywardApiError, type KeywardClient } from '@keyward/sdk/client';
import type { Command } from 'commander';
import { CliError, oneLine } from './cli-error.js';
import { describeFieldErrors, type FieldFlags, withFlags } from './flag-errors.js';
import { type CliIo, type Column, printJson, printTable } from './output.js';
import { parseCount } from './parse-options.js';
import { cannotReach, type ServerAddress, serverAddress } from './server-url.js';

export interface ServerContext {
  client: KeywardClient;
  json: boolean;
}

const NETWORK_REASONS: Record<string, string> = {
  ECONNREFUSED: 'is keyward running?',
  ECONNRESET: 'the connection was reset',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host not found',
  EHOSTUNREACH: 'host unreachable',
  ETIMEDOUT: 'connection timed out',
};

/** The first `code` along an error's cause chain (fetch nests the socket error). */
const causeCode = (error: unknown): string | undefined => {
  for (let current = error, depth = 0; current instanceof Object && depth < 5; depth++) {
    const { code, cause } = current as { code?: unknown; cause?: unknown };
    if (typeof code === 'string' && code !== 'NETWORK') return code;
    current = cause;
  }
  return undefined;
};

/**
 * One line for a failed call: why the server could not be reached, the invalid flags of a
 * 400 in flag words (`--limit must be at most 100`), or the server's problem detail with
 * its status.
 */
export function describeApiError(
  error: KeywardApiError,
  address: ServerAddress,
  fields: FieldFlags = {},
): string {
  if (error.status === 0 && error.code === 'NETWORK') {
    const code = causeCode(error.cause);
    return cannotReach(address, (code && NETWORK_REASONS[code]) ?? code ?? 'network error');
  }
  if (error.status === 0) return oneLine(error.message);
  if (error.status === 400 && error.errors.length > 0)
    return oneLine(describeFieldErrors(error.errors, fields));
  return `${oneLine(withFlags(error.detail, fields))} (HTTP ${error.status})`;
}

/**
 * Runs a command that talks to a running server (found by `serverAddress`: --url,
 * KEYWARD_URL, or KEYWARD_HOST/KEYWARD_PORT) with the root key from KEYWARD_ROOT_KEY, never
 * from a flag, so that it stays out of shell history and `ps`. Client failures become
 * one-line `CliError`s; `fields` names the command's flags where they differ from the
 * common names (`flag-errors.ts`).
 */
export async function withServer(
  io: CliIo,
  command: Command,
  run: (context: ServerContext) => Promise<void>,
  options: { fields?: FieldFlags } = {},
): Promise<void> {
  const { url, json } = command.optsWithGlobals<{ url?: string; json?: boolean }>();
  const rootKey = io.env.KEYWARD_ROOT_KEY?.trim();
  if (!rootKey) {
    throw new CliError(
      'KEYWARD_ROOT_KEY is not set: export the root key printed by `keyward init` (it is read from the environment only)',
    );
  }
  const address = serverAddress(url, io.env);
  let client: KeywardClient;
  try {
    client = createClient({ baseUrl: address.url, rootKey, fetch: io.fetch, timeoutMs: 30_000 });
  } catch {
    throw new CliError('KEYWARD_ROOT_KEY does not look like a root key (printable characters only)');
  }
  try {
    await run({ client, json: json === true });
  } catch (error) {
    if (error instanceof KeywardApiError) {
      throw new CliError(describeApiError(error, address, options.fields), { cause: error });
    }
    throw error;
  }
}

/** `--limit` and `--cursor` on every list command. */
export const addPageOptions = (command: Command): Command =>
  command
    .option('--limit <n>', 'items per page (1-100, default 50)', (raw) => parseCount(raw, '--limit', 1))
    .option('--cursor <cursor>', 'continue after a previous page');

export interface PageOptions {
  limit?: number;
  cursor?: string;
}

/** Prints one page: the response as JSON, or a table and how to get the next page. */
export function printPage<T>(
  io: CliIo,
  json: boolean,
  page: { items: T[]; nextCursor: string | null },
  columns: readonly Column<T>[],
  nextCommand: string,
): void {
  if (json) {
    printJson(io, page);
    return;
  }
  printTable(io, page.items, columns);
  if (page.nextCursor) io.out(`more: ${nextCommand} --cursor ${page.nextCursor}`);
}
