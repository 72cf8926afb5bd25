import { type FieldError, PROBLEMS, type Problem } from '@keyward/protocol';

/**
 * Every failure of the typed client: an HTTP error answer (carrying its RFC 9457 problem
 * details) or no answer at all (`status` 0: network error or timeout). The message never
 * holds the root key or a key.
 *
 * @example
 * try { await client.keys.get(id); } catch (e) { if (e instanceof KeywardApiError && e.status === 404) ... }
 */
export class KeywardApiError extends Error {
  /** HTTP status; 0 when no answer arrived. */
  readonly status: number;
  /** keyward's stable error code (`VALIDATION`, `NOT_FOUND`, ...; `NETWORK` / `TIMEOUT` without an answer). */
  readonly code: string;
  readonly title: string;
  readonly detail: string;
  /** Invalid request fields, for `VALIDATION` errors. */
  readonly errors: FieldError[];
  /** The server's request id, to quote when reporting a problem. */
  readonly requestId: string | undefined;
  /** The problem details as received (null without an answer or when it was not problem+json). */
  readonly problem: Problem | null;

  constructor(
    problem: Problem | null,
    fallback: { status: number; code: string; title: string; detail: string },
    cause?: unknown,
  ) {
    const status = problem?.status ?? fallback.status;
    const detail = problem?.detail ?? fallback.detail;
    super(
      `${detail} (${status === 0 ? fallback.code : `HTTP ${status}`})`,
      cause === undefined ? undefined : { cause },
    );
    this.name = 'KeywardApiError';
    this.status = status;
    this.code = problem?.code ?? fallback.code;
    this.title = problem?.title ?? fallback.title;
    this.detail = detail;
    this.errors = problem?.errors ?? [];
    this.requestId = problem?.requestId;
    this.problem = problem;
  }
}

const isProblem = (value: unknown): value is Problem => {
  const p = value as Partial<Problem> | null;
  return typeof p === 'object' && p !== null && typeof p.status === 'number' && typeof p.title === 'string';
};

/** The first code of `PROBLEMS` with this status, for an answer that names none (e.g. a proxy's). */
const codeOfStatus = (status: number): string =>
  Object.entries(PROBLEMS).find(([, problem]) => problem.status === status)?.[0] ??
  (status >= 500 ? 'INTERNAL' : 'BAD_REQUEST');

/** The error for a non-2xx answer, from its problem+json body when it has one. */
export async function errorFromResponse(response: Response): Promise<KeywardApiError> {
  const text = await response.text().catch(() => '');
  let body: unknown = null;
  try {
    body = text === '' ? null : JSON.parse(text);
  } catch {
    // Not JSON (e.g. a proxy's HTML page): described from the status line below.
  }
  const problem = isProblem(body)
    ? { ...body, detail: body.detail ?? body.title, code: body.code ?? codeOfStatus(body.status) }
    : null;
  return new KeywardApiError(problem, {
    status: response.status,
    code: codeOfStatus(response.status),
    title: response.statusText || `HTTP ${response.status}`,
    detail: `keyward answered HTTP ${response.status}`,
  });
}
