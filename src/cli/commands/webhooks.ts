import type { Command } from 'commander';
import { CliError, ExitCode } from '../exit-codes';
import type { CliIO } from '../io';
import type { Action } from '../program';

// `temporal-airbyte webhooks`: a standalone receiver of Airbyte's notification webhooks, signalling the owner
// workflows on the Temporal server of the global options. The webhooks module loads only when it runs.

const HELP = `
Tokens come from the environment (never from arguments, which other users can see):
  TEMPORAL_AIRBYTE_WEBHOOK_TOKEN          the default instance's, 24 characters at least
  TEMPORAL_AIRBYTE_WEBHOOK_TOKEN_<NAME>   instance <NAME>'s, <NAME> as in AIRBYTE_<NAME>_*
Airbyte posts to <public URL>/airbyte/webhooks/<instance>/<token>: set it as the workspace's success and
failure webhook (--configure-workspace does, through Airbyte's public API), behind HTTPS when Airbyte is
elsewhere. Each webhook is a hint: the job's owner workflow confirms it with GET /jobs/{id}. Syncs keep a slow
safety poll, for webhooks that are lost and for cancellations and resets, which send none.
Stops on SIGINT or SIGTERM, printing its counters.`;

interface WebhooksOptions {
  port: string;
  host: string;
  publicUrl?: string;
  configureWorkspace?: string[];
  instance: string;
}

export function registerWebhookCommands(program: Command, action: Action): void {
  program
    .command('webhooks')
    .description("receive Airbyte's notification webhooks and wake the job owners (the end of a job is known at once)")
    .option('--port <n>', 'port to listen on', '8088')
    .option('--host <ip>', 'interface to listen on', '127.0.0.1')
    .option('--public-url <url>', 'where Airbyte reaches this receiver, e.g. https://hooks.example.com (for --configure-workspace)')
    .option('--configure-workspace <id...>', "first point these workspaces' success and failure webhooks here (AIRBYTE_* credentials)")
    .option('--instance <name>', 'the Airbyte instance of --configure-workspace', 'default')
    .addHelpText('after', HELP)
    .action(
      action(async (ctx, opts: WebhooksOptions) => {
        const webhooks = await import('../../webhooks');
        const port = Number(opts.port);
        if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new CliError('--port must be an integer from 0 to 65535', ExitCode.BadInput);
        const instances = webhooks.webhookTokensFromEnv(process.env);
        if (Object.keys(instances).length === 0) {
          throw new CliError(`no webhook token: set ${webhooks.WEBHOOK_TOKEN_VARIABLE} (or ${webhooks.WEBHOOK_TOKEN_VARIABLE}_<NAME>), e.g. to ${webhooks.newWebhookToken()}`, ExitCode.BadInput);
        }
        const workspaces = opts.configureWorkspace ?? [];
        if (workspaces.length > 0) {
          const token = instances[opts.instance]?.token;
          if (!opts.publicUrl) throw new CliError('--configure-workspace needs --public-url', ExitCode.BadInput);
          if (!token) throw new CliError(`no webhook token for instance '${opts.instance}'`, ExitCode.BadInput);
          let url: string;
          try {
            url = webhooks.webhookUrl(opts.publicUrl, opts.instance, token);
          } catch (err) {
            throw new CliError(`--public-url: ${(err as Error).message}`, ExitCode.BadInput);
          }
          const airbyte = ctx.airbyte(opts.instance);
          for (const workspaceId of workspaces) {
            await webhooks.configureWebhookNotifications(airbyte, workspaceId, { successUrl: url, failureUrl: url });
            ctx.output.note(`workspace ${workspaceId}: success and failure webhooks point at ${opts.publicUrl} (instance ${opts.instance})`);
          }
        }
        const { client } = await ctx.connect();
        let receiver;
        try {
          receiver = await webhooks.startWebhookReceiver({ client, instances, host: opts.host, port, logger: lineLogger(ctx.io) });
        } catch (err) {
          // Bad tokens (their messages name the instance only) and ports in use.
          throw new CliError((err as Error).message, ExitCode.BadInput);
        }
        ctx.output.note(`receiving Airbyte webhooks on ${receiver.url}/airbyte/webhooks/<instance>/<token> for ${Object.keys(instances).join(', ')}`);
        await new Promise<void>((resolve) => process.once('SIGINT', resolve).once('SIGTERM', resolve));
        await receiver.close();
        ctx.output.result(receiver.stats(), () => `stopped: ${JSON.stringify(receiver.stats())}`);
        return ExitCode.Succeeded;
      }),
    );
}

/** One line per entry on stderr; debug lines are left out. */
function lineLogger(io: CliIO) {
  const line = (level: string) => (message: string, meta?: Record<string, unknown>) =>
    io.stderr(`${new Date().toISOString()} ${level} ${message}${meta && Object.keys(meta).length > 0 ? ` ${JSON.stringify(meta)}` : ''}\n`);
  return { debug: () => undefined, info: line('INFO'), warn: line('WARN'), error: line('ERROR') };
}
