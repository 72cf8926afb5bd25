/**
 * The process the crash-loss test kills: records numbered events at a steady rate into a
 * SQLite file through the real recorder and store, and reports on stdout (synchronous on
 * a pipe) how many it recorded and how many the recorder still held after each tick.
 *
 * Usage: node --import tsx crash-loss.child.ts <db path> <flushIntervalMs> <events per ms>
 */
import { createSqliteHandle, migrateSqlite, openSqliteDatabase } from '../store/sqlite.js';
import { createUsageRecorder } from './recorder.js';
import { createSqliteUsageStore } from './sqlite-usage-store.js';

const [path = '', flushArg = '200', rateArg = '10'] = process.argv.slice(2);
const sql = createSqliteHandle({ database: openSqliteDatabase(path) });
await migrateSqlite(sql);
const usage = createUsageRecorder({
  sink: createSqliteUsageStore({ sql }),
  flushIntervalMs: Number(flushArg),
  onWritten: (events) => process.stdout.write(`written ${events.length}\n`),
});

const perTick = Number(rateArg);
let recorded = 0;
setInterval(() => {
  const time = Date.now();
  for (let i = 0; i < perTick; i++) {
    usage.record({
      time,
      workspaceId: 'ws_crash',
      apiId: 'api_crash',
      keyId: 'key_crash',
      consumerId: null,
      code: 'VALID',
      cost: 0,
      ip: null,
      tags: [`#${recorded}`],
    });
    recorded++;
  }
  process.stdout.write(`recorded ${recorded} held ${usage.depth()} at ${time}\n`);
}, 1);
process.stdout.write('ready\n');
