/**
 * A scenario's own production-like dependencies, all on free loopback ports, none shared: a CA and
 * server/client certificates made with openssl; a Kafka broker whose only client listener is
 * SASL_SSL (SCRAM-SHA-512 and PLAIN, client certificates required), run from the local stack's
 * jars (`deploy/local/stack.sh kafka-cmd`); a PostgreSQL cluster (initdb in a temp dir, run as the
 * postgres OS user like the stack) with ssl=on that refuses non-TLS TCP; a redis-server with only
 * a TLS port and an ACL user. Logs go to .stack/logs/tests/<name>.*.log.
 */
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { chmodSync, chownSync, createWriteStream, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { connect as tlsConnect } from 'node:tls';
import { promisify } from 'node:util';
import { freePort } from './registry-process.ts';

const ROOT = new URL('../../../', import.meta.url).pathname;
const run = promisify(execFile);

export const KAFKA_USERS = { scram: { username: 'impact-svc', password: 'scram-pw-0123' }, plain: { username: 'impact-tool', password: 'plain-pw-4567' } };
export const PG_USER = { username: 'impact', password: 'pg-pw-89ab' };
export const REDIS_USER = { username: 'impact', password: 'redis-pw-cdef' };

export interface Certificates {
  readonly dir: string;
  readonly ca: string;
  /** Server certificate and key (SAN 127.0.0.1, localhost). */
  readonly serverCert: string;
  readonly serverKey: string;
  /** A client certificate and key signed by the same CA (mTLS). */
  readonly clientCert: string;
  readonly clientKey: string;
}

/** A CA, a server certificate for 127.0.0.1/localhost and a client certificate, PKCS#8 keys. */
export function makeCertificates(dir: string): Certificates {
  const at = (name: string) => join(dir, name);
  const ssl = (...args: string[]) => execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  ssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', at('ca.key'), '-out', at('ca.pem'), '-days', '2', '-subj', '/CN=impact-in test CA');
  const leaf = (name: string, cn: string, ext: string) => {
    writeFileSync(at(`${name}.ext`), ext);
    ssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', at(`${name}.key`), '-out', at(`${name}.csr`), '-subj', `/CN=${cn}`);
    ssl('x509', '-req', '-in', at(`${name}.csr`), '-CA', at('ca.pem'), '-CAkey', at('ca.key'), '-CAcreateserial', '-out', at(`${name}.pem`), '-days', '2', '-extfile', at(`${name}.ext`));
  };
  leaf('server', 'localhost', 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
  leaf('client', 'impact-in', 'extendedKeyUsage=clientAuth\n');
  return { dir, ca: at('ca.pem'), serverCert: at('server.pem'), serverKey: at('server.key'), clientCert: at('client.pem'), clientKey: at('client.key') };
}

interface Managed {
  stop(): Promise<void>;
}

function logStream(name: string, what: string) {
  const dir = join(ROOT, '.stack', 'logs', 'tests');
  mkdirSync(dir, { recursive: true });
  return createWriteStream(join(dir, `${name}.${what}.log`), { flags: 'a' });
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  await exited;
  clearTimeout(timer);
}

async function waitFor(what: string, check: () => Promise<boolean>, child: ChildProcess | undefined, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (child && child.exitCode !== null) throw new Error(`${what} exited (${child.exitCode}) while starting`);
    if (Date.now() > deadline) throw new Error(`${what} did not start within ${timeoutMs} ms`);
    await sleep(300);
  }
}

// ------------------------------------------------------------------ Kafka (SASL_SSL)

export interface TlsKafka extends Managed {
  /** host:port of the SASL_SSL listener. */
  readonly brokers: string;
}

export async function startSaslSslKafka(name: string, certs: Certificates, dir: string): Promise<TlsKafka> {
  const [client, internal, controller] = [await freePort(), await freePort(), await freePort()];
  const { stdout } = await run('bash', [join(ROOT, 'deploy/local/stack.sh'), 'kafka-cmd'], { cwd: ROOT, maxBuffer: 1 << 20 });
  const [java, ...jvm] = stdout.split('\0').filter(Boolean);
  if (!java) throw new Error(`stack.sh kafka-cmd printed no command line: ${stdout.slice(0, 300)}`);
  // Kafka's PEM key store: the private key (PKCS#8) and the certificate chain in one file.
  const keystore = join(dir, 'kafka-keystore.pem');
  writeFileSync(keystore, execFileSync('cat', [certs.serverKey, certs.serverCert]));
  const properties = join(dir, 'server.properties');
  const { scram, plain } = KAFKA_USERS;
  writeFileSync(
    properties,
    [
      'process.roles=broker,controller',
      'node.id=1',
      `controller.quorum.bootstrap.servers=127.0.0.1:${controller}`,
      // Clients get SASL_SSL only; the broker talks to itself over a loopback listener.
      `listeners=SASL_SSL://127.0.0.1:${client},INTERNAL://127.0.0.1:${internal},CONTROLLER://127.0.0.1:${controller}`,
      `advertised.listeners=SASL_SSL://127.0.0.1:${client},INTERNAL://127.0.0.1:${internal}`,
      'inter.broker.listener.name=INTERNAL',
      'controller.listener.names=CONTROLLER',
      'listener.security.protocol.map=SASL_SSL:SASL_SSL,INTERNAL:PLAINTEXT,CONTROLLER:PLAINTEXT',
      'sasl.enabled.mechanisms=SCRAM-SHA-512,PLAIN',
      'listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;',
      `listener.name.sasl_ssl.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required user_${plain.username}="${plain.password}";`,
      'ssl.keystore.type=PEM',
      `ssl.keystore.location=${keystore}`,
      'ssl.truststore.type=PEM',
      `ssl.truststore.location=${certs.ca}`,
      'listener.name.sasl_ssl.ssl.client.auth=required',
      `log.dirs=${join(dir, 'data')}`,
      'num.partitions=3',
      'offsets.topic.replication.factor=1',
      'transaction.state.log.replication.factor=1',
      'transaction.state.log.min.isr=1',
      'share.coordinator.state.topic.replication.factor=1',
      'share.coordinator.state.topic.min.isr=1',
      'group.initial.rebalance.delay.ms=0',
      'auto.create.topics.enable=false',
      'num.network.threads=2',
      'num.io.threads=2',
      '',
    ].join('\n'),
  );
  const log = logStream(name, 'kafka');
  // SCRAM credentials live in the metadata log: written at format time.
  const format = await run(java, [...jvm, 'kafka.tools.StorageTool', 'format', '--cluster-id', randomBytes(16).toString('base64url'), '--standalone', '--config', properties,
    '--add-scram', `SCRAM-SHA-512=[name=${scram.username},password=${scram.password}]`]).catch((error: Error & { stderr?: string }) => {
    throw new Error(`kafka storage format failed: ${error.stderr ?? error.message}`);
  });
  log.write(format.stdout);
  const child = spawn(java, [...jvm, '-Xmx768m', 'kafka.Kafka', properties], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.pipe(log, { end: false });
  child.stderr.pipe(log, { end: false });
  // Started = the SASL_SSL listener completes a TLS handshake with the client certificate.
  const handshake = () =>
    new Promise<boolean>((resolve) => {
      const socket = tlsConnect({ host: '127.0.0.1', port: client, ca: readFileSync(certs.ca), cert: readFileSync(certs.clientCert), key: readFileSync(certs.clientKey) });
      socket.once('secureConnect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
  await waitFor('kafka', handshake, child, 240_000);
  return {
    brokers: `127.0.0.1:${client}`,
    async stop() {
      await stopChild(child);
      log.end();
    },
  };
}

// ------------------------------------------------------------------ PostgreSQL (ssl=on)

export interface TlsPostgres extends Managed {
  readonly port: number;
}

function pgBin(): string {
  const versions = readdirSync('/usr/lib/postgresql').sort((a, b) => Number(a) - Number(b));
  const latest = versions.at(-1);
  if (!latest) throw new Error('no PostgreSQL server under /usr/lib/postgresql (deploy/local/stack.sh up installs it)');
  return `/usr/lib/postgresql/${latest}/bin`;
}

export async function startTlsPostgres(name: string, certs: Certificates, dir: string): Promise<TlsPostgres> {
  const port = await freePort();
  const bin = pgBin();
  const base = join(dir, 'pg');
  mkdirSync(join(base, 'sock'), { recursive: true });
  // PostgreSQL refuses to run as root and to use a key others can read: its own copy, its owner.
  const uid = Number(execFileSync('id', ['-u', 'postgres']).toString());
  const gid = Number(execFileSync('id', ['-g', 'postgres']).toString());
  for (const [from, to] of [[certs.serverCert, 'server.pem'], [certs.serverKey, 'server.key'], [certs.ca, 'ca.pem']] as const) {
    writeFileSync(join(base, to), execFileSync('cat', [from]));
    chownSync(join(base, to), uid, gid);
    chmodSync(join(base, to), 0o600);
  }
  chmodSync(dir, 0o755);
  chownSync(base, uid, gid);
  chownSync(join(base, 'sock'), uid, gid);
  const asPg = (args: string[]) => run('runuser', ['-u', 'postgres', '--', ...args], { cwd: '/' });
  await asPg([`${bin}/initdb`, '-D', join(base, 'data'), '-U', 'postgres', '-E', 'UTF8', '--locale=C', '--auth-local=trust', '--auth-host=reject']);
  // TCP only with TLS and a password; the unix socket (trust) is for setting up the role.
  writeFileSync(join(base, 'hba.conf'), 'local all all trust\nhostssl all all 127.0.0.1/32 scram-sha-256\nhostnossl all all 0.0.0.0/0 reject\n');
  chownSync(join(base, 'hba.conf'), uid, gid);
  const log = logStream(name, 'postgres');
  const options = [
    `-p ${port}`, `-k ${join(base, 'sock')}`, '-c listen_addresses=127.0.0.1', '-c ssl=on',
    `-c ssl_cert_file=${join(base, 'server.pem')}`, `-c ssl_key_file=${join(base, 'server.key')}`, `-c ssl_ca_file=${join(base, 'ca.pem')}`,
    `-c hba_file=${join(base, 'hba.conf')}`, '-c fsync=off', '-c max_connections=60',
  ].join(' ');
  const started = await asPg([`${bin}/pg_ctl`, '-D', join(base, 'data'), '-w', '-t', '60', '-l', join(base, 'postgres.log'), '-o', options, 'start']);
  log.write(started.stdout);
  const psql = (sql: string) => asPg([`${bin}/psql`, '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-h', join(base, 'sock'), '-p', String(port), '-U', 'postgres', '-d', 'postgres', '-c', sql]);
  await psql(`create role "${PG_USER.username}" login password '${PG_USER.password}'`);
  await psql(`create database impact owner "${PG_USER.username}"`);
  return {
    port,
    async stop() {
      await asPg([`${bin}/pg_ctl`, '-D', join(base, 'data'), '-m', 'immediate', '-w', 'stop']).catch(() => undefined);
      log.end();
    },
  };
}

// ------------------------------------------------------------------ Redis (TLS port only)

export interface TlsRedis extends Managed {
  readonly port: number;
}

export async function startTlsRedis(name: string, certs: Certificates): Promise<TlsRedis> {
  const port = await freePort();
  const log = logStream(name, 'redis');
  const child = spawn(
    'redis-server',
    [
      '--port', '0', '--tls-port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no',
      '--tls-cert-file', certs.serverCert, '--tls-key-file', certs.serverKey, '--tls-ca-cert-file', certs.ca, '--tls-auth-clients', 'yes',
      // An ACL user for impact-in; the default (password-less) user is off.
      '--user', 'default', 'off', '--user', REDIS_USER.username, 'on', `>${REDIS_USER.password}`, '~*', '&*', '+@all',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout.pipe(log, { end: false });
  child.stderr.pipe(log, { end: false });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-20_000);
  });
  await waitFor('redis', async () => /Ready to accept connections/.test(output), child, 30_000);
  return {
    port,
    async stop() {
      await stopChild(child);
      log.end();
    },
  };
}

/** A temp dir for the scenario's certificates and data, removed by `remove()`. */
export function scenarioDir(name: string): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), `impact-tls-${name}-`));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
