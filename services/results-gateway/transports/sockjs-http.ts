/**
 * What stands in front of SockJS's HTTP handler (its polling and streaming transports, /info):
 * - a request with a browser Origin that is not allowed (shared/http/origin-policy.ts) is a 403;
 * - no response carries Access-Control-Allow-Credentials (sockjs reflects any Origin with it on
 *   /info, xhr and eventsource): a page elsewhere never gets a credentialed read;
 * - a polling send (xhr_send, jsonp_send) is refused before its body is read when its session
 *   does not exist (404) or its Content-Length is over the limit (413), and cut off (413) as soon
 *   as the bytes that stream in pass the limit. A refused request whose body is still arriving
 *   after a moment has its connection closed, so the rest of that body is never read; one whose
 *   body ended keeps its connection for the client's next request;
 * - the JSONP transports (jsonp, jsonp_send) are not served (404): they exist to be loaded by a
 *   <script> tag from any site, and every client Logbook serves has WebSocket or XHR;
 * - sockjs answers a send whose body is not a JSON array of strings (empty, garbage, binary)
 *   with a 500 although it is the client's mistake: it is a 400 here.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { OriginCheck } from '../../../shared/http/origin-policy';
import { pathOf } from '../../../shared/http/upgrade-router';

const LINGER_MS = 1_000;

type Handler = (req: IncomingMessage, res: ServerResponse) => boolean;

export interface SockJsHttpOptions {
  prefix: string;
  bodyLimitBytes: number;
  originAllowed: OriginCheck;
  /** True when sockjs has a session with this id. */
  sessionExists(sessionId: string): boolean;
}

export function guardSockJsRequests(options: SockJsHttpOptions, sockjs: Handler): Handler {
  const send = new RegExp(`^${escapeRegExp(options.prefix)}/[^/.]+/([^/.]+)/(?:xhr_send|jsonp_send)$`);
  const jsonp = new RegExp(`^${escapeRegExp(options.prefix)}/[^/]+/[^/]+/(?:jsonp|jsonp_send)$`);
  return (req, res) => {
    const path = pathOf(req.url);
    if (path !== options.prefix && !path.startsWith(`${options.prefix}/`)) return false;
    if (!options.originAllowed(req)) return refuse(req, res, 403, 'this origin may not open results sockets');
    withoutCredentialedCors(res);
    if (jsonp.test(path)) return refuse(req, res, 404, 'the JSONP transport is not served');
    const sending = req.method === 'POST' ? send.exec(path) : null;
    if (sending) {
      if (!options.sessionExists(sending[1])) return refuse(req, res, 404, 'no such session');
      const declared = Number(req.headers['content-length'] ?? 0);
      if (declared > options.bodyLimitBytes) return refuse(req, res, 413, 'body too large');
      let received = 0;
      req.on('data', (chunk: Buffer) => {
        received += chunk.length;
        if (received > options.bodyLimitBytes && !res.headersSent) refuse(req, res, 413, 'body too large');
      });
      clientErrorsAs400(res);
    }
    return sockjs(req, res);
  };
}

/** sockjs's 500 for a send it could not decode is the client's 400 (its only 500 on a send). */
function clientErrorsAs400(res: ServerResponse): void {
  const writeHead = res.writeHead.bind(res) as (status: number, ...rest: unknown[]) => ServerResponse;
  res.writeHead = ((status: number, ...rest: unknown[]) => writeHead(status === 500 ? 400 : status, ...rest)) as ServerResponse['writeHead'];
}

function withoutCredentialedCors(res: ServerResponse): void {
  const setHeader = res.setHeader.bind(res);
  res.setHeader = (name, value) => (name.toLowerCase() === 'access-control-allow-credentials' ? res : setHeader(name, value));
}

/**
 * Answers the request. Nothing more of the body is kept: sockjs's listeners are removed and what
 * still arrives is discarded. A body still arriving LINGER_MS after the answer (the client keeps
 * sending what was refused) has its connection destroyed; the wait lets a client that is still
 * sending read the answer instead of a reset. A body that ended leaves the connection open for
 * the client's next request (destroying it then would reset that request instead).
 */
function refuse(req: IncomingMessage, res: ServerResponse, status: number, message: string): true {
  req.removeAllListeners('data');
  req.removeAllListeners('end');
  req.resume();
  let ended = req.complete;
  req.once('end', () => (ended = true));
  res.writeHead(status, { 'content-type': 'text/plain; charset=UTF-8' });
  res.end(message, () => setTimeout(() => ended || req.socket.destroy(), LINGER_MS).unref());
  return true;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
