import type { ListAuditEventsParams } from '@keymint/sdk';
import type { Command } from 'commander';
import { withClient } from '../context.js';
import { relativeTime, show, table } from '../output.js';
import { integer } from '../parse.js';

interface AuditOptions {
  org?: string;
  key?: string;
  action?: string;
  page?: number;
  pageSize?: number;
}

/** `keymint audit`: the audit trail, newest first. */
export function registerAudit(program: Command): void {
  program
    .command('audit')
    .description('the audit trail, newest first')
    .option('--org <id>', 'only this organization’s events')
    .option('--key <id>', 'only this key’s events')
    .option('--action <action>', 'only this action, e.g. key.revoked')
    .option('--page <n>', 'page number', integer(1))
    .option('--page-size <n>', 'events per page', integer(1, 100))
    .action(
      withClient<AuditOptions>(async ({ client, output, options }) => {
        const page = await client.audit.list({
          organizationId: options.org,
          keyId: options.key,
          action: options.action as ListAuditEventsParams['action'],
          page: options.page,
          pageSize: options.pageSize,
        });
        show(output, page, (p) =>
          table(
            output,
            ['WHEN', 'ACTION', 'ACTOR', 'KEY', 'ORGANIZATION', 'REQUEST'],
            p.data.map((e) => [relativeTime(e.createdAt), e.action, `${e.actor.type}:${e.actor.id}`, e.keyId, e.organizationId, e.requestId]),
          ),
        );
      }),
    );
}
