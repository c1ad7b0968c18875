/** Users (admins): the list (GET /users) and creating one (POST /users/admin). */
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
            <th>Created</th>
          </tr>
        </thead>
        <tbody>
          {(users.data ?? []).map((u) => (
            <tr>
              <td>{u.name}</td>
              <td>{u.email}</td>
              <td>{u.global_role}</td>
              <td>{when(u.created_at)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p class="hint">Changing a user's role is not in Logbook's API yet.</p>
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
