/**
 * What the shell broker needs to know about enrolled hosts. The hosts read model (written by the
 * agent API's enrollment) answers it in production; until that lands, the all-in-one process wires
 * the in-memory stand-in (shared/adapters/shell-hosts/in-memory-shell-hosts.ts).
 */
export interface ShellHost {
  id: number;
  hostname: string;
  display_name: string;
}

export interface ShellHosts {
  /** The host holding this node key, or null when the key is unknown. */
  hostForNodeKey(nodeKey: string): Promise<ShellHost | null>;
  hostById(id: number): Promise<ShellHost | null>;
}
