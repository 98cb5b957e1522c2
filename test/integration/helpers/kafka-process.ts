/**
 * A scenario's own single-node KRaft Kafka broker on free loopback ports, run from the jars
 * deploy/local/stack.sh caches under .cache/kafka-<version>/libs, to restart cleanly or SIGKILL
 * without touching the shared broker. Its log directory survives restarts (transactions, offsets
 * and the coordinator state must be recovered from it); `destroy()` removes it.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Kafka, logLevel } from 'kafkajs';
import { freePort } from './redis-process.ts';

const ROOT = new URL('../../../', import.meta.url).pathname;

export interface KafkaProcess {
  readonly brokers: string;
  start(): Promise<void>;
  /** SIGTERM: a controlled shutdown, waited for. */
  stop(): Promise<void>;
  /** SIGKILL: no shutdown at all, the log recovered on the next start. */
  kill(): Promise<void>;
  destroy(): Promise<void>;
}

function kafkaLibs(): string {
  const cache = join(ROOT, '.cache');
  const dir = existsSync(cache) ? readdirSync(cache).filter((d) => d.startsWith('kafka-')).sort().at(-1) : undefined;
  const libs = dir ? join(cache, dir, 'libs') : '';
  if (!dir || !existsSync(libs)) throw new Error('kafka-process: no .cache/kafka-*/libs (deploy/local/stack.sh up kafka fetches them)');
  return libs;
}

async function answers(brokers: string): Promise<boolean> {
  const admin = new Kafka({ brokers: [brokers], logLevel: logLevel.NOTHING, retry: { retries: 0 }, connectionTimeout: 1_000 }).admin();
  try {
    await admin.connect();
    await admin.describeCluster();
    return true;
  } catch {
    return false;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

export async function kafkaProcess(): Promise<KafkaProcess> {
  const libs = kafkaLibs();
  const java = process.env.JAVA_HOME ? join(process.env.JAVA_HOME, 'bin', 'java') : 'java';
  const port = await freePort();
  const controllerPort = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'impact-kafka-'));
  const properties = join(dir, 'server.properties');
  writeFileSync(
    properties,
    [
      'process.roles=broker,controller',
      'node.id=1',
      `controller.quorum.bootstrap.servers=127.0.0.1:${controllerPort}`,
      `listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
      `advertised.listeners=PLAINTEXT://127.0.0.1:${port}`,
      'inter.broker.listener.name=PLAINTEXT',
      'controller.listener.names=CONTROLLER',
      'listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
      `log.dirs=${join(dir, 'data')}`,
      'num.partitions=3',
      'default.replication.factor=1',
      'min.insync.replicas=1',
      'offsets.topic.replication.factor=1',
      'offsets.topic.num.partitions=5',
      'transaction.state.log.replication.factor=1',
      'transaction.state.log.min.isr=1',
      'transaction.state.log.num.partitions=5',
      'share.coordinator.state.topic.replication.factor=1',
      'share.coordinator.state.topic.min.isr=1',
      'group.initial.rebalance.delay.ms=0',
      'auto.create.topics.enable=false',
      'delete.topic.enable=true',
      'num.network.threads=2',
      'num.io.threads=2',
      'num.recovery.threads.per.data.dir=1',
      '',
    ].join('\n'),
  );
  const jvm = [
    '-Djava.awt.headless=true',
    `-Dkafka.logs.dir=${dir}`,
    `-Dlog4j2.configurationFile=${join(ROOT, 'deploy/local/kafka/log4j2.properties')}`,
    '-cp',
    `${libs}/*`,
  ];
  const clusterId = randomBytes(16).toString('base64url');
  const format = spawnSync(
    java,
    ['-Xmx256m', '-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1', ...jvm, 'kafka.tools.StorageTool', 'format', '--cluster-id', clusterId, '--standalone', '--config', properties],
    { encoding: 'utf8' },
  );
  if (format.status !== 0) throw new Error(`kafka storage format failed: ${format.stdout}${format.stderr}`);
  const brokers = `127.0.0.1:${port}`;
  let child: ChildProcess | undefined;
  const running = () => child !== undefined && child.exitCode === null && child.signalCode === null;
  const exited = async () => {
    if (running()) await once(child!, 'exit');
  };

  return {
    brokers,
    async start() {
      if (running()) return;
      child = spawn(java, ['-Xmx512m', '-Xms128m', '-XX:+UseG1GC', '-XX:+ExitOnOutOfMemoryError', ...jvm, 'kafka.Kafka', properties], {
        cwd: dir,
        stdio: 'ignore',
      });
      const deadline = Date.now() + 120_000;
      while (!(await answers(brokers))) {
        if (!running()) throw new Error(`kafka exited (${child.exitCode ?? child.signalCode}) during start; see ${dir}/kafka.log`);
        if (Date.now() > deadline) throw new Error(`kafka did not answer within 120 s; see ${dir}/kafka.log`);
        await sleep(250);
      }
    },
    async stop() {
      if (!running()) return;
      child!.kill('SIGTERM');
      await exited();
    },
    async kill() {
      if (!running()) return;
      child!.kill('SIGKILL');
      await exited();
    },
    async destroy() {
      if (running()) {
        child!.kill('SIGKILL');
        await exited();
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
