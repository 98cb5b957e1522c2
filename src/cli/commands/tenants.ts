/**
 * `impact-in tenants add|list|rotate|rotate-keys`: tenant configuration. Credentials are validated
 * against the platform connector's schema, stored encrypted, and never printed (list shows field
 * names only, and the ids of the keys that sealed them and the tenant's stored OAuth token).
 *
 * - `add --tenant T [--name N] [--platform P (--credentials JSON | --credentials-file F)] [--disabled]
 *   [--donation-receipts on|off] [--free-text scrubbed|none] [--deny-list-file F]`: a tenant, and
 *   optionally one platform it reports to with its credentials (added or replaced). The deny-list
 *   file holds one name or term per line (`#` comments, blank lines ignored; `-` for standard
 *   input; an empty file clears the list): the redactor removes them from every event of the tenant.
 * - `rotate --tenant T --platform P (--credentials JSON | --credentials-file F)`: new credentials
 *   for a platform the tenant already reports to; the OAuth token issued under the old ones is dropped.
 * - `rotate-keys`: after IMPACT_SECRET_KEY changed (the old key moved to IMPACT_SECRET_OLD_KEYS),
 *   re-seals every credential and stored OAuth token under the current key.
 *
 * `--credentials-file -` reads the JSON from standard input, which keeps secrets out of the process
 * list and the shell history. Every flag is checked before anything is written.
 */
import { readFile } from 'node:fs/promises';
import { loadConfig } from '../../config/config.ts';
import { CONNECTORS, availablePlatforms } from '../../connectors/registry.ts';
import { createSecretBox } from '../../crypto/secret-box.ts';
import { createDb } from '../../db/database.ts';
import { migrateToLatest } from '../../db/migrator.ts';
import { impactEventSchema } from '../../domain/event.ts';
import { isPlatform, type Platform } from '../../domain/platform.ts';
import { TenantRepository } from '../../tenants/tenant-repository.ts';
import { createPostgresTokenStore } from '../../tokens/postgres/postgres-token-store.ts';
import type { CommandSpec } from '../help.ts';
import { UsageError, parseFlags } from '../usage.ts';

/** The tenant id rule of the events themselves: a tenant configured under another id never gets one. */
const tenantIdSchema = impactEventSchema.options[0].shape.tenantId;

const TENANT_FLAGS = {
  tenant: { type: 'string', value: 'ID', required: true, description: 'tenant id as in the events (a-z, 0-9, _ and -, at most 63)' },
  name: { type: 'string', value: 'NAME', description: 'display name' },
  platform: { type: 'string', value: 'PLATFORM', choices: ['benevity', 'goodera', 'workday'], description: 'a platform the tenant reports to' },
  credentials: { type: 'string', value: 'JSON', description: "the platform's credentials as JSON (checked against its schema)" },
  'credentials-file': { type: 'string', value: 'FILE', description: 'the credentials JSON from a file, or - for standard input (keeps secrets out of ps and history)' },
  disabled: { type: 'boolean', description: 'configure the platform but deliver nothing to it' },
  'donation-receipts': { type: 'string', value: 'on|off', choices: ['on', 'off'], description: "let Benevity have the donor's name and email (sealed, not dropped)" },
  'free-text': { type: 'string', value: 'MODE', choices: ['scrubbed', 'none'], description: 'optional free text: scrubbed of personal data, or removed' },
  'deny-list-file': {
    type: 'string',
    value: 'FILE',
    description: 'names and terms always scrubbed from this tenant\'s events, one per line (- for standard input); replaces the stored list',
  },
} as const;
const TENANT_ENV = ['DATABASE_URL', 'IMPACT_SECRET_KEY', 'IMPACT_SECRET_KEY_ID', 'IMPACT_SECRET_OLD_KEYS'];
const { tenant, platform, credentials, 'credentials-file': credentialsFile } = TENANT_FLAGS;

export const tenantsSpec = {
  name: 'tenants',
  summary: 'tenant configuration: which platforms each company reports to, with sealed credentials',
  description: 'Credentials are validated, stored encrypted (AES-256-GCM) and never printed.',
  subcommands: [
    {
      name: 'add',
      summary: 'add or update a tenant, and optionally one platform it reports to with its credentials',
      flags: TENANT_FLAGS,
      env: TENANT_ENV,
      examples: [
        'impact-in tenants add --tenant acme --name "Acme" --platform goodera --credentials \'{"apiKey":"…","organizationId":"org-1"}\'',
        'impact-in tenants add --tenant acme --platform workday --credentials-file - < workday.json',
      ],
    },
    { name: 'list', summary: 'every tenant and platform; secrets as ****, with the ids of the keys that sealed them', env: TENANT_ENV },
    {
      name: 'rotate',
      summary: "new credentials for a platform the tenant reports to; the OAuth token issued under the old ones is dropped",
      flags: { tenant, platform: { ...platform, required: true }, credentials, 'credentials-file': credentialsFile },
      env: TENANT_ENV,
    },
    {
      name: 'rotate-keys',
      summary: 're-seal every credential and OAuth token under IMPACT_SECRET_KEY (the old key in IMPACT_SECRET_OLD_KEYS); exit 1 naming rows no key opens',
      env: TENANT_ENV,
    },
  ],
} as const satisfies CommandSpec;

