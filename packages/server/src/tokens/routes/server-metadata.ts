import { AuthorizationServerMetadata } from '@keymint/api';
import type { TokenRoute } from '../token-services.js';

/**
 * `GET /.well-known/oauth-authorization-server` (RFC 8414) and
 * `GET /.well-known/openid-configuration`: where clients and gateways find the token endpoint
 * and the JWKS. The OpenID form adds the fields OpenID discovery requires; Keymint issues no ID
 * tokens, and `response_types_supported` holds `token` because the field may not be absent.
 */
export const serverMetadata: TokenRoute = (app, { config, publicUrl }) => {
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
  const schema = { tags: ['oauth'], response: { 200: AuthorizationServerMetadata } };
  const access = { access: 'public' as const };
  app.get('/.well-known/oauth-authorization-server', { config: access, schema: { ...schema, summary: 'OAuth server metadata' } }, async () => base);
  app.get('/.well-known/openid-configuration', { config: access, schema: { ...schema, summary: 'OpenID discovery' } }, async () => ({
    ...base,
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: [config.alg],
  }));
};
