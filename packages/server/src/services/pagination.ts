import type { Page } from '@keyward/core';
import { inPart } from './input-checks.js';

/** Runs a store list call; an invalid cursor or limit is reported on the query string (`querystring.cursor`). */
export async function listPage<T>(list: () => Promise<Page<T>>): Promise<Page<T>> {
  try {
    return await list();
  } catch (error) {
    throw inPart(error, 'querystring');
  }
}