type Sub = 'add' | 'list' | 'rotate' | 'rotate-keys';
const SUBS: readonly Sub[] = ['add', 'list', 'rotate', 'rotate-keys'];

/** What `add` and `rotate` were asked to do, validated. */
interface Change {
  readonly tenant: string;
  readonly name?: string;
  readonly policy?: { donationReceipts?: boolean; freeText?: 'scrubbed' | 'none'; denyList?: string[] };
  readonly platform?: { readonly platform: Platform; readonly credentials: Record<string, unknown>; readonly enabled: boolean };
}

export async function tenantsCommand(args: string[]): Promise<void> {
  const [sub, ...rest] = args;
  if (!SUBS.includes(sub as Sub)) throw new UsageError('tenants: expected "add", "list", "rotate" or "rotate-keys"');
  if ((sub === 'list' || sub === 'rotate-keys') && rest.length > 0) {
    throw new UsageError(`tenants ${sub} takes no arguments, got "${rest.join(' ')}"`);
  }
  const change = sub === 'add' || sub === 'rotate' ? await changeOf(sub, rest) : undefined;

  const config = loadConfig();
  const db = createDb(config.database, 2);
  try {
    await migrateToLatest(db);
    const box = createSecretBox(config.secrets.keys, config.secrets.keyId);
    const repo = new TenantRepository(db, box);
    if (sub === 'list') return await list(repo);
    if (sub === 'rotate-keys') {
      const credentials = await repo.resealAll();
      const tokens = await createPostgresTokenStore(db, box, { refreshMarginMs: 0 }).reseal();
      process.stdout.write(
        `re-sealed under key ${config.secrets.keyId}: ${credentials.resealed} credentials, ${tokens.resealed} OAuth tokens\n`,
      );
      const unreadable = [...credentials.unreadable.map((row) => `credentials ${row}`), ...tokens.unreadable.map((row) => `OAuth token ${row}`)];
      if (unreadable.length > 0) {
        // Everything else is done; these stay under a key none of the configured ones opens.
        throw new Error(
          `${unreadable.length} not re-sealed, no configured key opens them (is the old key in IMPACT_SECRET_OLD_KEYS?): ` +
            `${unreadable.join(', ')}; \`tenants rotate\` replaces such credentials and drops such a token`,
        );
      }
      return;
    }
    if (!change) return;
    if (sub === 'rotate') {
      const { platform, credentials } = change.platform!;
      try {
        await repo.rotatePlatform(change.tenant, platform, credentials);
      } catch (error) {
        throw new UsageError(`tenants rotate: ${(error as Error).message}`);
      }
      process.stdout.write(`tenant ${change.tenant}: ${platform} credentials rotated\n`);
      return;
    }
    await repo.upsertTenant(change.tenant, change.name, change.policy);
    if (change.platform) {
      await repo.upsertPlatform(change.tenant, change.platform.platform, change.platform.credentials, change.platform.enabled);
      process.stdout.write(`tenant ${change.tenant}: ${change.platform.platform} configured\n`);
    } else {
      process.stdout.write(`tenant ${change.tenant} configured\n`);
    }
  } finally {
    await db.destroy();
  }
}

async function list(repo: TenantRepository): Promise<void> {
  const tenants = await repo.list();
  for (const tenant of tenants) {
    const platforms = tenant.platforms.map((p) => {
      const fields = p.credentialKeys === null ? 'UNREADABLE: no configured key opens them' : p.credentialKeys.map((k) => `${k}=****`).join(' ');
      const token = p.token === null ? '' : ` token: key=${p.token.keyId} expires=${p.token.expiresAt.toISOString()}`;
      return `${p.platform}${p.enabled ? '' : ' (disabled)'} [${fields}] key=${p.keyId}${token}`;
    });
    const denied = tenant.policy.denyList?.length ?? 0;
    const policy = `receipts=${tenant.policy.donationReceipts ? 'on' : 'off'} free-text=${tenant.policy.freeText} deny-list=${denied} terms`;
    process.stdout.write(`${tenant.tenantId}\t${tenant.displayName}\t${policy}\t${platforms.join(', ') || '-'}\n`);
  }
  // Like ls on an unreadable entry: everything is listed, and the exit code says not all is well.
  const unreadable = tenants.flatMap((t) =>
    t.platforms.filter((p) => p.credentialKeys === null).map((p) => `${t.tenantId}/${p.platform} (key ${p.keyId})`),
  );
  if (unreadable.length > 0) throw new Error(`no configured key opens the credentials of ${unreadable.join(', ')}`);
}

