import type { AuditChainVerdict, Store } from '@keyward/core';
import type { AuditEventView } from '@keyward/protocol';
import type { Command } from 'commander';
import { loadConfig } from '../../config.js';
import { CliError } from '../cli-error.js';
import { openMigratedDatabase } from '../database.js';
import { addPageOptions, type PageOptions, printPage, withServer } from '../http-command.js';
import { type CliIo, type Column, formatText, formatTime, printJson, printTable } from '../output.js';
import { parseWhen } from './usage.js';

const columns: Column<AuditEventView>[] = [
  { header: 'time', value: (e) => formatTime(e.createdAt) },
  { header: 'actor', value: (e) => e.actor },
  { header: 'action', value: (e) => e.action },
  { header: 'target', value: (e) => formatText(e.targetId) },
  { header: 'request', value: (e) => formatText(e.requestId) },
  { header: 'id', value: (e) => e.id },
];

interface ListOptions extends PageOptions {
  actor?: string;
  action?: string;
  target?: string;
  from?: string;
  to?: string;
}

/** `--anchor <seq>:<hash>` as printed by an earlier verify. */
function parseAnchor(raw: string): { seq: number; hash: string } {
  const match = /^(\d{1,15}):([0-9a-f]{64})$/.exec(raw.trim());
  if (match === null)
    throw new CliError(`--anchor must be <seq>:<64 hex hash> as printed by audit verify (got "${raw}")`);
  return { seq: Number(match[1]), hash: match[2] as string };
}

async function verifyAll(
  store: Store,
  workspaceId: string | undefined,
  anchor: { seq: number; hash: string } | undefined,
): Promise<Array<{ workspaceId: string } & AuditChainVerdict>> {
  const { verifyAuditChain } = await import('@keyward/core');
  let ids: string[];
  if (workspaceId === undefined) ids = (await store.workspaces.list()).map((ws) => ws.id);
  else if ((await store.workspaces.get(workspaceId)) === null)
    throw new CliError(`no workspace ${workspaceId}`);
  else ids = [workspaceId];
  const results = [];
  for (const id of ids) {
    results.push({
      workspaceId: id,
      ...(await verifyAuditChain(store, id, anchor === undefined ? {} : { anchor })),
    });
  }
  return results;
}

/** `keyward audit list` (over HTTP) and `keyward audit verify` (directly on the database). */
export function registerAuditCommands(program: Command, io: CliIo): void {
  const audit = program.command('audit').description('the audit log of admin actions (hash-chained)');

  addPageOptions(
    audit
      .command('list')
      .description('admin actions, oldest first')
      .option('--actor <id>', 'only this root key (or system / cli)')
      .option('--action <action>', 'only this action, e.g. key.revoke')
      .option('--target <id>', 'only actions on this resource')
      .option('--from <when>', 'from (a duration ago like 24h, a date, or epoch ms)')
      .option('--to <when>', 'until (exclusive)'),
  ).action((options: ListOptions, command: Command) =>
    withServer(io, command, async ({ client, json }) => {
      const now = Date.now();
      const page = await client.audit.list({
        ...(options.actor ? { actor: options.actor } : {}),
        ...(options.action ? { action: options.action } : {}),
        ...(options.target ? { targetId: options.target } : {}),
        ...(options.from ? { from: parseWhen(options.from, now, '--from') } : {}),
        ...(options.to ? { to: parseWhen(options.to, now, '--to') } : {}),
        ...(options.limit ? { limit: options.limit } : {}),
        ...(options.cursor ? { cursor: options.cursor } : {}),
      });
      printPage(io, json, page, columns, 'keyward audit list');
    }),
  );

  audit
    .command('verify')
    .description('check the hash chain of the audit log on the database itself; exits 1 when broken')
    .option('--workspace <id>', 'only this workspace (default: every workspace)')
    .option(
      '--anchor <seq:hash>',
      'a head printed by an earlier verify: also detects a chain rewritten since',
    )
    .action(async (options: { workspace?: string; anchor?: string }, command: Command) => {
      const { json } = command.optsWithGlobals<{ json?: boolean }>();
      const anchor = options.anchor === undefined ? undefined : parseAnchor(options.anchor);
      const database = await openMigratedDatabase(loadConfig(io.env));
      let results: Awaited<ReturnType<typeof verifyAll>>;
      try {
        results = await verifyAll(database.store, options.workspace, anchor);
      } finally {
        await database.close();
      }
      const broken = results.filter((r) => !r.ok);
      if (json) printJson(io, results);
      else {
        printTable(
          io,
          results,
          [
            { header: 'workspace', value: (r) => r.workspaceId },
            { header: 'chain', value: (r) => (r.ok ? 'ok' : 'BROKEN') },
            { header: 'events', value: (r) => (r.ok ? String(r.count) : '-') },
            {
              header: 'head (keep it: --anchor)',
              value: (r) => (r.ok && r.head ? `${r.head.seq}:${r.head.hash}` : '-'),
            },
            { header: 'broken at', value: (r) => (r.ok ? '-' : `${r.brokenAt ?? '(start)'}: ${r.reason}`) },
          ],
          'no workspace',
        );
      }
      if (broken.length > 0) {
        throw new CliError(
          `audit chain broken in ${broken.length} workspace(s): ${broken.map((r) => r.workspaceId).join(', ')}`,
        );
      }
    });
}
