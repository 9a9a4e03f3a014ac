import { Type, type Static } from '@sinclair/typebox';

/** Most tokens one GitHub secret scanning request may carry (GitHub sends batches). */
export const GITHUB_LEAK_BATCH_MAX = 1000;
/** Most secrets one public report may carry. */
export const LEAK_REPORT_MAX = 100;

/** Where a leak was found, as the reporter says; stored on the key as `leak_source_url`. */
const SourceUrl = Type.String({ maxLength: 2048, description: 'Where the secret was found.' });
/** A reported secret: bounded, whatever it holds (only well-formed Keymint secrets are looked up). */
const ReportedToken = Type.String({ maxLength: 512 });

/** One token match of GitHub's secret scanning partner program. Further fields GitHub may add are accepted. */
export const GithubLeakMatch = Type.Object({
  token: ReportedToken,
  type: Type.String({ maxLength: 200 }),
  url: Type.Optional(Type.String({ maxLength: 2048 })),
  source: Type.Optional(Type.String({ maxLength: 200 })),
});
export type GithubLeakMatch = Static<typeof GithubLeakMatch>;

export const GithubLeakBody = Type.Array(GithubLeakMatch, {
  maxItems: GITHUB_LEAK_BATCH_MAX,
  title: 'GithubLeakBody',
  examples: [
    [
      {
        token: 'km_7fQ2x9LkR4vN8pW1sT6yB3mC5dH0jG2aE7uI9oZqXw1Yv00Fp3k',
        type: 'keymint_api_key',
        url: 'https://github.com/octo/app/blob/main/.env',
        source: 'content',
      },
    ],
  ],
});
export type GithubLeakBody = Static<typeof GithubLeakBody>;

/** GitHub's label for a token: `true_positive` when it is a secret this server issued. */
export const GithubLeakLabel = Type.Object({
  token_hash: Type.String({ description: 'Hex SHA-256 of the token.' }),
  token_type: Type.String(),
  label: Type.Union([Type.Literal('true_positive'), Type.Literal('false_positive')]),
});
export type GithubLeakLabel = Static<typeof GithubLeakLabel>;

export const GithubLeakAnswer = Type.Array(GithubLeakLabel, { title: 'GithubLeakAnswer' });
export type GithubLeakAnswer = Static<typeof GithubLeakAnswer>;

export const LeakReportBody = Type.Object(
  {
    keys: Type.Array(ReportedToken, { minItems: 1, maxItems: LEAK_REPORT_MAX }),
    source_url: Type.Optional(SourceUrl),
  },
  {
    additionalProperties: false,
    title: 'LeakReportBody',
    examples: [{ keys: ['km_7fQ2x9LkR4vN8pW1sT6yB3mC5dH0jG2aE7uI9oZqXw1Yv00Fp3k'], source_url: 'https://pastebin.com/abc' }],
  },
);
export type LeakReportBody = Static<typeof LeakReportBody>;

/** The same answer whatever was found: a report reveals nothing about which keys exist. */
export const LeakReceipt = Type.Object({ received: Type.Integer({ description: 'How many secrets the report carried.' }) }, { title: 'LeakReceipt' });
export type LeakReceipt = Static<typeof LeakReceipt>;

export const LeakPattern = Type.Object(
  {
    regex: Type.String({ description: "A regular expression matching this server's secrets, for scanners." }),
    prefixes: Type.Array(Type.String(), { description: 'The key prefixes the expression covers.' }),
  },
  { title: 'LeakPattern' },
);
export type LeakPattern = Static<typeof LeakPattern>;
