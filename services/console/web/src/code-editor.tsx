/** A CodeMirror editor as a Preact component; CodeMirror itself loads on first use. */
import { useEffect, useRef } from 'preact/hooks';
import type { EditorHandle } from './codemirror-setup';

export function CodeEditor(props: { value: string; language: 'sql' | 'yaml'; label: string; readOnly?: boolean; onChange(text: string): void }) {
  const host = useRef<HTMLDivElement>(null);
  const editor = useRef<EditorHandle | null>(null);
  const onChange = useRef(props.onChange);
  onChange.current = props.onChange;
  useEffect(() => {
    let disposed = false;
    void import('./codemirror-setup').then(({ createEditor }) => {
      if (disposed || !host.current) return;
      editor.current = createEditor(host.current, { value: props.value, language: props.language, label: props.label, readOnly: props.readOnly, onChange: (text) => onChange.current(text) });
    });
    return () => {
      disposed = true;
      editor.current?.view.destroy();
      editor.current = null;
    };
  }, [props.language, props.readOnly]);
  useEffect(() => editor.current?.setValue(props.value), [props.value]);
  return <div class={`editor editor-${props.language}`} ref={host} />;
}
