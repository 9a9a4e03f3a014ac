import { once } from 'node:events';
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy on 127.0.0.1 that a test can break: `cut` drops every connection and refuses
 * new ones; `blackhole` keeps connections open (and accepts new ones) but silently drops every
 * byte both ways (a silent network: no reset, no FIN); `restore` forwards new connections again,
 * while those that went silent stay silent (their bytes are lost: a client must give them up).
 */
export class TcpProxy {
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  /** Sockets whose bytes are being dropped; they never forward again. */
  private readonly silenced = new WeakSet<Socket>();
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

  /** Keeps connections open but drops every byte, in either direction. */
  blackhole(): void {
    this.silent = true;
    for (const socket of this.sockets) this.silence(socket);
  }

  /** Ends the blackhole for new connections. */
  restore(): void {
    this.silent = false;
  }

  private silence(socket: Socket): void {
    this.silenced.add(socket);
    socket.unpipe();
    socket.on('data', () => {});
    socket.resume();
  }

  private accept(client: Socket): void {
    this.sockets.add(client);
    client.on('close', () => this.sockets.delete(client));
    client.on('error', () => client.destroy());
    if (this.silent) {
      this.silence(client);
      return;
    }
    const upstream = connect(this.targetPort, '127.0.0.1');
    this.sockets.add(upstream);
    upstream.on('close', () => {
      this.sockets.delete(upstream);
      if (!this.silenced.has(client)) client.destroy();
    });
    upstream.on('error', () => upstream.destroy());
    client.on('close', () => {
      if (!this.silenced.has(upstream)) upstream.destroy();
    });
    client.pipe(upstream);
    upstream.pipe(client);
  }

  private dropAll(): void {
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
  }
}
