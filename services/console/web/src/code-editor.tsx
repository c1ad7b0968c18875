/**
 * A CodeMirror editor as a Preact component; CodeMirror itself loads on first use.
 * Invariant: the editor owns its text while the user types. `value` is pushed into it only when
 * it differs from the last text the editor itself reported (a saved query picked, a spec
 * loaded): echoing the editor's own changes back would replace newer keystrokes with older text,
 * and the two would chase each other.
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
  useEffect(() => {
    if (props.value === reported.current) return;
    reported.current = props.value;
    editor.current?.setValue(props.value);
  }, [props.value]);
  return <ForeignDom key={`${props.language}-${props.readOnly}`} class={`editor editor-${props.language}`} hostRef={host} />;
}
