/**
 * The baseline of the check-in benchmark: a bare node:http server that reads and parses the same
 * JSON body as distributed/read and answers a same-size JSON body. Run as its own process; with
 * two arguments (a PEM certificate file and its key file), over node:https with that certificate.
 */
import { readFileSync } from 'node:fs';
import { createServer, type RequestListener } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';

const ANSWER = JSON.stringify({ queries: {}, discovery: {} });

const handler: RequestListener = (req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { node_key?: unknown };
    if (typeof body.node_key !== 'string') {
      res.writeHead(401).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(ANSWER) });
    res.end(ANSWER);
  });
};
const [certFile, keyFile] = process.argv.slice(2);
const server = certFile && keyFile ? createHttpsServer({ cert: readFileSync(certFile), key: readFileSync(keyFile) }, handler) : createServer(handler);
server.keepAliveTimeout = 65_000;
server.listen(0, '127.0.0.1', () => process.stdout.write(`${(server.address() as AddressInfo).port}\n`));
