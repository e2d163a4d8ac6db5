import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import { TableClient } from '@azure/data-tables';
import { describe, expect, it } from 'vitest';
import { startAzuriteTable } from '../../local/azurite.js';
import { descendantsOf, survivorsAfter } from '../unit/local/fixtures/process-tree.js';

describe('Azurite Table child process', () => {
  it('serves the Tables SDK through its connection string, and stops listening when closed', async () => {
    const azurite = await startAzuriteTable();
    try {
      expect(azurite.connectionString).toContain(`TableEndpoint=${azurite.tableEndpoint};`);
      const table = TableClient.fromConnectionString(azurite.connectionString, 'bans', {
        allowInsecureConnection: true,
      });
      await table.createTable();
      await table.upsertEntity({ partitionKey: 'chat', rowKey: 'mallory', reason: 'spam' });
      expect(await table.getEntity('chat', 'mallory')).toMatchObject({ reason: 'spam' });
    } finally {
      await azurite.close();
    }
    const { hostname, port } = new URL(azurite.tableEndpoint);
    const refused = await new Promise<boolean>((resolve) => {
      const socket = connect({ host: hostname, port: Number(port) }, () => {
        socket.destroy();
        resolve(false);
      });
      socket.once('error', () => resolve(true));
    });
    expect(refused).toBe(true);
  });

  it('exits when its parent dies abruptly', async () => {
    const script = `import { startAzuriteTable } from ${JSON.stringify(new URL('../../local/azurite.ts', import.meta.url).href)};
      await startAzuriteTable(); console.log('ready');`;
    const parent = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    await new Promise((resolve) => parent.stdout.once('data', resolve));
    const azurite = descendantsOf(parent.pid ?? -1).filter(({ command }) => command.includes('azurite'));
    expect(azurite).toHaveLength(1);
    parent.kill('SIGKILL');
    expect(await survivorsAfter(azurite, 5000)).toEqual([]);
  });
});
