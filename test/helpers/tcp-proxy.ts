import { createConnection, createServer, type Socket } from 'node:net';
import type { Test } from 'tap';

export interface TcpProxy {
  port: number;
  /**
   * The link goes down as a restarting server's does: every open connection is reset, and every
   * new one is reset as soon as it is accepted, until `restore`.
   */
  cut(): void;
  restore(): void;
  /**
   * The connections open now go silent, as a firewall that forgot them makes them: nothing they
   * send arrives, and nothing tells them so. New connections pass.
   */
  freeze(): void;
}

/**
 * A TCP proxy on 127.0.0.1 to `target`, to take one client's database away and give it back
 * without touching the database itself (which other tests share). Closed when the test ends.
 */
export async function tcpProxy(t: Test, target: { host: string; port: number }): Promise<TcpProxy> {
  const open = new Set<Socket>();
  let down = false;
  const server = createServer((client) => {
    if (down) return void client.resetAndDestroy();
    const upstream = createConnection(target);
    for (const [a, b] of [
      [client, upstream],
      [upstream, client],
    ] as const) {
      open.add(a);
      a.on('error', () => b.destroy());
      a.on('close', () => {
        open.delete(a);
        b.destroy();
      });
      a.pipe(b);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(
    () =>
      new Promise<void>((resolve) => {
        for (const socket of open) socket.destroy();
        server.close(() => resolve());
      }),
  );
  return {
    port: (server.address() as { port: number }).port,
    cut() {
      down = true;
      for (const socket of open) socket.resetAndDestroy();
    },
    restore() {
      down = false;
    },
    freeze() {
      for (const socket of open) {
        socket.unpipe();
        socket.on('data', () => undefined).resume();
      }
    },
  };
}
