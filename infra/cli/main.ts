/**
 * `npm run cli -- <command>`: the operator's view of the integration's state (runs, cursors, budget,
 * set-aside items) and the fixes for what it set aside, without opening DynamoDB. Works on the embedded
 * state under DATA_DIR (beside or without a running `npm start`) and on a deployed stack's table (--aws).
 */
import { parseArgs } from 'node:util';
import { BaseLinkerError } from '../../shared/baselinker/errors';
import { ConfigError, type Env, type TenantConfig } from '../../shared/config';
import { OngoingError } from '../../shared/ongoing/errors';
import { loadLocalTenants } from '../local/tenants';
import { StateStore } from '../../shared/state';
import { DataDirInUseError } from '../emulators';
import { keepLogsOffStdout } from '../../shared/log/logger';
import { discoverCommand, discoveryTargets, dismissCommand, exceptionsCommand, orderCommand, parseExceptionId, retryCommand, sendCommand, statusCommand, type CommandContext } from './commands';
import { CliError } from './errors';
import type { IdKind } from './order';
import { chooseMode, injectedState, openCliState, type CliState, type CliStateInput, type StateMode } from './state';
import type { WebhookKeys } from '../../shared/tenants';
import { TENANTS_USAGE, tenantsCommand } from './tenants';

export interface CliIo {
  out?: (text: string) => void;
  err?: (text: string) => void;
  /** Environment for configuration and the choice of state (default process.env). */
  env?: Env;
  /** Tenants instead of loading them from the environment (tests). */
  tenants?: TenantConfig[];
  /** A table to use instead of opening one (tests: a fresh emulator table). */
  state?: CliStateInput;
  /** The webhook keys at the edge instead of API Gateway's (tests of tenants --aws). */
  webhookKeys?: WebhookKeys;
  now?: () => number;
}

const STATE_HELP = `Where the state is:
  (default)    the embedded state under DATA_DIR (default .data), as npm start and npm run sync use it; when
               npm start is running on that folder, the CLI uses its stores (the folder allows one owner).
               TABLE_NAME, if set, names the embedded table.
  --aws        the DynamoDB table of the deployed stack, named by TABLE_NAME (a stack output), reached
               through the default AWS credentials chain (AWS_PROFILE, SSO, AWS_ACCESS_KEY_ID..., a role)
               and AWS_REGION. No emulator is started. Chosen without the flag when TABLE_NAME is set and
               AWS_ENDPOINT_URL_DYNAMODB is not. Tenants then come from TENANTS_FILE, or TENANTS (secrets
               read from Secrets Manager by secretName, so the credentials need secretsmanager:GetSecretValue),
               or the single-tenant env vars.
  --local      the embedded state even when TABLE_NAME is set.`;

const COMMON_OPTIONS = `  --tenant ID  act on this tenant only (needed by retry and dismiss when several are configured)
  --aws | --local  where the state is (see npm run cli -- --help)
  --help       this text`;

const USAGE = `usage: npm run cli -- <command> [options]

Commands:
  discover             what the settings need, read from the BaseLinker and Ongoing accounts (inventories,
                       order statuses, writable warehouses, couriers; goods owner, Ongoing statuses), and a
                       check of the values configured; works before the configuration is complete
  status               last run of each flow, cursors, BaseLinker budget and token block, open
                       set-aside items per kind, shipments waiting for tracking
  order <id>           one order's story across both systems, by BaseLinker order id, Ongoing order id or
                       order number
  exceptions           the items the integration set aside, with reason and ids
  retry <id|all>       put set-aside items back into the next cycle
  dismiss <id> --note  dismiss a set-aside item, with a note why
  send <order id>      ship one Ongoing order now (the shipment flow, without the webhook);
                       --dry-run shows the package it would book and books nothing
  tenants <verb>       the tenant registry: put, list, show, disable, enable, remove, import

Options for every command:
  --json       machine-readable output: one JSON document, the only thing on stdout (messages and logs go to
               stderr). Pipe it with npm run -s (npm prints its own header on stdout otherwise):
               npm run -s cli -- status --json | jq .
${COMMON_OPTIONS}

${STATE_HELP}

Tenants come from the same configuration as npm run sync: TENANTS_FILE, TENANTS or the single-tenant env vars,
and with none of them set, the tenant registry in the state (npm run cli -- tenants --help).
Exit codes: 0 done; 1 the work could not be done (send refused or failed, a discover check failed, BaseLinker
or Ongoing not reachable, anything unexpected); 2 usage, configuration, unknown id or tenant, or the state
not reachable.
Run npm run cli -- <command> --help for a command's options.`;

interface CommandSpec {
  usage: string;
  options: string[];
  positionals: [min: number, max: number];
}

