// Free TCP ports on loopback, for tests that must name a port up front (PORT for `npm run dev`, a callback URL
// registered before the bridge starts). The port is free when returned; nothing holds it afterwards.
import { createServer } from 'node:net';

function probe(port: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(undefined));
    server.listen(port, '127.0.0.1', () => {
      const address = server.address();
      const bound = typeof address === 'object' && address !== null ? address.port : undefined;
      server.close(() => resolve(bound));
    });
  });
}

/** An ephemeral port that was free a moment ago. */
export async function freePort(): Promise<number> {
  const port = await probe(0);
  if (port === undefined) throw new Error('no free port on 127.0.0.1');
  return port;
}

/** A port p with p+1 free too (PORT and the sandbox's PORT+1). */
export async function freePortPair(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = await freePort();
    if (port < 65535 && (await probe(port + 1)) === port + 1) return port;
  }
  throw new Error('no two consecutive free ports on 127.0.0.1');
}
