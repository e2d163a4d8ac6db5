import { connect } from 'node:net';
import { TableClient } from '@azure/data-tables';
import { describe, expect, it } from 'vitest';
import { startAzuriteTable } from '../../local/azurite.js';

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
});
