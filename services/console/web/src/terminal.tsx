/**
 * The remote shell's terminal: xterm.js (loaded on demand) relayed to the shell broker's operator
 * WebSocket (/api/v1/fleet/shells/<session>/websocket): first frame the auth message, then
 * '1'+input and '3'+resize to the host, '1'+base64 output and '3'+title from it.
 * The terminal is exposed as window.logbookConsole.term for tests that read its buffer.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { token } from './api';
import { ForeignDom } from './foreign-dom';

function base64ToBytes(text: string): Uint8Array {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

export function Terminal({ sessionId }: { sessionId: string }) {
  const host = useRef<HTMLDivElement>(null);
  const [status, setStatus] = useState('waiting for the host’s launcher…');
  const socketRef = useRef<WebSocket | null>(null);
  const [closed, setClosed] = useState(false);
  useEffect(() => {
    let disposed = false;
    let cleanup = () => {};
    void Promise.all([import('@xterm/xterm'), import('@xterm/addon-fit'), import('@xterm/xterm/css/xterm.css')]).then(([{ Terminal: XTerm }, { FitAddon }]) => {
      if (disposed || !host.current) return;
      const term = new XTerm({ cursorBlink: true, fontSize: 14, scrollback: 5000 });
      const fit = new FitAddon();
      term.loadAddon(fit);
      term.open(host.current);
      fit.fit();
      (window as any).logbookConsole = { term };
      const scheme = location.protocol === 'https:' ? 'wss://' : 'ws://';
      const socket = new WebSocket(`${scheme}${location.host}/api/v1/fleet/shells/${encodeURIComponent(sessionId)}/websocket`);
      socketRef.current = socket;
      let connected = false;
      const sendResize = () => {
        if (socket.readyState === WebSocket.OPEN) socket.send('3' + JSON.stringify({ columns: term.cols, rows: term.rows }));
      };
      socket.addEventListener('open', () => {
        socket.send(JSON.stringify({ type: 'auth', data: { token: token() } }));
        sendResize();
      });
      socket.addEventListener('message', (event) => {
        const text = String(event.data);
        if (text[0] === '1') {
          if (!connected) {
            connected = true;
            setStatus('connected');
          }
          term.write(base64ToBytes(text.slice(1)));
        } else if (text[0] === '3') {
          document.title = `${text.slice(1)} — Logbook`;
        }
      });
      socket.addEventListener('close', (event) => {
        setStatus(`closed: ${event.reason || 'connection closed'} (${event.code})`);
        setClosed(true);
      });
      term.onData((data) => {
        if (socket.readyState === WebSocket.OPEN) socket.send('1' + data);
      });
      term.onResize(() => sendResize());
      const onWindowResize = () => fit.fit();
      window.addEventListener('resize', onWindowResize);
      term.focus();
      cleanup = () => {
        window.removeEventListener('resize', onWindowResize);
        if (socket.readyState <= WebSocket.OPEN) socket.close(1000, 'operator left the page');
        term.dispose();
      };
    });
    return () => {
      disposed = true;
      cleanup();
    };
  }, [sessionId]);
  return (
    <div class="shell">
      <div class="toolbar">
        <span role="status" aria-label="Shell status">
          {status}
        </span>
        {!closed && (
          <button type="button" onClick={() => socketRef.current?.close(1000, 'operator closed the shell')}>
            Close shell
          </button>
        )}
      </div>
      <ForeignDom class="terminal" hostRef={host} />
    </div>
  );
}
