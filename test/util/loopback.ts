import * as http from 'http';
import type { AddressInfo } from 'net';

/** Starts `server` on a free port of 127.0.0.1 and resolves to its base URL (`http://127.0.0.1:<port>`). */
export async function listenOnLoopback(server: http.Server, backlog?: number): Promise<string> {
  await new Promise<void>((resolve) => server.listen({ port: 0, host: '127.0.0.1', backlog }, resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** Closes `server` and every connection it holds (keep-alive sockets included), if it was started. */
export async function closeLoopback(server: http.Server | undefined): Promise<void> {
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
}

/** An HTTP server that hands each request to `onRequest` with its whole body as UTF-8 text. */
export function bodyServer(onRequest: (req: http.IncomingMessage, body: string, res: http.ServerResponse) => void): http.Server {
  return http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => onRequest(req, Buffer.concat(chunks).toString('utf-8'), res));
  });
}