/** Parses and validates the flags of `add` and `rotate`, credentials included, before any write. */
async function changeOf(sub: 'add' | 'rotate', args: string[]): Promise<Change> {
  // rotate parses add's flags too, so that one of add's is refused by name below.
  const { values } = parseFlags(args, TENANT_FLAGS);
  if (values.tenant === undefined) throw new UsageError(`tenants ${sub}: --tenant is required`);
  const tenantId = tenantIdSchema.safeParse(values.tenant);
  if (!tenantId.success) {
    throw new UsageError(`--tenant must be a lowercase tenant slug (a-z, 0-9, _ and -, at most 63), got "${values.tenant}"`);
  }
  if (sub === 'rotate') {
    for (const flag of ['name', 'disabled', 'donation-receipts', 'free-text', 'deny-list-file'] as const) {
      if (values[flag] !== undefined) throw new UsageError(`tenants rotate: --${flag} belongs to "tenants add"`);
    }
    if (values.platform === undefined) throw new UsageError('tenants rotate: --platform is required');
  }
  const source = credentialsSource(values.credentials, values['credentials-file']);
  const policy = await withDenyList(policyFlags(values), values['deny-list-file']);
  if (values.platform === undefined) {
    if (source !== undefined) throw new UsageError('--credentials needs --platform: whose credentials are they?');
    if (values.disabled !== undefined) throw new UsageError('--disabled needs --platform');
    return { tenant: values.tenant, ...optional('name', values.name), ...optional('policy', policy) };
  }
  const platform = values.platform;
  const factory = isPlatform(platform) ? CONNECTORS[platform] : undefined;
  if (!isPlatform(platform) || !factory) {
    throw new UsageError(`--platform must be one of ${availablePlatforms().join(', ')}, got "${platform}"`);
  }
  if (source === undefined) throw new UsageError(`tenants ${sub}: --credentials or --credentials-file is required with --platform`);
  let raw: unknown;
  try {
    raw = JSON.parse(await source());
  } catch (error) {
    if (error instanceof UsageError) throw error;
    // Never echo the text: it holds secrets.
    throw new UsageError('--credentials must be a JSON object');
  }
  const credentials = factory.credentials.safeParse(raw);
  if (!credentials.success) {
    throw new UsageError(
      `--credentials for ${platform}: ${credentials.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`,
    );
  }
  return {
    tenant: values.tenant,
    ...optional('name', values.name),
    ...optional('policy', policy),
    platform: { platform, credentials: credentials.data, enabled: values.disabled !== true },
  };
}

/** Where the credentials JSON comes from: the flag's text, a file, or standard input (`-`). */
function credentialsSource(inline: string | undefined, file: string | undefined): (() => Promise<string>) | undefined {
  if (inline !== undefined && file !== undefined) throw new UsageError('give --credentials or --credentials-file, not both');
  if (inline !== undefined) return () => Promise.resolve(inline);
  if (file === undefined) return undefined;
  return async () => {
    try {
      return file === '-' ? await readStdin() : await readFile(file, 'utf8');
    } catch (error) {
      throw new UsageError(`--credentials-file ${file}: ${(error as NodeJS.ErrnoException).code ?? 'unreadable'}`);
    }
  };
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

/** The policy flags plus the deny-list read from its file (one term a line), validated. */
async function withDenyList(
  policy: ReturnType<typeof policyFlags>,
  file: string | undefined,
): Promise<Change['policy']> {
  if (file === undefined) return policy;
  let text: string;
  try {
    text = file === '-' ? await readStdin() : await readFile(file, 'utf8');
  } catch (error) {
    throw new UsageError(`--deny-list-file ${file}: ${(error as NodeJS.ErrnoException).code ?? 'unreadable'}`);
  }
  const terms = text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  // Line numbers only: the terms are names, and names are not echoed.
  const bad = terms.findIndex((term) => term.length < 2 || term.length > 200);
  if (bad !== -1) throw new UsageError(`--deny-list-file ${file}: term ${bad + 1} must be 2 to 200 characters`);
  if (terms.length > 5_000) throw new UsageError(`--deny-list-file ${file}: at most 5000 terms, got ${terms.length}`);
  return { ...policy, denyList: terms };
}

/** The tenant policy flags, validated; undefined when none was given (the stored policy stays). */
function policyFlags(values: { 'donation-receipts'?: string; 'free-text'?: string }) {
  const receipts = values['donation-receipts'];
  const freeText = values['free-text'];
  if (receipts === undefined && freeText === undefined) return undefined;
  if (receipts !== undefined && receipts !== 'on' && receipts !== 'off') {
    throw new UsageError(`--donation-receipts must be on or off, got "${receipts}"`);
  }
  if (freeText !== undefined && freeText !== 'scrubbed' && freeText !== 'none') {
    throw new UsageError(`--free-text must be scrubbed or none, got "${freeText}"`);
  }
  return {
    ...(receipts === undefined ? {} : { donationReceipts: receipts === 'on' }),
    ...(freeText === undefined ? {} : { freeText }),
  } as { donationReceipts?: boolean; freeText?: 'scrubbed' | 'none' };
}
