import type { LeakReportStore } from '../contracts/store.js';
import type { StoreContext } from './context.js';

/** Leak reports by (source, digest): the first record of a report stays, later ones change nothing. */
export function createLeakReportStore({ db }: StoreContext): LeakReportStore {
  return {
    async get(source, digest) {
      const row = await db
        .selectFrom('leak_reports')
        .select('feedback')
        .where('source', '=', source)
        .where('digest', '=', digest)
        .executeTakeFirst();
      return row === undefined ? null : row.feedback;
    },

    async put(source, digest, feedback, now) {
      const inserted = await db
        .insertInto('leak_reports')
        .values({ source, digest, feedback, created_at: now })
        .onConflict((oc) => oc.columns(['source', 'digest']).doNothing())
        .returning('source')
        .executeTakeFirst();
      return inserted !== undefined;
    },
  };
}