const COMMANDS: Record<string, CommandSpec> = {
  status: {
    usage: `usage: npm run cli -- status [--tenant ID] [--json] [--aws|--local]
Per tenant: the last run of each flow (when, how long, outcome, items seen, written and set aside, requests
to BaseLinker/Ongoing; a run still recorded as running without a live lease shows as interrupted), the
cursors and checkpoints, the BaseLinker request budget (burst tokens left and used) and any token block with
its end, the open set-aside items per kind, and the shipments waiting for a tracking number.
  --json       everything as one JSON document
${COMMON_OPTIONS}`,
    options: ['json', 'tenant', 'aws', 'local'],
    positionals: [0, 0],
  },
  exceptions: {
    usage: `usage: npm run cli -- exceptions [--kind KIND] [--all] [--tenant ID] [--json] [--aws|--local]
The items set aside for a person, newest first: id (<kind>#<source id>, what retry and dismiss take), state
(open, retry = waits for the next cycle, dismissed), how many times it was set aside, first and last seen,
the ids on both sides (BaseLinker order/product, Ongoing order/article, when known) and the reason.
  --kind KIND  only this kind (article, order, shipment, stock, ...)
  --all        include dismissed items
  --json       a JSON array of the items (with the raw payload that caused them)
${COMMON_OPTIONS}`,
    options: ['json', 'tenant', 'aws', 'local', 'kind', 'all'],
    positionals: [0, 0],
  },
  retry: {
    usage: `usage: npm run cli -- retry <id|all> [--kind KIND] [--tenant ID] [--json] [--aws|--local]
Puts a set-aside item (id as exceptions shows it, e.g. order#12345) or every open one ("all") back into the
next cycle of its flow, and says how many.
  --kind KIND  with "all": only open items of this kind
${COMMON_OPTIONS}`,
    options: ['json', 'tenant', 'aws', 'local', 'kind'],
    positionals: [1, 1],
  },
  dismiss: {
    usage: `usage: npm run cli -- dismiss <id> --note "why" [--tenant ID] [--json] [--aws|--local]
Dismisses a set-aside item (id as exceptions shows it): it leaves the default listing and is not retried;
if the flow meets it again it stays dismissed and only its count grows.
  --note TEXT  required: why it may be ignored (kept with the item)
${COMMON_OPTIONS}`,
    options: ['json', 'tenant', 'aws', 'local', 'note'],
    positionals: [1, 1],
  },
};

COMMANDS.send = {
  usage: `usage: npm run cli -- send <Ongoing order id> [--dry-run] [--tenant ID] [--json] [--aws|--local]
Runs the shipment flow for one Ongoing order, as the "Send" webhook would: one BaseLinker package (an existing
one of the same courier is reused), the label to the labels store and to the Ongoing order, the tracking number
onto the order. Safe to repeat: it never books a second package. Needs the labels bucket (LABELS_BUCKET, a
stack output, with --aws).
  --dry-run    only read: show the package it would book (courier, account, form fields with COD, parcels), or
               the package it would reuse, or why it would refuse; books nothing, writes nothing
${COMMON_OPTIONS}`,
  options: ['json', 'tenant', 'aws', 'local', 'dry-run'],
  positionals: [1, 1],
};

COMMANDS.discover = {
  usage: `usage: npm run cli -- discover [--tenant ID] [--json] [--aws|--local]
Reads the tenant's BaseLinker and Ongoing accounts with its credentials and lists what the settings need, each
value with the setting it belongs to: BaseLinker inventories, order statuses, the writable (bl_) warehouses of
the inventory, couriers with their accounts and form fields; the Ongoing goods owner (reachable or not) and
order statuses, and the goods owner's transporter codes. Then it checks the configured values (a status id that
does not exist, a warehouse that is not writable, a courier without an account...). Only reads.
Works with a partial configuration of the single-tenant env vars: BASELINKER_TOKEN is enough for the
BaseLinker part; ONGOING_URL, ONGOING_USER, ONGOING_PASSWORD (and ONGOING_GOODS_OWNER_ID) for the Ongoing part.
Exit code 1 when a check fails or a system cannot be read.
${COMMON_OPTIONS}`,
  options: ['json', 'tenant', 'aws', 'local'],
  positionals: [0, 0],
};

COMMANDS.order = {
  usage: `usage: npm run cli -- order <id> [--by bl|ongoing|number] [--tenant ID] [--json] [--aws|--local]
One order's story across both systems: when the integration saw it, created or updated it in Ongoing, cancelled
it, each Send (one line each: when, webhook or send, outcome, package id, label file, tracking), every time it
was set aside and why, with the ids on both sides; then what BaseLinker and Ongoing say about it now. The id may be the
BaseLinker order id, the Ongoing order id or the Ongoing order number.
  --by KIND    which kind of id it is, when one number names two orders: bl, ongoing or number
${COMMON_OPTIONS}`,
  options: ['json', 'tenant', 'aws', 'local', 'by'],
  positionals: [1, 1],
};

