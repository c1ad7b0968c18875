/**
 * The console's shell: who is signed in (or sign-in / first-run setup), the navigation, the
 * connection banner, and the view for the current path. Every view renders user-supplied text
 * (hostnames, spec names, results, activity details) as text nodes only: nothing is ever set as HTML.
 */
import { useEffect, useState } from 'preact/hooks';
import { api, forgetToken, onApiEvent, token } from './api';
import { isAdmin, Link, MeContext, type Me } from './common';
import { match, navigate, useLocation } from './router';
import { SignIn } from './sign-in';
import { ActivityView } from './views/activity';
import { CampaignList, CampaignView } from './views/campaigns';
import { HomeView } from './views/home';
import { HostList, HostPage } from './views/hosts';
import { LiveQuery } from './views/live-query';
import { SettingsView } from './views/settings';
import { ShellList, ShellView } from './views/shells';
import { SpecList, SpecPage } from './views/specs';
import { UsersView } from './views/users';

type Auth = { state: 'checking' } | { state: 'signed-out'; setupRequired: boolean; notice: string | null } | { state: 'signed-in'; me: Me };

const NAV: Array<{ href: string; label: string; adminOnly?: boolean }> = [
  { href: '/', label: 'Overview' },
  { href: '/query', label: 'Live query' },
  { href: '/campaigns', label: 'Campaigns' },
  { href: '/hosts', label: 'Hosts' },
  { href: '/specs/queries', label: 'Specs' },
  { href: '/activity', label: 'Activity' },
  { href: '/users', label: 'Users', adminOnly: true },
  { href: '/settings', label: 'Settings' },
  { href: '/shells', label: 'Shells', adminOnly: true },
];

function View({ path }: { path: string }) {
  let params: Record<string, string> | null;
  if (path === '/' || path === '') return <HomeView />;
  if (match('/query', path)) return <LiveQuery />;
  if (match('/campaigns', path)) return <CampaignList />;
  if ((params = match('/campaigns/:id', path))) return <CampaignView id={Number(params.id)} />;
  if (match('/hosts', path)) return <HostList />;
  if ((params = match('/hosts/:id', path))) return <HostPage id={Number(params.id)} />;
  if (match('/specs', path)) return <SpecList kind="queries" />;
  if ((params = match('/specs/:kind', path))) return <SpecList kind={params.kind} />;
  if ((params = match('/specs/:kind/:name', path))) return <SpecPage kind={params.kind} name={params.name} />;
  if (match('/activity', path)) return <ActivityView />;
  if (match('/users', path)) return <UsersView />;
  if (match('/settings', path)) return <SettingsView />;
  if (match('/shells', path)) return <ShellList />;
  if ((params = match('/shells/:session', path))) return <ShellView sessionId={params.session} />;
  return (
    <section class="page">
      <h1>Not found</h1>
      <p>Nothing lives at this address in the console.</p>
    </section>
  );
}

export function App() {
  const [auth, setAuth] = useState<Auth>({ state: 'checking' });
  const [reachable, setReachable] = useState(true);
  const place = useLocation();

  async function checkSession(notice: string | null) {
    if (token()) {
      try {
        const { user } = await api<{ user: Me }>('GET', '/me');
        setAuth({ state: 'signed-in', me: user });
        return;
      } catch {
        // 401 forgot the token (and emitted signed-out); unreachable keeps trying below
      }
    }
    try {
      const { require_setup } = await api<{ require_setup: boolean }>('GET', '/api/v1/setup');
      setAuth({ state: 'signed-out', setupRequired: require_setup, notice });
    } catch {
      setAuth({ state: 'signed-out', setupRequired: false, notice });
    }
  }

  useEffect(() => {
    const off = onApiEvent((event) => {
      if (event.kind === 'reachable') setReachable(event.reachable);
      else setAuth({ state: 'signed-out', setupRequired: false, notice: event.reason });
    });
    void checkSession(null);
    return off;
  }, []);

  useEffect(() => {
    if (reachable) return;
    // While the server is unreachable, ask every few seconds; the first answer clears the banner.
    const timer = setInterval(() => void fetch('/healthz').then(() => setReachable(true), () => undefined), 3_000);
    return () => clearInterval(timer);
  }, [reachable]);

  const banner = !reachable && (
    <div class="banner" role="alert">
      Logbook cannot be reached. Check that the server is running; this page retries on its own.
    </div>
  );

  if (auth.state === 'checking') return <main class="loading">{banner}Loading…</main>;
  if (auth.state === 'signed-out') {
    return (
      <>
        {banner}
        <SignIn
          notice={auth.notice}
          setupRequired={auth.setupRequired}
          onSignedIn={(me) => {
            setAuth({ state: 'signed-in', me });
            if (place.path === '/sign-in' || place.path === '/setup') navigate('/', { replace: true });
          }}
        />
      </>
    );
  }

  const me = auth.me;
  async function signOut() {
    try {
      await api('POST', '/logout');
    } catch {
      // the token is forgotten either way
    }
    forgetToken('You signed out.');
  }

  const current = (href: string) => (href === '/' ? place.path === '/' : place.path.startsWith(href.split('/').slice(0, 2).join('/')));
  return (
    <MeContext.Provider value={me}>
      {banner}
      <header class="top">
        <strong class="brand">Logbook</strong>
        <nav aria-label="Main">
          {NAV.filter((item) => !item.adminOnly || isAdmin(me)).map((item) => (
            <Link href={item.href} aria-current={current(item.href) ? 'page' : undefined}>
              {item.label}
            </Link>
          ))}
        </nav>
        <span class="who">
          {me.email} ({me.global_role})
        </span>
        <button type="button" onClick={signOut}>
          Sign out
        </button>
      </header>
      <main>
        <View path={place.path} />
      </main>
    </MeContext.Provider>
  );
}
