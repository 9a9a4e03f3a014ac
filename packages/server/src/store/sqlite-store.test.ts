import { describe } from 'vitest';
import { createSqliteStore } from './sqlite-store.js';
import { storeContract } from './store.contract.js';

describe('the SQLite store', () => {
  storeContract(
    async () => {
      const store = createSqliteStore(':memory:');
      await store.migrate();
      return store;
    },
    async () => createSqliteStore(':memory:'),
  );
});
