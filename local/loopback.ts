// Starts an HTTP server on loopback only, reachable as `localhost` whichever address that name resolves to.
// `localhost` is 127.0.0.1 on some machines and ::1 first on others (Debian's default /etc/hosts, macOS):
// listening on both, on the same port, keeps a browser or fetch from reaching some other program on ::1.
import { createServer, type IncomingMessage, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface LoopbackServer {
  /** The port both listeners share. */
  readonly port: number;
  /** `http://localhost:<port>` */
  readonly origin: string;
  /** Stops accepting connections, ends idle keep-alive connections and resolves when both listeners are closed. */
  close(): Promise<void>;
}

export interface ListenOptions {
  /** 0 = an ephemeral port. */
  readonly port: number;
  /** Listen on this address only (e.g. `127.0.0.1`); default: 127.0.0.1 and, where the machine has it, ::1. */
  readonly host?: string;
}

/** Errors that mean "this machine has no IPv6 loopback": then 127.0.0.1 alone is right. */
const NO_IPV6 = new Set(['EADDRNOTAVAIL', 'EAFNOSUPPORT', 'EINVAL']);

export async function listenOnLoopback(listener: RequestListener, options: ListenOptions): Promise<LoopbackServer> {
  if (options.host !== undefined) {
    const server = createServer(listener);
    const port = await listen(server, options.port, options.host);
    return wrap(port, [server]);
  }
  // An ephemeral port free on 127.0.0.1 may be taken on ::1: try a few.
  const attempts = options.port === 0 ? 5 : 1;
  for (let attempt = 1; ; attempt++) {
    const v4 = createServer(listener);
    const port = await listen(v4, options.port, '127.0.0.1');
    const v6 = createServer(listener);
    try {
      await listen(v6, port, '::1');
      return wrap(port, [v4, v6]);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? '';
      if (NO_IPV6.has(code)) return wrap(port, [v4]);
      await closeServer(v4);
      if (code === 'EADDRINUSE' && attempt < attempts) continue;
      if (code === 'EADDRINUSE') throw new Error(`Port ${port} is already in use on ::1 (IPv6 localhost): stop the program using it or choose another port.`);
      throw error;
    }
  }
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      if (error.code === 'EADDRINUSE' && host === '127.0.0.1' && port !== 0) {
        reject(Object.assign(new Error(`Port ${port} is already in use on localhost: stop the program using it or choose another port.`), { code: error.code }));
      } else {
        reject(error);
      }
    };
    const onListening = () => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, host);
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    // Browsers and fetch keep connections alive; without this, close() waits for them to time out.
    server.closeIdleConnections();
  });
}

function wrap(port: number, servers: Server[]): LoopbackServer {
  let closing: Promise<void> | undefined;
  return {
    port,
    origin: `http://localhost:${port}`,
    close() {
      closing ??= (async () => {
        const done = Promise.all(servers.map(closeServer));
        // A request still in flight (e.g. a hanging test double) must not hold shutdown forever.
        const timer = setTimeout(() => servers.forEach((s) => s.closeAllConnections()), 1000);
        await done;
        clearTimeout(timer);
      })();
      return closing;
    },
  };
}

/** The whole request body, or undefined when it is larger than `maxBytes` (the caller answers 413/400). */
export async function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}
