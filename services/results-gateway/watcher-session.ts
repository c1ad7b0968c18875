/**
 * Fleet's results socket protocol for one connection, whatever the transport: `auth` with a
 * token, then `select_campaign`. Every problem is answered with an `error` frame and the
 * connection stays usable (a later auth or select can succeed). Selecting another campaign
 * stops following the previous one. Messages are handled one at a time, in arrival order.
 *
 * Who may watch: the access rule canSeeCampaign (shared/domain/users/roles.ts).
 *
 * Bounds (shared/auth/socket-guards.ts): a connection holds one of the process's unauthenticated
 * slots from its start until its first successful auth or its close; none free: an error frame
 * and close 1013. Not authenticated within the deadline: an error frame and close 4408. Once
 * authenticated, the connection is registered under its token, and the end of that session
 * (logout on any instance, expiry) sends an error frame and closes it with 4401.
 */
import type { AuthenticatedSession } from '../../shared/auth/authenticator';
import type { Registration } from '../../shared/auth/live-sockets';
import type { Admission } from '../../shared/auth/pending-sockets';
import { GUARD_CLOSE, type SocketGuards } from '../../shared/auth/socket-guards';
import { canSeeCampaign } from '../../shared/domain/users/roles';
import type { UserDoc } from '../../shared/read-models/read-model-types';
import type { CampaignHub } from './campaign-hub';
import type { CampaignWatcher } from './campaign-watcher';
import { errorFrame } from './gateway-messages';
import type { CampaignLookup } from './campaign-lookup';
import type { WatcherConnection } from './watcher-connection';

/** Who a watcher's token belongs to (the operator API's sessions by default). */
export interface WatcherAuthenticator {
  sessionForToken(token: string): Promise<AuthenticatedSession | null>;
}

export interface WatcherSessionDeps {
  authenticator: WatcherAuthenticator;
  guards: SocketGuards;
  campaigns: CampaignLookup;
  hub: CampaignHub;
  onFailure(error: unknown): void;
}

export class WatcherSession {
  private user: UserDoc | null = null;
  private watcher: CampaignWatcher | null = null;
  private closed = false;
  private queue: Promise<void> = Promise.resolve();
  private readonly admission: Admission | null;
  private registration: Registration | null = null;

  constructor(
    private readonly connection: WatcherConnection,
    private readonly deps: WatcherSessionDeps,
  ) {
    const timeoutMs = deps.guards.pending.timeoutMs;
    this.admission = deps.guards.pending.admit(() => this.end(`auth: not authenticated within ${timeoutMs} ms`, GUARD_CLOSE.authTimeout, 'authentication timeout'));
    if (!this.admission) this.end('too many unauthenticated connections; try again later', GUARD_CLOSE.tryAgainLater, 'try again later');
  }

  /** A text frame of the raw WebSocket or SockJS transport: `{"type": ..., "data": ...}`. */
  receiveText(text: string): void {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return this.fail('invalid message: not JSON');
    }
    if (typeof parsed !== 'object' || parsed === null || typeof (parsed as { type?: unknown }).type !== 'string') {
      return this.fail('invalid message: expected {"type": ..., "data": ...}');
    }
    const { type, data } = parsed as { type: string; data?: unknown };
    this.receive(type, data);
  }

  /** A message by type (Socket.IO events arrive this way). */
  receive(type: string, data: unknown): void {
    this.queue = this.queue
      .then(() => (this.closed ? undefined : this.handle(type, data)))
      .catch((error) => {
        this.deps.onFailure(error);
        this.fail('internal error; try again');
      });
  }

  /** The connection ended: stop following. */
  close(): void {
    this.closed = true;
    this.admission?.end();
    this.registration?.unregister();
    this.registration = null;
    this.watcher?.stop();
    this.watcher = null;
  }

  /** Ends the connection with an error frame and a close code (the session stops at once). */
  private end(message: string, code: number, reason: string): void {
    if (this.closed) return;
    this.connection.send(errorFrame(message));
    this.close();
    this.connection.close(code, reason);
  }

  private async handle(type: string, data: unknown): Promise<void> {
    switch (type) {
      case 'auth':
        return this.authenticate(data);
      case 'select_campaign':
        return this.selectCampaign(data);
      default:
        return this.fail(`unknown message type: ${JSON.stringify(type).slice(0, 100)}`);
    }
  }

  private async authenticate(data: unknown): Promise<void> {
    const token = (data as { token?: unknown } | null)?.token;
    if (typeof token !== 'string' || token === '') return this.fail('auth: data.token must be a non-empty string');
    const session = await this.deps.authenticator.sessionForToken(token);
    if (this.closed) return;
    const registration = session && this.deps.guards.live.register(session, (ended) => this.end(`auth: the session ${ended}; log in again`, GUARD_CLOSE.unauthorized, `session ${ended}`));
    if (!session || !registration) return this.fail('auth: invalid or expired token');
    this.registration?.unregister();
    this.registration = registration;
    this.admission?.end();
    this.user = session.user;
  }

  private async selectCampaign(data: unknown): Promise<void> {
    if (!this.user) return this.fail('select_campaign: authenticate first (send auth with a token)');
    const campaignId = (data as { campaign_id?: unknown } | null)?.campaign_id;
    if (typeof campaignId !== 'number' || !Number.isSafeInteger(campaignId) || campaignId < 1) {
      return this.fail('select_campaign: data.campaign_id must be a positive integer');
    }
    const campaign = await this.deps.campaigns.getCampaign(campaignId);
    if (!campaign) return this.fail(`select_campaign: no campaign with id ${campaignId}`);
    if (!canSeeCampaign(this.user, campaign)) return this.fail(`select_campaign: not allowed to watch campaign ${campaignId}`);
    if (campaign.results_deleted_at) {
      return this.fail(`select_campaign: the results of campaign ${campaignId} were deleted at ${campaign.results_deleted_at}, after the retention period`);
    }
    if (this.closed) return;
    this.watcher?.stop();
    this.watcher = this.deps.hub.watch(this.connection, campaign);
  }

  private fail(message: string): void {
    if (!this.closed) this.connection.send(errorFrame(message));
  }
}
