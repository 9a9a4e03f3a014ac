import type { UpdateWebhookParams, WebhookDeliveryInfo, WebhookInfo, WebhookWithSecretInfo } from '@keymint/sdk';
import { Option, type Command } from 'commander';
import { UsageError } from '../cli-error.js';
import { withClient } from '../context.js';
import { details, relativeTime, show, showSecret, table, type Output } from '../output.js';
import { collect, integer } from '../parse.js';

/** Checked by the server (an unknown type is its 400), so the CLI keeps no second list. */
type Events = WebhookInfo['events'];

const webhookDetails = (output: Output, hook: WebhookInfo) =>
  details(output, [
    ['id', hook.id],
    ['url', hook.url],
    ['events', hook.events.join(' ')],
    ['description', hook.description],
    ['enabled', hook.enabled ? 'yes' : `no${hook.disabledReason ? ` (${hook.disabledReason})` : ''}`],
    ['created', relativeTime(hook.createdAt)],
    ['updated', relativeTime(hook.updatedAt)],
  ]);

const deliveryDetails = (output: Output, delivery: WebhookDeliveryInfo) =>
  details(output, [
    ['id', delivery.id],
    ['type', delivery.type],
    ['status', delivery.status],
    ['attempts', delivery.attempts],
    ['next attempt', relativeTime(delivery.nextAttemptAt)],
  ]);

const deliveryRows = (deliveries: WebhookDeliveryInfo[]) =>
  deliveries.map((d) => [d.id, d.type, d.status, d.attempts, d.lastStatusCode ?? d.lastError, relativeTime(d.nextAttemptAt), relativeTime(d.createdAt)]);

const pageOptions = (command: Command) => command.option('--page <n>', 'page number', integer(1)).option('--page-size <n>', 'items per page', integer(1, 100));

interface UpdateOptions {
  endpoint?: string;
  events?: Events;
  description?: string;
  enable?: boolean;
  disable?: boolean;
}

/** `keymint webhooks …`: endpoints that receive signed lifecycle events, and their deliveries. */
export function registerWebhooks(program: Command): void {
  const webhooks = program.command('webhooks').description('webhook endpoints: create, list, get, update, delete, rotate-secret, test, deliveries, retry');

  webhooks
    .command('create')
    .description('register an endpoint (its signing secret is printed this once)')
    .requiredOption('--endpoint <url>', 'where events are POSTed (https://; --url is the server’s)')
    .requiredOption('--events <types>', 'event types, comma-separated (or *)', collect)
    .option('--description <text>', 'description')
    .option('--secret-only', 'print only the signing secret, for $(…)')
    .action(
      withClient<{ endpoint: string; events: Events; description?: string; secretOnly?: boolean }>(async ({ client, output, options }) => {
        const hook = await client.webhooks.create({ url: options.endpoint, events: options.events, description: options.description });
        showSecret(output, hook, hook.secret, options.secretOnly === true, (h: WebhookWithSecretInfo) => `${webhookDetails(output, h)}\n\n${h.secret}`);
      }),
    );

  pageOptions(webhooks.command('list').description('list endpoints, newest first')).action(
    withClient<{ page?: number; pageSize?: number }>(async ({ client, output, options }) => {
      const page = await client.webhooks.list({ page: options.page, pageSize: options.pageSize });
      const rows = page.data.map((h) => [h.id, h.url, h.events.join(','), h.enabled ? 'yes' : 'no', relativeTime(h.createdAt)]);
      show(
        output,
        page,
        (p) => `${table(output, ['ID', 'URL', 'EVENTS', 'ENABLED', 'CREATED'], rows)}\n\npage ${p.page}, ${p.data.length} of ${p.totalCount} endpoints`,
      );
    }),
  );

  webhooks
    .command('get <id>')
    .description('show one endpoint')
    .action(
      withClient(async ({ client, output }, id) => {
        show(output, await client.webhooks.get(id), (h) => webhookDetails(output, h));
      }),
    );

  webhooks
    .command('update <id>')
    .description('change the given fields of an endpoint')
    .option('--endpoint <url>', 'new endpoint URL (--url is the server’s)')
    .option('--events <types>', 'the event types, replacing all (comma-separated)', collect)
    .option('--description <text>', 'new description')
    .addOption(new Option('--enable', 'deliver again (clears the disabled reason)').conflicts('disable'))
    .addOption(new Option('--disable', 'stop delivering until enabled'))
    .action(
      withClient<UpdateOptions>(async ({ client, output, options }, id) => {
        const params: UpdateWebhookParams = {
          url: options.endpoint,
          events: options.events,
          description: options.description,
          enabled: options.enable ? true : options.disable ? false : undefined,
        };
        if (Object.values(params).every((v) => v === undefined))
          throw new UsageError('webhooks update: nothing to change (see keymint webhooks update --help)');
        show(output, await client.webhooks.update(id, params), (h) => webhookDetails(output, h));
      }),
    );

  webhooks
    .command('delete <id>')
    .description('delete an endpoint and its pending deliveries')
    .action(
      withClient(async ({ client, output }, id) => {
        await client.webhooks.delete(id);
        show(output, { id, deleted: true }, () => `deleted ${id}`);
      }),
    );

  webhooks
    .command('rotate-secret <id>')
    .description('a new signing secret (printed this once); the old one also signs for 24 h')
    .option('--secret-only', 'print only the secret, for $(…)')
    .action(
      withClient<{ secretOnly?: boolean }>(async ({ client, output, options }, id) => {
        const rotated = await client.webhooks.rotateSecret(id);
        showSecret(output, rotated, rotated.secret, options.secretOnly === true, (r) => r.secret);
      }),
    );

  webhooks
    .command('test <id>')
    .description('send a webhook.test event to the endpoint')
    .action(
      withClient(async ({ client, output }, id) => {
        show(output, await client.webhooks.test(id), (d) => deliveryDetails(output, d));
      }),
    );

  pageOptions(
    webhooks
      .command('deliveries <id>')
      .description('the endpoint’s deliveries, newest first')
      .addOption(new Option('--status <status>', 'only deliveries in this state').choices(['pending', 'delivered', 'failed'])),
  ).action(
    withClient<{ status?: WebhookDeliveryInfo['status']; page?: number; pageSize?: number }>(async ({ client, output, options }, id) => {
      const page = await client.webhooks.deliveries(id, { status: options.status, page: options.page, pageSize: options.pageSize });
      const headers = ['ID', 'TYPE', 'STATUS', 'ATTEMPTS', 'LAST RESULT', 'NEXT ATTEMPT', 'CREATED'];
      show(output, page, (p) => `${table(output, headers, deliveryRows(p.data))}\n\npage ${p.page}, ${p.data.length} of ${p.totalCount} deliveries`);
    }),
  );

  webhooks
    .command('retry <id> <message-id>')
    .description('send one delivery again now (same webhook-id)')
    .action(
      withClient(async ({ client, output }, id, messageId) => {
        show(output, await client.webhooks.retryDelivery(id, messageId), (d) => deliveryDetails(output, d));
      }),
    );
}
