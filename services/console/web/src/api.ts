/**
 * Logbook's operator API from the browser: the session token (kept in localStorage under
 * TOKEN_KEY, sent as `Authorization: Bearer`, as every Fleet client sends it), Fleet's error shape
 * turned into ApiError, and what the app must react to: a 401 on a signed-in request (the token
 * expired or was revoked: back to sign-in) and the server not answering at all.
 */
export const TOKEN_KEY = 'logbook-token';

export interface FleetReason {
  name: string;
  reason: string;
}

export class ApiError extends Error {
  constructor(
    message: string,
    /** The HTTP status; 0 when the server could not be reached. */
    readonly status: number,
    readonly reasons: FleetReason[] = [],
  ) {
    super(message);
  }
}

type ApiEvent = { kind: 'signed-out'; reason: string } | { kind: 'reachable'; reachable: boolean };
const listeners = new Set<(event: ApiEvent) => void>();

export function onApiEvent(listener: (event: ApiEvent) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

function emit(event: ApiEvent): void {
  for (const listener of listeners) listener(event);
}

export function token(): string | null {
  return localStorage.getItem(TOKEN_KEY);
}

export function setToken(value: string): void {
  localStorage.setItem(TOKEN_KEY, value);
}

export function forgetToken(reason: string): void {
  const had = token() !== null;
  localStorage.removeItem(TOKEN_KEY);
  if (had) emit({ kind: 'signed-out', reason });
}

function reasonOf(body: unknown, fallback: string): { message: string; reasons: FleetReason[] } {
  const errors = (body as { errors?: unknown })?.errors;
  const reasons = Array.isArray(errors) ? (errors.filter((e) => e && typeof e.reason === 'string') as FleetReason[]) : [];
  const message = reasons.map((r) => r.reason).join('; ') || String((body as { message?: unknown })?.message ?? '') || fallback;
  return { message, reasons };
}

/** A request to the API: `path` under /api/v1/fleet unless it starts with /api/. */
export async function api<T = any>(method: string, path: string, body?: unknown): Promise<T> {
  const url = path.startsWith('/api/') ? path : `/api/v1/fleet${path}`;
  const current = token();
  let res: Response;
  try {
    res = await fetch(url, {
      method,
      headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...(current ? { authorization: `Bearer ${current}` } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    emit({ kind: 'reachable', reachable: false });
    throw new ApiError('Logbook cannot be reached: check that the server is running and that this machine can reach it, then try again.', 0);
  }
  emit({ kind: 'reachable', reachable: true });
  const json = await res.json().catch(() => ({}));
  if (!res.ok) {
    const { message, reasons } = reasonOf(json, res.statusText);
    if (res.status === 401 && current && !url.endsWith('/login')) forgetToken('Your session ended (it expired or was signed out): sign in again.');
    throw new ApiError(message, res.status, reasons);
  }
  return json as T;
}

/** What a user can do about an error, in words. */
export function explain(error: unknown, role?: string): string {
  if (!(error instanceof ApiError)) return String((error as Error)?.message ?? error);
  if (error.status === 403) return `Not allowed${role ? ` for your role (${role})` : ''}: ${error.message}. Ask an admin if you need this.`;
  if (error.status === 0) return error.message;
  return error.message;
}
