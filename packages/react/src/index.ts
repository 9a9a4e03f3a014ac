/**
 * @keymint/react — Keymint's key management as React components, for an admin console (root key)
 * or an application's own settings page (session token). Styles: `@keymint/react/styles.css`.
 */
export { KeymintProvider, useKeymint, type KeymintProviderProps } from './context.js';
export { probeRootKeyAccess, sessionAccess, type Access, type SessionOrganization } from './access.js';
export { ApiKeys, type ApiKeysProps } from './ApiKeys.js';
export { KeysTable, type KeysTableProps } from './KeysTable.js';
export { CreateKeyDialog, type CreateKeyDialogProps } from './CreateKeyDialog.js';
export { RotateKeyDialog, RevokeKeyDialog, DeleteKeyDialog, KeyActionDialog, type KeyAction } from './KeyActionDialogs.js';
export { KeyActions } from './KeyActions.js';
export { KeyDetails, type KeyDetailsProps } from './KeyDetails.js';
export { KeyAuditHistory } from './KeyAuditHistory.js';
export { SecretReveal } from './SecretReveal.js';
export { Dialog, DialogActions, ConfirmDialog, type DialogActionsProps, type DialogProps, type ConfirmDialogProps } from './Dialog.js';
export { ErrorMessage, describeError } from './errors.js';
export { relativeTime, formatDate } from './format.js';
export { UsageChart, KeyUsageChart, codesOf, rangeStart, type UsageChartProps, type UsageBucketInfo, type ChartGranularity } from './UsageChart.js';
export {
  MeteringFields,
  meteringParams,
  meteringValue,
  emptyMetering,
  type MeteringFieldsProps,
  type MeteringValue,
  type RateLimitRow,
} from './MeteringFields.js';
