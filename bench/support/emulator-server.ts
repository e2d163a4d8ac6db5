/** Child-process entry: the Web PubSub emulator alone on 127.0.0.1 port 0, for `bench/fan-out.bench.ts`. */
import { startEmulator } from '../../emulator/server.js';
import { reportReady } from './child-process.js';

const emulator = await startEmulator({ log: () => {} });
reportReady({ connectionString: emulator.connectionString }, () => emulator.close());
