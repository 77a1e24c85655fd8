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

/** Asks a server in demo mode for a meeting token (`POST /v1/dev/token`). */
export async function fetchDevToken(req: DevTokenRequest): Promise<DevToken> {
  const res = await fetch('/v1/dev/token', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify(req),
    credentials: 'same-origin',
  });
  const body: unknown = await res.json().catch(() => null);
  if (!res.ok) {
    const err = (body ?? {}) as { code?: unknown; message?: unknown };
    throw new ApiError(
      res.status,
      typeof err.code === 'string' ? err.code : `http_${res.status}`,
      typeof err.message === 'string' ? err.message : res.statusText,
    );
  }
  const token = body as Partial<DevToken> | null;
  if (typeof token?.token !== 'string') throw new ApiError(res.status, 'bad_response', 'no token in response');
  return { token: token.token, expires_at: typeof token.expires_at === 'number' ? token.expires_at : 0 };
}
