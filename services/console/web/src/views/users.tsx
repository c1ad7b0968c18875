/**
 * Users (admins): the list (GET /users), each user's role changed in place (PATCH /users/{id},
 * a select and a Save button per row, named after the user), and creating one (POST /users/admin).
 */
import { useState } from 'preact/hooks';
import { api } from '../api';
import { ErrorNote, Page, useLoad, when } from '../common';

interface User {
  id: number;
  name: string;
  email: string;
  global_role: string;
  created_at: string;
}

const ROLES = ['observer', 'maintainer', 'admin'] as const;

/** One user's role: a select named "Role of <email>" and its Save button; the answer shown beside. */
function RoleControl({ user, onSaved }: { user: User; onSaved(): void }) {
  const [role, setRole] = useState(user.global_role);
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState<string | null>(null);
  async function save(event: Event) {
    event.preventDefault();
    setSaving(true);
    setError(null);
    setSaved(null);
    try {
      const answer = await api<{ user: User }>('PATCH', `/users/${user.id}`, { global_role: role });
      setSaved(`${answer.user.email} is now ${answer.user.global_role}.`);
      onSaved();
    } catch (caught) {
      setError(caught);
    } finally {
      setSaving(false);
    }
  }
  return (
    <form class="inline" onSubmit={save} aria-label={`Change the role of ${user.email}`}>
      <select aria-label={`Role of ${user.email}`} value={role} onChange={(event) => setRole((event.currentTarget as HTMLSelectElement).value)}>
        {ROLES.map((name) => (
          <option value={name}>{name}</option>
        ))}
      </select>{' '}
      <button type="submit" aria-label={`Save the role of ${user.email}`} disabled={saving || role === user.global_role}>
        Save
      </button>
      {saved && <span role="status">{saved}</span>}
      <ErrorNote error={error} />
    </form>
  );
}

export function UsersView() {
  const users = useLoad(() => api<{ users: User[] }>('GET', '/users').then((a) => a.users), []);
  const [error, setError] = useState<unknown>(null);
  const [created, setCreated] = useState<string | null>(null);
  async function create(event: Event) {
    event.preventDefault();
    const formElement = event.currentTarget as HTMLFormElement;
    const form = new FormData(formElement);
    setError(null);
    setCreated(null);
    try {
      const { user } = await api<{ user: User }>('POST', '/users/admin', { name: form.get('name'), email: form.get('email'), password: form.get('password'), global_role: form.get('role') });
      setCreated(`Created ${user.email} (${user.global_role}).`);
      formElement.reset();
      users.reload();
    } catch (caught) {
      setError(caught);
    }
  }
  return (
    <Page title="Users">
      <ErrorNote error={users.error} />
      <table aria-label="Users">
        <thead>
          <tr>
            <th>Name</th>
            <th>Email</th>
            <th>Role</th>
            <th>Change role</th>
            <th>Created</th>
          </tr>
        </thead>
        <tbody>
          {(users.data ?? []).map((u) => (
            <tr key={u.id}>
              <td>{u.name}</td>
              <td>{u.email}</td>
              <td>{u.global_role}</td>
              <td>
                <RoleControl user={u} onSaved={users.reload} />
              </td>
              <td>{when(u.created_at)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p class="hint">Only admins change roles; the last admin cannot be demoted.</p>
      <form class="card" onSubmit={create} aria-label="Create a user">
        <h2>Create a user</h2>
        <label>
          Full name <input name="name" required />
        </label>
        <label>
          Email <input name="email" type="email" required />
        </label>
        <label>
          Password <input name="password" type="password" autocomplete="new-password" required />
        </label>
        <label>
          Role{' '}
          <select name="role">
            <option value="observer">observer</option>
            <option value="maintainer">maintainer</option>
            <option value="admin">admin</option>
          </select>
        </label>
        <button type="submit" class="primary">
          Create user
        </button>
        {created && <p role="status">{created}</p>}
        <ErrorNote error={error} />
      </form>
    </Page>
  );
}
