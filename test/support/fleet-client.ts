/** A minimal Fleet API client for black-box tests: JSON in, status and JSON out. */
export interface ApiResponse<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

export class FleetClient {
  constructor(
    readonly baseUrl: string,
    public token: string | null = null,
  ) {}

  withToken(token: string | null): FleetClient {
    return new FleetClient(this.baseUrl, token);
  }

  async request<T = any>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<ApiResponse<T>> {
    const res = await fetch(this.baseUrl + path, {
      method,
      headers: {
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text === '' ? null : JSON.parse(text);
    } catch {
      // leave as text
    }
    return { status: res.status, body: parsed as T, headers: res.headers };
  }

  get<T = any>(path: string) {
    return this.request<T>('GET', path);
  }

  post<T = any>(path: string, body?: unknown) {
    return this.request<T>('POST', path, body ?? {});
  }
}

export const ADMIN = { email: 'admin@example.com', password: 'correct-horse-1!', name: 'Ada Admin' };

/** Runs first-time setup and returns a client logged in as the admin. */
export async function setUpAdmin(baseUrl: string): Promise<FleetClient> {
  const client = new FleetClient(baseUrl);
  const res = await client.post('/api/v1/setup', {
    admin: ADMIN,
    org_info: { org_name: 'Example Org' },
    server_url: 'https://logbook.example.com',
  });
  if (res.status !== 200) throw new Error(`setup failed: ${res.status} ${JSON.stringify(res.body)}`);
  return client.withToken(res.body.token);
}

/** Creates a user through the API (as `admin`) and returns a client logged in as them. */
export async function createUser(admin: FleetClient, role: 'admin' | 'maintainer' | 'observer', email = `${role}-${Math.random().toString(36).slice(2)}@example.com`): Promise<FleetClient> {
  const password = 'another-secret-9$';
  const created = await admin.post('/api/v1/fleet/users/admin', { name: `${role} user`, email, password, global_role: role });
  if (created.status !== 200) throw new Error(`user creation failed: ${created.status} ${JSON.stringify(created.body)}`);
  const login = await new FleetClient(admin.baseUrl).post('/api/v1/fleet/login', { email, password });
  if (login.status !== 200) throw new Error(`login failed: ${login.status} ${JSON.stringify(login.body)}`);
  return new FleetClient(admin.baseUrl, login.body.token);
}
