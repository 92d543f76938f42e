// The demo's embedded MQTT broker (aedes, MQTT 3.1.1). Only for the demo: tests use Mosquitto.
import { createServer, type Server } from 'node:net';
import { Aedes } from 'aedes';

export interface DemoBroker {
  url: string;
  port: number;
  close(): Promise<void>;
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      const addr = server.address();
      resolve(typeof addr === 'object' && addr ? addr.port : port);
    });
  });
}

/** Listens on 127.0.0.1:1883 when free, else on any free port. */
export async function startDemoBroker(preferredPort = 1883): Promise<DemoBroker> {
  const broker = await Aedes.createBroker();
  let server = createServer(broker.handle);
  let port: number;
  try {
    port = await listen(server, preferredPort);
  } catch {
    server = createServer(broker.handle);
    port = await listen(server, 0);
  }
  return {
    url: `mqtt://127.0.0.1:${port}`,
    port,
    close: () =>
      new Promise((resolve) => {
        broker.close(() => server.close(() => resolve()));
      }),
  };
}
