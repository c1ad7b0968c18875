/**
 * STAND-IN until the hosts read model lands: hosts enrolled in this process's memory, node keys
 * kept as their SHA-256. Enrolling the same host identifier again gives it a new node key and
 * keeps its id, as osquery re-enrollment does.
 */
import { newToken, tokenHash } from '../../auth/tokens';
import type { ShellHost, ShellHosts } from '../../ports/shell-hosts';

export class InMemoryShellHosts implements ShellHosts {
  private readonly byId = new Map<number, ShellHost>();
  private readonly idByIdentifier = new Map<string, number>();
  private readonly idByNodeKeyHash = new Map<string, number>();

  /** Enrolls (or re-enrolls) a host and returns its new node key. */
  enroll(hostIdentifier: string, hostname: string): { host: ShellHost; nodeKey: string } {
    const id = this.idByIdentifier.get(hostIdentifier) ?? this.byId.size + 1;
    const host: ShellHost = { id, hostname, display_name: hostname };
    for (const [hash, hostId] of this.idByNodeKeyHash) if (hostId === id) this.idByNodeKeyHash.delete(hash);
    const nodeKey = newToken();
    this.byId.set(id, host);
    this.idByIdentifier.set(hostIdentifier, id);
    this.idByNodeKeyHash.set(tokenHash(nodeKey), id);
    return { host, nodeKey };
  }

  async hostForNodeKey(nodeKey: string): Promise<ShellHost | null> {
    const id = this.idByNodeKeyHash.get(tokenHash(nodeKey));
    return id === undefined ? null : (this.byId.get(id) ?? null);
  }

  async hostById(id: number): Promise<ShellHost | null> {
    return this.byId.get(id) ?? null;
  }
}
