import { createTestPostgresStore, describeWithPostgres } from '../testing/postgres.js';
import { storeContract } from './store.contract.js';

// A fresh schema per test, dropped after it: runs never collide.
await describeWithPostgres('the PostgreSQL store', () => {
  storeContract(createTestPostgresStore, () => createTestPostgresStore({ migrate: false }));
});
