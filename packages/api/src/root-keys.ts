import { Type, type Static } from '@sinclair/typebox';
import { PERMISSIONS } from './names.js';
import { ListOf, Nullable, Page, PageSize, Timestamp } from './common.js';

export type Permission = (typeof PERMISSIONS)[number];

export const PermissionName = Type.Union([...PERMISSIONS.map((p) => Type.Literal(p)), Type.Literal('*')], { title: 'Permission' });
export type PermissionName = Static<typeof PermissionName>;

export const RootKey = Type.Object(
  {
    id: Type.String({ examples: ['rk_3Kd9s0aQm1Lp2Xc7Vb'] }),
    name: Type.String(),
    start: Type.String(),
    permissions: Type.Array(PermissionName),
    created_at: Timestamp,
    updated_at: Timestamp,
    last_used_at: Nullable(Timestamp),
    rotated_at: Nullable(Timestamp),
    created_by: Nullable(Type.String()),
  },
  { title: 'RootKey', description: 'A management credential, as every read answers it: never the secret.' },
);
export type RootKey = Static<typeof RootKey>;

export const RootKeyWithSecret = Type.Composite([RootKey, Type.Object({ secret: Type.String({ description: 'Shown in this answer only: store it now.' }) })], {
  title: 'RootKeyWithSecret',
  description: 'A root key with its secret: only in the answer that created or rotated it.',
});
export type RootKeyWithSecret = Static<typeof RootKeyWithSecret>;

export const CreateRootKeyBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    permissions: Type.Array(PermissionName, { minItems: 1, maxItems: 16, uniqueItems: true }),
  },
  { additionalProperties: false, examples: [{ name: 'Deploy pipeline', permissions: ['keys:read', 'keys:write'] }] },
);
export type CreateRootKeyBody = Static<typeof CreateRootKeyBody>;

export const ListRootKeysQuery = Type.Object({ page: Type.Optional(Page), page_size: Type.Optional(PageSize) }, { additionalProperties: false });
export type ListRootKeysQuery = Static<typeof ListRootKeysQuery>;

export const RootKeyList = ListOf(RootKey);
export type RootKeyList = Static<typeof RootKeyList>;
