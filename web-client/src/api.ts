// HTTP calls to the sportello server (same origin).

import type { Role } from './generated/Role';

export interface DevTokenRequest {
  room: string;
  display_name: string;
  role: Role;
}

export interface DevToken {
  token: string;
  expires_at: number;
}

/** An HTTP error with the server's `{code, message}` body, when it sent one. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** Seconds to wait before trying again (the `Retry-After` header of a 429), or null. */
    readonly retryAfter: number | null = null,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** A JSON answer and its status. */
export interface ApiAnswer<T> {
  body: T;
  status: number;
}

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  body?: unknown;
  /** A body sent as it is (e.g. a CSV file), with its content type, instead of `body` as JSON. */
  raw?: { type: string; text: string };
  headers?: Record<string, string>;
  /** Let the request finish even if the page is closed meanwhile. */
  keepalive?: boolean;
}

/**
 * The CSRF token of the staff session, learned from `GET /v1/session` and from the login answers.
 * The server refuses every non-GET request of a staff session without it (403 `csrf_failed`).
 * Kept in memory only: a reload learns it again from `GET /v1/session`.
 */
let csrfToken: string | null = null;

/** Remembers the staff session's CSRF token (null forgets it: logout, handover). */
export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

/** Remembers the `csrf_token` of a session or login answer, when it has one. */
export function learnCsrfToken(body: unknown): void {
  if (typeof body !== 'object' || body === null) return;
  const token = (body as { csrf_token?: unknown }).csrf_token;
  if (typeof token === 'string' && token !== '') csrfToken = token;
}

function hasHeader(headers: Record<string, string>, name: string): boolean {
  return Object.keys(headers).some((k) => k.toLowerCase() === name);
}

/** Seconds of a `Retry-After` header (only the delay form is used by the server), or null. */
function retryAfterSeconds(res: Response): number | null {
  const value = res.headers.get('retry-after');
  if (value === null || !/^\d+$/.test(value.trim())) return null;
  return Number(value.trim());
}

/**
 * One JSON request; a non-2xx answer becomes an `ApiError` with the server's code. A non-GET
 * request carries the staff session's CSRF token unless the caller passed its own
 * `x-csrf-token` (the kiosk's citizen session has a token of its own).
 */
export async function requestJson<T>(path: string, opts: RequestOptions = {}): Promise<ApiAnswer<T>> {
  const method = opts.method ?? 'GET';
  const explicit = hasHeader(opts.headers ?? {}, 'x-csrf-token');
  const unknownToken = method !== 'GET' && !explicit && csrfToken === null;
  try {
    return await send<T>(path, opts, method);
  } catch (err) {
    // A page that never asked `GET /v1/session` (the landing page, the kiosk) may still carry a
    // staff cookie: learn that session's token once and try again. A token that is known but
    // refused is not replaced silently: the session changed under the page (another window).
    if (!(err instanceof ApiError && err.code === 'csrf_failed' && unknownToken)) throw err;
    const session = await send<unknown>('/v1/session', {}, 'GET').catch(() => null);
    learnCsrfToken(session?.body);
    if (csrfToken === null) throw err;
    return send<T>(path, opts, method);
  }
}

async function send<T>(path: string, opts: RequestOptions, method: NonNullable<RequestOptions['method']>): Promise<ApiAnswer<T>> {
  const headers: Record<string, string> = { accept: 'application/json', ...opts.headers };
  if (opts.raw !== undefined) headers['content-type'] = opts.raw.type;
  else if (opts.body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken !== null && !hasHeader(headers, 'x-csrf-token')) headers['x-csrf-token'] = csrfToken;
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers,
      body: opts.raw !== undefined ? opts.raw.text : opts.body === undefined ? null : JSON.stringify(opts.body),
      credentials: 'same-origin',
      cache: 'no-store',
      keepalive: opts.keepalive ?? false,
    });
  } catch {
    throw new ApiError(0, 'network', 'network error');
  }
  const text = await res.text().catch(() => '');
  let body: unknown = null;
  if (text) {
    try {
      body = JSON.parse(text);
    } catch {
      body = null;
    }
  }
  if (!res.ok) {
    const err = (body ?? {}) as { code?: unknown; message?: unknown };
    throw new ApiError(
      res.status,
      typeof err.code === 'string' ? err.code : `http_${res.status}`,
      typeof err.message === 'string' ? err.message : res.statusText,
      retryAfterSeconds(res),
    );
  }
  return { body: body as T, status: res.status };
}

/**
 * Uploads `file` as the raw body of `POST path` (the staff session's CSRF token attached),
 * reporting the share sent so far to `progress` (0..1). Resolves with the JSON answer; a non-2xx
 * answer rejects with an `ApiError` carrying the server's code. XMLHttpRequest, because fetch
 * tells nothing of upload progress.
 */
export async function uploadFile<T>(path: string, file: Blob, progress: (sent: number) => void): Promise<T> {
  if (csrfToken === null) {
    const session = await send<unknown>('/v1/session', {}, 'GET').catch(() => null);
    learnCsrfToken(session?.body);
  }
  return new Promise<T>((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', path);
    xhr.setRequestHeader('content-type', 'application/octet-stream');
    xhr.setRequestHeader('accept', 'application/json');
    if (csrfToken !== null) xhr.setRequestHeader('x-csrf-token', csrfToken);
    xhr.upload.addEventListener('progress', (e) => { if (e.lengthComputable && e.total > 0) progress(e.loaded / e.total); });
    xhr.addEventListener('load', () => {
      let body: unknown;
      try { body = JSON.parse(xhr.responseText); } catch { body = null; }
      if (xhr.status >= 200 && xhr.status < 300) { resolve(body as T); return; }
      const err = (body ?? {}) as { code?: unknown; message?: unknown };
      reject(new ApiError(xhr.status, typeof err.code === 'string' ? err.code : `http_${xhr.status}`,
        typeof err.message === 'string' ? err.message : xhr.statusText));
    });
    const failed = (): void => { reject(new ApiError(0, 'network', 'network error')); };
    xhr.addEventListener('error', failed);
    xhr.addEventListener('abort', failed);
    xhr.send(file);
  });
}

/** Asks a server in demo mode for a meeting token (`POST /v1/dev/token`). */
export async function fetchDevToken(req: DevTokenRequest): Promise<DevToken> {
  const { body, status } = await requestJson<Partial<DevToken> | null>('/v1/dev/token', { method: 'POST', body: req });
  if (typeof body?.token !== 'string') throw new ApiError(status, 'bad_response', 'no token in response');
  return { token: body.token, expires_at: typeof body.expires_at === 'number' ? body.expires_at : 0 };
}
