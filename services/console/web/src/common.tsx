/** Small shared pieces of the views: links, error notes, loading a resource, formatting. */
import type { ComponentChildren } from 'preact';
import { createContext } from 'preact';
import { useCallback, useContext, useEffect, useRef, useState } from 'preact/hooks';
import { explain } from './api';
import { onLinkClick } from './router';

export interface Me {
  id: number;
  name: string;
  email: string;
  global_role: 'admin' | 'maintainer' | 'observer';
}

export const MeContext = createContext<Me | null>(null);

export function useMe(): Me {
  return useContext(MeContext)!;
}

/** Admins and maintainers write the fleet's specs and run ad-hoc SQL (shared/domain/users/roles.ts). */
export const writesFleet = (me: Me) => me.global_role === 'admin' || me.global_role === 'maintainer';
export const isAdmin = (me: Me) => me.global_role === 'admin';

export function Link(props: { href: string; children: ComponentChildren; class?: string; 'aria-current'?: 'page' }) {
  return (
    <a href={props.href} class={props.class} aria-current={props['aria-current']} onClick={onLinkClick}>
      {props.children}
    </a>
  );
}

export function ErrorNote({ error }: { error: unknown }) {
  const me = useContext(MeContext);
  if (!error) return null;
  return (
    <p class="error" role="alert">
      {explain(error, me?.global_role)}
    </p>
  );
}

export interface Loaded<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  reload(): void;
}

/** Loads with `load` when `key` changes; `reload` loads again. A stale answer never replaces a newer one. */
export function useLoad<T>(load: () => Promise<T>, key: unknown[]): Loaded<T> {
  const [state, setState] = useState<{ data?: T; error: unknown; loading: boolean }>({ error: null, loading: true });
  const generation = useRef(0);
  const run = useCallback(() => {
    const mine = ++generation.current;
    setState((s) => ({ ...s, loading: true }));
    load().then(
      (data) => mine === generation.current && setState({ data, error: null, loading: false }),
      (error) => mine === generation.current && setState((s) => ({ data: s.data, error, loading: false })),
    );
  }, key);
  useEffect(run, [run]);
  return { data: state.data, error: state.error, loading: state.loading, reload: run };
}

/** Calls `tick` every `ms` while the view is shown. */
export function useInterval(tick: () => void, ms: number): void {
  const saved = useRef(tick);
  saved.current = tick;
  useEffect(() => {
    const timer = setInterval(() => saved.current(), ms);
    return () => clearInterval(timer);
  }, [ms]);
}

export function when(iso: string | null | undefined): string {
  if (!iso) return '—';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString();
}

export function duration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '—';
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m} min ${s % 60} s` : `${Math.floor(m / 60)} h ${m % 60} min`;
}

/** Saves text as a file the browser downloads. */
export function download(name: string, type: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const anchor = document.createElement('a');
  anchor.href = url;
  anchor.download = name;
  document.body.appendChild(anchor);
  anchor.click();
  anchor.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function Page(props: { title: string; children: ComponentChildren; actions?: ComponentChildren }) {
  useEffect(() => {
    document.title = `${props.title} — Logbook`;
  }, [props.title]);
  return (
    <section class="page" aria-label={props.title}>
      <div class="page-head">
        <h1>{props.title}</h1>
        {props.actions}
      </div>
      {props.children}
    </section>
  );
}
