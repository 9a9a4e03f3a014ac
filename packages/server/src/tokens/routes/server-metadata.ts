import { AuthorizationServerMetadata } from '@keymint/api';
import { defineEndpoint } from '../../http/endpoint.js';
import type { TokenServices } from '../token-services.js';

/**
 * `GET /.well-known/oauth-authorization-server` (RFC 8414) and
 * `GET /.well-known/openid-configuration`: where clients and gateways find the token endpoint
 * and the JWKS. The OpenID form adds the fields OpenID discovery requires; Keymint issues no ID
 * tokens, and `response_types_supported` holds `token` because the field may not be absent.
 */
export const serverMetadata = ({ config, publicUrl }: TokenServices) => {
  const base = {
    issuer: config.issuer,
    token_endpoint: `${publicUrl}/v1/oauth/token`,
    jwks_uri: `${publicUrl}/.well-known/jwks.json`,
    introspection_endpoint: `${publicUrl}/v1/oauth/introspect`,
    grant_types_supported: ['client_credentials'],
    response_types_supported: ['token'],
    token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
    introspection_endpoint_auth_methods_supported: ['bearer'],
  };
  const openid = { ...base, subject_types_supported: ['public'], id_token_signing_alg_values_supported: [config.alg] };
  const common = { method: 'GET', tags: ['oauth'], access: 'public', errors: 'contract', schema: { response: { 200: AuthorizationServerMetadata } } } as const;
  return [
    defineEndpoint({
      ...common,
      path: '/.well-known/oauth-authorization-server',
      operationId: 'getAuthorizationServerMetadata',
      summary: 'OAuth server metadata',
      description: 'Answers the RFC 8414 metadata: the issuer, the token, JWKS and introspection endpoints, and what they support.',
      handler: () => base,
    }),
    defineEndpoint({
      ...common,
      path: '/.well-known/openid-configuration',
      operationId: 'getOpenIdConfiguration',
      summary: 'OpenID discovery',
      description: 'Answers the same metadata in the form OpenID discovery asks for (Keymint issues no ID tokens).',
      handler: () => openid,
    }),
  ];
};
