/**
 * Column codecs shared by the row mappers. JSON columns are text; int8 columns may arrive
 * as strings from a PostgreSQL pool without keyward's int8 parser, hence `Number()`.
 */

export const toJson = (value: unknown): string => JSON.stringify(value);

export const toJsonOrNull = (value: unknown): string | null =>
  value === null ? null : JSON.stringify(value);

export const fromJson = <T>(text: string): T => JSON.parse(text) as T;

export const fromJsonOrNull = <T>(text: string | null): T | null =>
  text === null ? null : (JSON.parse(text) as T);

/** `'[]'` is by far the most common array value: skip the parser for it. */
export const fromJsonArray = <T>(text: string): T[] => (text === '[]' ? [] : (JSON.parse(text) as T[]));

export const toMs = (value: number | string): number => Number(value);

export const toMsOrNull = (value: number | string | null): number | null =>
  value === null ? null : Number(value);
