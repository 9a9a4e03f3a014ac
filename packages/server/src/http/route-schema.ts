import { ErrorBody } from '@keymint/api';

/** Error answers every contract-style endpoint documents. */
export const errorResponses = { '4xx': ErrorBody, '5xx': ErrorBody } as const;
