import { listAuditEvents } from '../audit/routes.js';
import { createKey } from '../keys/routes/create-key.js';
import { deleteKey } from '../keys/routes/delete-key.js';
import { getKey } from '../keys/routes/get-key.js';
import { listKeys } from '../keys/routes/list-keys.js';
import { revokeKey } from '../keys/routes/revoke-key.js';
import { rotateKey } from '../keys/routes/rotate-key.js';
import { updateKey } from '../keys/routes/update-key.js';
import { verifyKey } from '../keys/routes/verify-key.js';
import { createRootKey, deleteRootKey, getRootKey, listRootKeys, rotateRootKey } from '../root-keys/routes.js';
import { createSession, deleteSession, revokeSessions } from '../sessions/routes.js';
import type { Route } from './types.js';

/** Every `/v1` endpoint, registered in one place: adding one is a file and a line here. */
export const routes: Route[] = [
  verifyKey,
  createKey,
  listKeys,
  getKey,
  updateKey,
  rotateKey,
  revokeKey,
  deleteKey,
  createRootKey,
  listRootKeys,
  getRootKey,
  rotateRootKey,
  deleteRootKey,
  createSession,
  deleteSession,
  revokeSessions,
  listAuditEvents,
];
