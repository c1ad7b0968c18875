/** Sign-in, and first-run setup (the first admin and the organization) when no user exists yet. */
import { useState } from 'preact/hooks';
import { api, setToken } from './api';
import { ErrorNote, type Me } from './common';

export function SignIn(props: { notice: string | null; setupRequired: boolean; onSignedIn(me: Me): void }) {
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: Event) {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    setBusy(true);
    setError(null);
    try {
      if (props.setupRequired) {
        const answer = await api<{ admin: Me; token: string }>('POST', '/api/v1/setup', {
          admin: { name: form.get('name'), email: form.get('email'), password: form.get('password') },
          org_info: { org_name: form.get('org') },
          server_url: location.origin,
        });
        setToken(answer.token);
        props.onSignedIn(answer.admin);
      } else {
        const answer = await api<{ user: Me; token: string }>('POST', '/api/v1/fleet/login', { email: form.get('email'), password: form.get('password') });
        setToken(answer.token);
        props.onSignedIn(answer.user);
      }
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  }

  const setup = props.setupRequired;
  return (
    <main class="sign-in">
      <form onSubmit={submit} class="card" aria-label={setup ? 'Set up Logbook' : 'Sign in'}>
        <h1>{setup ? 'Set up Logbook' : 'Sign in to Logbook'}</h1>
        {setup && <p class="hint">No user exists yet: create the first admin and name your organization.</p>}
        {props.notice && (
          <p class="notice" role="status">
            {props.notice}
          </p>
        )}
        {setup && (
          <label>
            Full name <input name="name" autocomplete="name" required />
          </label>
        )}
        <label>
          Email <input name="email" type="email" autocomplete="username" required />
        </label>
        <label>
          Password <input name="password" type="password" autocomplete={setup ? 'new-password' : 'current-password'} required />
        </label>
        {setup && (
          <label>
            Organization <input name="org" required />
          </label>
        )}
        <button type="submit" class="primary" disabled={busy}>
          {setup ? 'Create admin' : 'Sign in'}
        </button>
        <ErrorNote error={error} />
      </form>
    </main>
  );
}
