/**
 * The pages' one way to call keyward: same-origin `fetch` with the session cookie, the
 * `X-Keyward-Csrf` header every cookie-authenticated call needs, and RFC 9457 problem
 * details turned into `ApiError`s that name the field at fault.
 */

/** An answer that was not 2xx, with the problem details keyward sent. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string | null;
  /** The request field at fault (`body.name`), when keyward named one. */
  readonly field: string | null;
  constructor(status: number, message: string, code: string | null, field: string | null) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.field = field;
  }
}

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

interface Problem {
  detail?: string;
  title?: string;
  code?: string;
  errors?: Array<{ field?: string; message?: string }>;
}

async function problemOf(response: Response): Promise<ApiError> {
  let problem: Problem = {};
  try {
    problem = (await response.json()) as Problem;
  } catch {
    // Not JSON (a proxy's error page): the status says enough.
  }
  const field = problem.errors?.[0]?.field ?? null;
  const message = problem.detail ?? problem.title ?? `${response.status} ${response.statusText}`;
  return new ApiError(response.status, message, problem.code ?? null, field);
}

/** Calls keyward and answers the parsed JSON (undefined for 204). Throws `ApiError`. */
export async function api<T>(method: Method, path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
  const headers: Record<string, string> = { 'x-keyward-csrf': '1', accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(path, {
    method,
    headers,
    credentials: 'same-origin',
    cache: 'no-store',
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    ...(signal === undefined ? {} : { signal }),
  });
  if (!response.ok) throw await problemOf(response);
  if (response.status === 204) return undefined as T;
  return (await response.json()) as T;
}

/** A query string of the defined values only. */
export function query(params: Record<string, string | number | undefined | null>): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== '') search.set(name, String(value));
  }
  const text = search.toString();
  return text === '' ? '' : `?${text}`;
}

/** A message for people: the problem's detail, or the error's message. */
export const errorText = (error: unknown): string =>
  error instanceof Error ? error.message : 'Something went wrong. Try again.';
