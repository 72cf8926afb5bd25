import type {
  WebhookDeliveryView,
  WebhookEventType,
  WebhookView,
  WebhookWithSecret,
} from '@keyward/protocol';
import type { Command } from 'commander';
import { CliError } from '../cli-error.js';
import { addPageOptions, type PageOptions, printPage, withServer } from '../http-command.js';
import { type CliIo, type Column, formatText, formatTime, printJson, printRecord } from '../output.js';
import { collect } from '../parse-options.js';

const EVENTS: readonly WebhookEventType[] = [
  'key.created',
  'key.updated',
  'key.rolled',
  'key.revoked',
  'alert.raised',
  'usage.threshold',
];

const columns: Column<WebhookView>[] = [
  { header: 'id', value: (w) => w.id },
  { header: 'url', value: (w) => w.url },
  { header: 'events', value: (w) => formatText(w.events) },
  { header: 'enabled', value: (w) => (w.enabled ? 'yes' : 'no') },
];

const detail: Column<WebhookView>[] = [
  ...columns,
  { header: 'description', value: (w) => formatText(w.description) },
  { header: 'created', value: (w) => formatTime(w.createdAt) },
  { header: 'updated', value: (w) => formatTime(w.updatedAt) },
];

const deliveryColumns: Column<WebhookDeliveryView>[] = [
  { header: 'time', value: (d) => formatTime(d.createdAt) },
  { header: 'event', value: (d) => d.eventType },
  { header: 'attempt', value: (d) => String(d.attempt) },
  { header: 'outcome', value: (d) => d.outcome },
  { header: 'status', value: (d) => formatText(d.responseStatus) },
  { header: 'ms', value: (d) => String(d.durationMs) },
  { header: 'next attempt', value: (d) => formatTime(d.nextAttemptAt) },
  { header: 'error', value: (d) => formatText(d.error) },
  { header: 'message', value: (d) => d.messageId },
];

const parseEvents = (events: readonly string[]): WebhookEventType[] =>
  events.map((event) => {
    const known = EVENTS.find((candidate) => candidate === event);
    if (known === undefined)
      throw new CliError(`--event must be one of ${EVENTS.join(', ')} (got "${event}")`);
    return known;
  });

/** Prints an answer that holds the signing secret: once, with the warning that it is the only time. */
function printWithSecret(io: CliIo, json: boolean, webhook: WebhookWithSecret, what: string): void {
  if (json) {
    printJson(io, webhook);
    return;
  }
  io.out(`${what}. The signing secret is shown ONCE: store it with your receiver now.`);
  io.out('');
  io.out(`  ${webhook.secret}`);
  io.out('');
  const { secret: _secret, ...view } = webhook;
  printRecord(io, view, detail);
}

/** `keyward webhooks list|create|rotate-secret|deliveries|delete`. */
export function registerWebhookCommands(program: Command, io: CliIo): void {
  const webhooks = program
    .command('webhooks')
    .description('webhooks: signed HTTP calls to your receiver when keys change or alerts fire');

  addPageOptions(webhooks.command('list').description('list webhooks')).action(
    (options: PageOptions, command: Command) =>
      withServer(io, command, async ({ client, json }) => {
        printPage(io, json, await client.webhooks.list(options), columns, 'keyward webhooks list');
      }),
  );

  webhooks
    .command('create')
    .description('subscribe a receiver URL to events (the signing secret is printed once)')
    .argument('<url>', 'https:// URL of your receiver')
    .requiredOption('--event <type>', `event to send, repeatable: ${EVENTS.join(', ')}`, collect)
    .option('--description <text>', 'what the receiver is for')
    .option('--disabled', 'create it disabled (nothing is sent until it is enabled)')
    .action(
      (
        url: string,
        options: { event: string[]; description?: string; disabled?: boolean },
        command: Command,
      ) =>
        withServer(io, command, async ({ client, json }) => {
          const webhook = await client.webhooks.create({
            url,
            events: parseEvents(options.event),
            ...(options.description ? { description: options.description } : {}),
            ...(options.disabled ? { enabled: false } : {}),
          });
          printWithSecret(io, json, webhook, `Created ${webhook.id}`);
        }),
    );

  webhooks
    .command('rotate-secret')
    .description('replace the signing secret (the new one is printed once; the old one stops at once)')
    .argument('<id>', 'webhook id (wh_...)')
    .action((id: string, _options: unknown, command: Command) =>
      withServer(io, command, async ({ client, json }) => {
        printWithSecret(io, json, await client.webhooks.rotateSecret(id), `Rotated the secret of ${id}`);
      }),
    );

  addPageOptions(
    webhooks
      .command('deliveries')
      .description('delivery attempts of a webhook, newest first')
      .argument('<id>', 'webhook id (wh_...)'),
  ).action((id: string, options: PageOptions, command: Command) =>
    withServer(io, command, async ({ client, json }) => {
      const page = await client.webhooks.deliveries(id, options);
      printPage(io, json, page, deliveryColumns, `keyward webhooks deliveries ${id}`);
    }),
  );

  webhooks
    .command('delete')
    .description('delete a webhook with its pending messages and delivery log')
    .argument('<id>', 'webhook id (wh_...)')
    .action((id: string, _options: unknown, command: Command) =>
      withServer(io, command, async ({ client, json }) => {
        await client.webhooks.delete(id);
        if (json) printJson(io, { id, deleted: true });
        else io.out(`deleted ${id}`);
      }),
    );
}