COMMANDS.tenants = {
  usage: TENANTS_USAGE,
  options: ['json', 'aws', 'local', 'cdk'],
  positionals: [0, 2],
};

const OPTION_DEFS = {
  json: { type: 'boolean' },
  cdk: { type: 'boolean' },
  all: { type: 'boolean' },
  aws: { type: 'boolean' },
  local: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  'dry-run': { type: 'boolean' },
  tenant: { type: 'string' },
  kind: { type: 'string' },
  note: { type: 'string' },
  by: { type: 'string' },
} as const;

type Values = { [K in keyof typeof OPTION_DEFS]?: (typeof OPTION_DEFS)[K]['type'] extends 'boolean' ? boolean : string };

function parse(argv: string[]): { values: Values; positionals: string[] } {
  try {
    const { values, positionals } = parseArgs({ args: argv, options: OPTION_DEFS, allowPositionals: true, strict: true });
    return { values: values as Values, positionals };
  } catch (err) {
    // parseArgs' messages are already user-facing ("Unknown option '--x'"); keep only the first sentence.
    const text = (err instanceof Error ? err.message : String(err)).replace(/^\w*Error \[[A-Z_]+\]: /, '');
    const message = text.split('. ')[0].replace(/\.$/, '');
    throw new CliError(message, '');
  }
}

function selectTenants(all: TenantConfig[], wanted: string | undefined, needOne: boolean): TenantConfig[] {
  if (wanted !== undefined) {
    const found = all.find((t) => t.id === wanted);
    if (!found) throw new CliError(`unknown tenant "${wanted}"; configured: ${all.map((t) => t.id).join(', ')}`);
    return [found];
  }
  if (needOne && all.length > 1) {
    throw new CliError(`several tenants are configured (${all.map((t) => t.id).join(', ')}): pick one with --tenant ID`);
  }
  return all;
}

/** AWS SDK failures an operator can fix, as one line; undefined for anything else. */
function awsProblem(err: unknown, state: CliState | undefined): string | undefined {
  const name = (err as { name?: string })?.name ?? '';
  if (name === 'ResourceNotFoundException') {
    return `the state table ${state?.tableName ?? ''} does not exist in ${state?.description ?? 'this account'} (check TABLE_NAME and AWS_REGION)`;
  }
  if (name === 'CredentialsProviderError') return 'no AWS credentials found (set AWS_PROFILE, or log in with aws sso login, or export keys)';
  if (name === 'UnrecognizedClientException' || name === 'InvalidSignatureException' || name === 'ExpiredTokenException') {
    return `AWS refused the credentials (${name})`;
  }
  if (name === 'AccessDeniedException') return `AWS denied access to the state table (${name}); the credentials need read/write on it`;
  if (/region is missing/i.test((err as Error)?.message ?? '')) return 'no AWS region: set AWS_REGION';
  const code = (err as { code?: string })?.code ?? '';
  if (['ENOTFOUND', 'ECONNREFUSED', 'ETIMEDOUT', 'EAI_AGAIN', 'ECONNRESET'].includes(code)) {
    return `cannot reach DynamoDB for ${state?.description ?? 'the state'} (${code})`;
  }
  return undefined;
}

