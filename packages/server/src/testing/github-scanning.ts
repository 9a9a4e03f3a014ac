import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import type { TestApp } from './harness.js';

/** A P-256 key pair standing in for one of GitHub's secret scanning keys, generated locally. */
export interface GithubSigner {
  identifier: string;
  /** The public half as GitHub publishes it (PEM). */
  publicPem: string;
  /** Base64 DER ECDSA P-256 SHA-256 signature of `body`'s bytes, as GitHub sends it. */
  sign(body: string | Buffer): string;
}

export function githubSigner(identifier: string): GithubSigner {
  const { publicKey, privateKey }: { publicKey: KeyObject; privateKey: KeyObject } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return {
    identifier,
    publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    sign: (body) => sign('sha256', Buffer.from(body), { key: privateKey, dsaEncoding: 'der' }).toString('base64'),
  };
}

/** `KEYMINT_GITHUB_PUBLIC_KEYS` for these signers. */
export const githubKeysEnv = (...signers: GithubSigner[]) => JSON.stringify(signers.map((s) => ({ key_identifier: s.identifier, key: s.publicPem })));

/** One secret scanning match, as GitHub sends it. */
export const match = (token: string, url = 'https://github.com/octo/app/blob/main/.env') => ({ token, type: 'keymint_api_key', url, source: 'content' });

/**
 * Posts `body` to `/v1/leaks/github` as GitHub does: the raw text signed by `signer` (the
 * signature and identifier overridable, or left out with null).
 */
export function postGithub(
  t: TestApp,
  body: string,
  signer: GithubSigner,
  override: { identifier?: string | null; signature?: string | null } = {},
): Promise<LightMyRequestResponse> {
  const identifier = override.identifier === undefined ? signer.identifier : override.identifier;
  const signature = override.signature === undefined ? signer.sign(body) : override.signature;
  return t.app.inject({
    method: 'POST',
    url: '/v1/leaks/github',
    payload: body,
    headers: {
      'content-type': 'application/json',
      ...(identifier === null ? {} : { 'github-public-key-identifier': identifier }),
      ...(signature === null ? {} : { 'github-public-key-signature': signature }),
    },
  });
}
