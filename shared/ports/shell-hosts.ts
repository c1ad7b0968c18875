/**
 * What the shell broker needs to know about enrolled hosts. The all-in-one process answers it
 * from the agent API's in-memory view of the hosts (services/all-in-one/main.ts).
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
