// A TCP port on 127.0.0.1 nothing listens on right now: one helper for tests, bench/ and scripts/demo.mjs
// (plain JavaScript so the .mjs scripts can import it too; types in free-port.d.mts).
import { createServer } from 'node:net';

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}
