// HTTP calls to the sportello server (same origin).

import type { Role } from './protocol/Role';

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
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
    this.name = 'ApiError';
  }
}

/** A JSON answer and the server's clock (the `Date` header), when it sent one. */
export interface ApiAnswer<T> {
  body: T;
  status: number;
  /** The server's time in ms, from the `Date` header (second precision), or null. */
  serverNow: number | null;
}

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'DELETE';
  body?: unknown;
  headers?: Record<string, string>;
  /** Let the request finish even if the page is closed meanwhile. */
  keepalive?: boolean;
}

/** One JSON request; a non-2xx answer becomes an `ApiError` with the server's code. */
export async function requestJson<T>(path: string, opts: RequestOptions = {}): Promise<ApiAnswer<T>> {
  const headers: Record<string, string> = { accept: 'application/json', ...opts.headers };
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(path, {
      method: opts.method ?? 'GET',
      headers,
      body: opts.body === undefined ? null : JSON.stringify(opts.body),
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
    );
  }
  const date = res.headers.get('date');
  const serverNow = date ? Date.parse(date) : NaN;
  return { body: body as T, status: res.status, serverNow: Number.isFinite(serverNow) ? serverNow : null };
}

/** Asks a server in demo mode for a meeting token (`POST /v1/dev/token`). */
export async function fetchDevToken(req: DevTokenRequest): Promise<DevToken> {
  const { body, status } = await requestJson<Partial<DevToken> | null>('/v1/dev/token', { method: 'POST', body: req });
  if (typeof body?.token !== 'string') throw new ApiError(status, 'bad_response', 'no token in response');
  return { token: body.token, expires_at: typeof body.expires_at === 'number' ? body.expires_at : 0 };
}
