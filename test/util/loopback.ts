import type * as http from 'http';
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
