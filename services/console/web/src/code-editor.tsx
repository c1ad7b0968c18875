/**
 * A CodeMirror editor as a Preact component; CodeMirror itself loads on first use.
 * Invariant: the editor owns its text while the user types. `value` is pushed into it only when
 * the parent renders a value it has not rendered before and that differs from the last text the
 * editor itself reported (a saved query picked, a spec loaded). That decision is taken while
 * rendering, not in the effect: an effect runs later, sometimes after newer keystrokes, and one
 * that compared its render's (by then stale) value with the editor's newer text pushed the old
 * text back; the editor reported it, the parent re-rendered, the next stale effect pushed the
 * newer one, and the two chased each other in a loop that hung the page.
 */
import { useEffect, useRef } from 'preact/hooks';
import type { EditorHandle } from './codemirror-setup';
import { ForeignDom } from './foreign-dom';

export function CodeEditor(props: { value: string; language: 'sql' | 'yaml'; label: string; readOnly?: boolean; onChange(text: string): void }) {
  const host = useRef<HTMLDivElement>(null);
  const editor = useRef<EditorHandle | null>(null);
  const onChange = useRef(props.onChange);
  onChange.current = props.onChange;
  const reported = useRef(props.value);
  const latest = useRef(props.value);
  latest.current = props.value;
  useEffect(() => {
    let disposed = false;
    void import('./codemirror-setup').then(({ createEditor }) => {
      if (disposed || !host.current) return;
      reported.current = latest.current;
      const report = (text: string) => {
        reported.current = text;
        onChange.current(text);
      };
      editor.current = createEditor(host.current, { value: latest.current, language: props.language, label: props.label, readOnly: props.readOnly, onChange: report });
    });
    return () => {
      disposed = true;
      editor.current?.view.destroy();
      editor.current = null;
    };
  }, [props.language, props.readOnly]);
  const rendered = useRef(props.value);
  const pending = useRef<string | null>(null);
  if (props.value !== rendered.current) {
    rendered.current = props.value;
    pending.current = props.value === reported.current ? null : props.value;
  }
  useEffect(() => {
    const text = pending.current;
    if (text === null) return;
    pending.current = null;
    reported.current = text;
    editor.current?.setValue(text);
  });
  return <ForeignDom key={`${props.language}-${props.readOnly}`} class={`editor editor-${props.language}`} hostRef={host} />;
}