export async function main(argv: string[], io: CliIo = {}): Promise<number> {
  const out = io.out ?? ((text: string) => console.log(text));
  const err = io.err ?? ((text: string) => console.error(text));
  const env = io.env ?? process.env;
  const now = io.now ?? Date.now;

  let state: CliState | undefined;
  try {
    const { values, positionals } = parse(argv);
    const [name, ...args] = positionals;
    if (!name || name === 'help') {
      const topic = name === 'help' ? args[0] : undefined;
      if (topic && COMMANDS[topic]) out(COMMANDS[topic].usage);
      else if (values.help || name === 'help') out(USAGE);
      else {
        err(USAGE);
        return 2;
      }
      return 0;
    }
    const spec = COMMANDS[name];
    if (!spec) throw new CliError(`unknown command "${name}"`, '');
    if (values.help) {
      out(spec.usage);
      return 0;
    }
    const misplaced = Object.keys(values).filter((option) => !spec.options.includes(option));
    if (misplaced.length) throw new CliError(`${name} does not take ${misplaced.map((o) => `--${o}`).join(', ')}`, name);
    const needs: Record<string, string> = { retry: 'an item id or "all"', send: 'an Ongoing order id', order: 'an order id (BaseLinker order id, Ongoing order id or order number)' };
    if (args.length < spec.positionals[0]) throw new CliError(`${name} needs ${needs[name] ?? 'an item id'}`, name);
    if (values.by !== undefined && !['bl', 'ongoing', 'number'].includes(values.by)) throw new CliError(`--by takes bl, ongoing or number, not "${values.by}"`, name);
    if (name === 'send' && !/^\d+$/.test(args[0])) throw new CliError(`"${args[0]}" is not an Ongoing order id (a number)`, name);
    if (args.length > spec.positionals[1]) throw new CliError(`unexpected argument "${args[spec.positionals[1]]}"`, name);
    if (values.aws && values.local) throw new CliError('--aws and --local exclude each other', name);
    if (name === 'dismiss' && !values.note?.trim()) throw new CliError('dismiss needs --note "why it may be ignored"', name);
    if ((name === 'dismiss' || name === 'retry') && args[0] !== 'all') parseExceptionId(args[0]);
    if (name === 'dismiss' && args[0] === 'all') throw new CliError('dismiss takes one item id at a time', name);
    for (const option of ['tenant', 'kind'] as const) {
      if (values[option] !== undefined && !values[option]?.trim()) throw new CliError(`--${option} needs a value`, name);
    }

    const mode: StateMode = values.aws ? 'aws' : values.local ? 'local' : 'auto';
    try {
      state = io.state ? injectedState(io.state) : await openCliState(mode, env);
    } catch (e) {
      if (e instanceof ConfigError || e instanceof DataDirInUseError) throw new CliError(e.message);
      throw e;
    }
    if (name === 'tenants') {
      const [verb, ...rest] = args;
      return await tenantsCommand({ state, mode: chooseMode(mode, env), env, json: Boolean(values.json), cdk: Boolean(values.cdk), out, now, webhookKeys: io.webhookKeys }, verb, rest);
    }

    let tenants: TenantConfig[];
    let configProblem: ConfigError | undefined;
    try {
      tenants = io.tenants ?? (await loadLocalTenants(env, env.DATA_DIR || '.data', { dynamo: state.dynamo, tableName: state.tableName, mode: chooseMode(mode, env) }, err));
    } catch (e) {
      // discover is for the time before the configuration is complete: it goes on with what is set.
      if (!(e instanceof ConfigError) || name !== 'discover') throw e instanceof ConfigError ? new CliError(e.message) : e;
      configProblem = e;
      tenants = [];
    }
    const selected = configProblem ? [] : selectTenants(tenants, values.tenant, name === 'retry' || name === 'dismiss' || name === 'send' || name === 'order');

    const ctx: CommandContext = {
      tenants: selected,
      state,
      store: new StateStore(state.dynamo, state.tableName, { now }),
      now,
      out,
      json: Boolean(values.json),
    };
    switch (name) {
      case 'status':
        await statusCommand(ctx);
        break;
      case 'exceptions':
        await exceptionsCommand(ctx, { kind: values.kind, all: Boolean(values.all) });
        break;
      case 'retry':
        await retryCommand(ctx, args[0], { kind: values.kind });
        break;
      case 'dismiss':
        await dismissCommand(ctx, args[0], values.note!.trim());
        break;
      case 'send':
        return await sendCommand(ctx, Number(args[0]), { dryRun: Boolean(values['dry-run']) });
      case 'order':
        await orderCommand(ctx, args[0].trim(), values.by as IdKind | undefined);
        break;
      case 'discover':
        return await discoverCommand(ctx, discoveryTargets(ctx, env, configProblem));
    }
    return 0;
  } catch (e) {
    if (e instanceof CliError) {
      err(e.usageOf === undefined ? e.message : `${e.message}\n\n${e.usageOf ? COMMANDS[e.usageOf].usage : USAGE}`);
      return 2;
    }
    if (e instanceof OngoingError || e instanceof BaseLinkerError) {
      // Their messages name the system, the call and (for network failures) the URL; never a credential.
      err(e.message);
      return 1;
    }
    const problem = awsProblem(e, state);
    if (problem) {
      err(problem);
      return 2;
    }
    // No stack: the name and message say what broke; secrets never reach these messages (clients wrap errors).
    err(`unexpected failure: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
    return 1;
  } finally {
    await state?.close().catch(() => undefined);
  }
}

if (require.main === module) {
  // The SDK's Node-version notice is for maintainers; on every operator command it would only be noise.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  // Logs of the flows a command runs (send) are readable lines on stderr: stdout carries only the answer.
  process.env.LOG_LEVEL ??= 'WARN';
  process.env.LOG_FORMAT ??= 'text';
  process.env.METRICS_DISABLED ??= 'true';
  keepLogsOffStdout();
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error) => {
      console.error(error instanceof Error ? error.message : error);
      process.exit(1);
    },
  );
}
