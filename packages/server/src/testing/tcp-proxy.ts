import { once } from 'node:events';
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy on 127.0.0.1 that a test can break: `cut` drops every connection and refuses
 * new ones; `blackhole` accepts and holds connections but forwards nothing (a silent network).
 */
export class TcpProxy {
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  private silent = false;
  port = 0;

  constructor(private readonly targetPort: number) {}

  /** Starts (or restarts, on the same port) forwarding. */
  async listen(): Promise<number> {
    this.silent = false;
    const server = createServer((client) => this.accept(client));
    server.listen(this.port, '127.0.0.1');
    await once(server, 'listening');
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
    return this.port;
  }

  /** Drops every connection and refuses new ones. */
  async cut(): Promise<void> {
    const server = this.server;
    this.server = null;
    this.dropAll();
    if (server) await new Promise((resolve) => server.close(resolve));
  }

  /** Keeps connections open but forwards nothing, in either direction. */
  blackhole(): void {
    this.silent = true;
    for (const socket of this.sockets) {
      socket.unpipe();
      socket.pause();
    }
  }

  private accept(client: Socket): void {
    this.sockets.add(client);
    client.on('close', () => this.sockets.delete(client));
    client.on('error', () => client.destroy());
    if (this.silent) {
      client.pause();
      return;
    }
    const upstream = connect(this.targetPort, '127.0.0.1');
    this.sockets.add(upstream);
    upstream.on('close', () => {
      this.sockets.delete(upstream);
      if (!this.silent) client.destroy();
    });
    upstream.on('error', () => upstream.destroy());
    client.on('close', () => {
      if (!this.silent) upstream.destroy();
    });
    client.pipe(upstream);
    upstream.pipe(client);
  }

  private dropAll(): void {
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
  }
}
