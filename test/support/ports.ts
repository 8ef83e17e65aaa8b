import { createServer, type AddressInfo } from 'node:net';

/** A free loopback port, picked by the OS: for servers that must be found again at the same address after a restart. */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolvePort(port));
    });
  });
}
