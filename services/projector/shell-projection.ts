/**
 * Remote shells (shell-control and shell-session streams): one `shell_sessions` doc per session,
 * one `shell_hosts` doc per host that enabled remote shells, and `opened_remote_shell` /
 * `closed_remote_shell` in the activity feed (both credited to the operator who asked for the
 * shell, whoever closed it). Events of a session not seen requested are ignored.
 * Idempotent: each handler writes what the event says, keyed by the session, so a replay changes
 * nothing.
 */
import { SHELL_CONTROL_ENABLED, type ShellControlEnabled } from '../../shared/domain/shells/shell-events';
import {
  SHELL_LAUNCHER_JOINED,
  SHELL_OPERATOR_JOINED,
  SHELL_SESSION_CLOSED,
  SHELL_SESSION_REQUESTED,
  type ShellSessionClosed,
  type ShellSessionRequested,
} from '../../shared/domain/shells/shell-events';
import type { RecordedEvent } from '../../shared/ports/event-store';
import { SHELL_HOSTS, SHELL_SESSIONS, type ShellHostDoc, type ShellSessionDoc } from '../../shared/read-models/read-model-types';
import { recordShellActivity } from './activity-projection';
import type { UnitOfWork } from './unit-of-work';

async function updateSession(uow: UnitOfWork, sessionId: string, change: (doc: ShellSessionDoc) => ShellSessionDoc): Promise<ShellSessionDoc | null> {
  const existing = await uow.get<ShellSessionDoc>(SHELL_SESSIONS, sessionId);
  if (existing === null) return null;
  const updated = change(existing);
  uow.put(SHELL_SESSIONS, sessionId, updated);
  return updated;
}

export async function projectShellEvent(uow: UnitOfWork, event: RecordedEvent): Promise<void> {
  const at = event.metadata.occurredAt;
  switch (event.type) {
    case SHELL_CONTROL_ENABLED: {
      const data = event.data as ShellControlEnabled;
      const doc: ShellHostDoc = { host_id: data.host_id, hostname: data.hostname, display_name: data.display_name, shell_enabled_at: at };
      uow.put(SHELL_HOSTS, String(data.host_id), doc);
      return;
    }
    case SHELL_SESSION_REQUESTED: {
      const data = event.data as ShellSessionRequested;
      const existing = await uow.get<ShellSessionDoc>(SHELL_SESSIONS, data.session_id);
      const doc: ShellSessionDoc = existing ?? {
        session_id: data.session_id,
        host_id: data.host_id,
        hostname: data.hostname,
        operator: data.operator,
        status: 'requested',
        requested_at: at,
        launcher_joined_at: null,
        operator_joined_at: null,
        closed_at: null,
        close_reason: null,
        closed_by: null,
        bytes_to_launcher: 0,
        bytes_from_launcher: 0,
      };
      uow.put(SHELL_SESSIONS, data.session_id, doc);
      recordShellActivity(uow, event, doc, 'opened_remote_shell', {});
      return;
    }
    case SHELL_LAUNCHER_JOINED: {
      const { session_id } = event.data as { session_id: string };
      await updateSession(uow, session_id, (doc) => ({ ...doc, status: doc.status === 'closed' ? 'closed' : 'open', launcher_joined_at: at }));
      return;
    }
    case SHELL_OPERATOR_JOINED: {
      const { session_id } = event.data as { session_id: string };
      await updateSession(uow, session_id, (doc) => ({ ...doc, operator_joined_at: at }));
      return;
    }
    case SHELL_SESSION_CLOSED: {
      const data = event.data as ShellSessionClosed;
      const doc = await updateSession(uow, data.session_id, (existing) => ({
        ...existing,
        status: 'closed',
        closed_at: at,
        close_reason: data.reason,
        closed_by: data.closed_by,
        bytes_to_launcher: data.bytes_to_launcher,
        bytes_from_launcher: data.bytes_from_launcher,
      }));
      if (doc) {
        recordShellActivity(uow, event, doc, 'closed_remote_shell', {
          reason: data.reason,
          closed_by: data.closed_by,
          bytes_to_launcher: data.bytes_to_launcher,
          bytes_from_launcher: data.bytes_from_launcher,
        });
      }
      return;
    }
  }
}
