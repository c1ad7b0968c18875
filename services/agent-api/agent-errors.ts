/** Errors answered to osquery hosts, in the shape Fleet uses: `{"error", "node_invalid"}`. */
export class AgentRequestError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly nodeInvalid = false,
  ) {
    super(message);
    this.name = 'AgentRequestError';
  }
}

export const invalidNodeKey = () => new AgentRequestError(401, 'invalid node key', true);
export const badRequest = (message: string) => new AgentRequestError(400, message);
