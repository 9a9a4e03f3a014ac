import { ErrorBody } from '@keymint/api';

/** Error answers every route documents. */
export const errorResponses = { '4xx': ErrorBody, '5xx': ErrorBody } as const;

/** OpenAPI security requirement of bearer-authenticated routes. */
export const bearerAuth = [{ bearer: [] }];
