/* Logbook's browser terminal: sign in, pick a host, and relay xterm.js to the shell broker. */
(function () {
  'use strict';
  const $ = (id) => document.getElementById(id);
  const state = { token: sessionStorage.getItem('logbook-token'), socket: null, sessionId: null, closeReason: null, closeCode: null };
  let term = null;
  let fit = null;

  function show(view) {
    for (const id of ['login-view', 'hosts-view', 'shell-view']) $(id).hidden = id !== view;
  }

  async function api(method, path, body) {
    const res = await fetch(path, {
      method,
      headers: { 'content-type': 'application/json', ...(state.token ? { authorization: 'Bearer ' + state.token } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = await res.json().catch(() => ({}));
    if (!res.ok) {
      const reason = (json.errors && json.errors[0] && json.errors[0].reason) || json.message || res.statusText;
      throw Object.assign(new Error(reason), { status: res.status });
    }
    return json;
  }

  async function signedIn(token) {
    state.token = token;
    sessionStorage.setItem('logbook-token', token);
    try {
      const me = await api('GET', '/api/v1/fleet/me');
      $('who').textContent = me.user ? me.user.email + ' (' + me.user.global_role + ')' : '';
    } catch (error) {
      $('who').textContent = '';
    }
    await listHosts();
  }

  async function listHosts() {
    $('hosts-error').textContent = '';
    try {
      const { hosts } = await api('GET', '/api/v1/fleet/shells/hosts');
      const rows = $('hosts');
      rows.textContent = '';
      for (const host of hosts) {
        const row = document.createElement('tr');
        const button = document.createElement('button');
        button.textContent = 'Open shell';
        button.dataset.hostId = String(host.host_id);
        button.addEventListener('click', () => openShell(host));
        for (const text of [host.display_name || host.hostname, String(host.host_id), host.last_poll_at || 'not since Logbook started']) {
          const cell = document.createElement('td');
          cell.textContent = text;
          row.appendChild(cell);
        }
        const cell = document.createElement('td');
        cell.appendChild(button);
        row.appendChild(cell);
        rows.appendChild(row);
      }
      show('hosts-view');
    } catch (error) {
      if (error.status === 401) {
        sessionStorage.removeItem('logbook-token');
        state.token = null;
        $('login-error').textContent = 'Sign in again: ' + error.message;
        show('login-view');
      } else {
        show('hosts-view');
        $('hosts-error').textContent = error.message;
      }
    }
  }

  function base64ToBytes(text) {
    const binary = atob(text);
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    return bytes;
  }

  function setStatus(text) {
    $('shell-status').textContent = text;
  }

  function sendResize() {
    if (state.socket && state.socket.readyState === WebSocket.OPEN) {
      state.socket.send('3' + JSON.stringify({ columns: term.cols, rows: term.rows }));
    }
  }

  async function openShell(host) {
    $('hosts-error').textContent = '';
    let session;
    try {
      session = await api('POST', '/api/v1/fleet/hosts/' + host.host_id + '/shells');
    } catch (error) {
      $('hosts-error').textContent = error.message;
      return;
    }
    state.sessionId = session.session_id;
    state.closeReason = null;
    state.closeCode = null;
    show('shell-view');
    $('shell-host').textContent = host.display_name || host.hostname;
    $('close-shell').hidden = false;
    $('back').hidden = true;
    setStatus('waiting for the host\u2019s launcher\u2026');
    if (term) term.dispose();
    term = new Terminal({ cursorBlink: true, convertEol: false, fontSize: 14, scrollback: 5000 });
    fit = new FitAddon.FitAddon();
    term.loadAddon(fit);
    term.open($('terminal'));
    fit.fit();
    window.logbookConsole.term = term;

    const scheme = location.protocol === 'https:' ? 'wss://' : 'ws://';
    const socket = new WebSocket(scheme + location.host + '/api/v1/fleet/shells/' + session.session_id + '/websocket');
    state.socket = socket;
    socket.addEventListener('open', () => {
      socket.send(JSON.stringify({ type: 'auth', data: { token: state.token } }));
      sendResize();
    });
    socket.addEventListener('message', (event) => {
      const text = String(event.data);
      if (text[0] === '1') {
        if (state.connected !== state.sessionId) {
          state.connected = state.sessionId;
          setStatus('connected');
        }
        term.write(base64ToBytes(text.slice(1)));
      } else if (text[0] === '3') {
        document.title = text.slice(1) + ' \u2014 Logbook';
      }
    });
    socket.addEventListener('close', (event) => {
      state.closeReason = event.reason || 'connection closed';
      state.closeCode = event.code;
      setStatus('closed: ' + state.closeReason + ' (' + event.code + ')');
      $('close-shell').hidden = true;
      $('back').hidden = false;
    });
    term.onData((data) => {
      if (socket.readyState === WebSocket.OPEN) socket.send('1' + data);
    });
    term.onResize(() => sendResize());
    term.focus();
  }

  window.addEventListener('resize', () => {
    if (fit && !$('shell-view').hidden) fit.fit();
  });

  $('close-shell').addEventListener('click', () => {
    if (state.socket) state.socket.close(1000, 'operator closed the shell');
  });
  $('back').addEventListener('click', () => listHosts());
  $('refresh-hosts').addEventListener('click', () => listHosts());

  $('login-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    $('login-error').textContent = '';
    try {
      const { token } = await api('POST', '/api/v1/fleet/login', { email: $('email').value, password: $('password').value });
      await signedIn(token);
    } catch (error) {
      $('login-error').textContent = error.message;
    }
  });
  $('token-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    await signedIn($('token').value.trim());
  });

  window.logbookConsole = { state, term: null };
  if (state.token) void signedIn(state.token);
  else show('login-view');
})();
