import { once } from 'node:events';
import net from 'node:net';

/**
 * A TCP proxy in front of Redis that loses replies on purpose: when Redis answers `:1` (the
 * apply-batch script's "applied") to an EVAL/EVALSHA and `cutReply()` says so, the proxy
 * closes both connections instead of forwarding the reply. The batch is in Redis; its writer
 * only sees a dropped connection and must retry, and the retry must find the batch already
 * applied. CLIENT KILL hits that window only by chance; this hits it every time.
 *
 * It reads nothing but the first bytes of each request (for the command name) and the reply's
 * exact bytes, so it does not depend on keys or arguments; it relies on one writer per
 * connection with one script call in flight, which is how the ingest writes.
 */
export class ReplyCuttingProxy {
  private readonly sockets = new Set<net.Socket>();
  private readonly server: net.Server;
  private cuts = 0;

  private constructor(targetPort: number, cutReply: () => boolean) {
    this.server = net.createServer((client) => this.relay(client, targetPort, cutReply));
  }

  /** Listens on a free loopback port and forwards to `127.0.0.1:targetPort`. */
  static async start(targetPort: number, cutReply: () => boolean): Promise<ReplyCuttingProxy> {
    const proxy = new ReplyCuttingProxy(targetPort, cutReply);
    proxy.server.listen(0, '127.0.0.1');
    await once(proxy.server, 'listening');
    return proxy;
  }

  get port(): number {
    return (this.server.address() as net.AddressInfo).port;
  }

  /** Replies lost so far (each one to a script call that Redis had applied). */
  get repliesCut(): number {
    return this.cuts;
  }

  url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  private relay(client: net.Socket, targetPort: number, cutReply: () => boolean): void {
    const upstream = net.connect(targetPort, '127.0.0.1');
    this.sockets.add(client).add(upstream);
    let scriptCallPending = false;
    const closeBoth = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('data', (bytes: Buffer) => {
      // A request starts with "*<n>\r\n$<len>\r\n<command>"; later TCP pieces of a long
      // request do not start with "*" followed by the command name.
      if (/^\*\d+\r\n\$\d+\r\neval/i.test(bytes.subarray(0, 32).toString('latin1'))) {
        scriptCallPending = true;
      }
      upstream.write(bytes);
    });
    upstream.on('data', (bytes: Buffer) => {
      if (scriptCallPending && bytes.toString('latin1') === ':1\r\n' && cutReply()) {
        this.cuts++;
        closeBoth();
        return;
      }
      scriptCallPending = false;
      client.write(bytes);
    });
    for (const socket of [client, upstream]) {
      socket.on('error', closeBoth);
      socket.on('close', () => {
        this.sockets.delete(socket);
        closeBoth();
      });
    }
  }

  /** Stops listening and closes every connection. */
  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    const closed = once(this.server, 'close');
    this.server.close();
    await closed;
  }
}
