/**
 * Standalone Goodera simulator for the demo and local runs:
 *   node src/simulators/goodera/main.ts --port 4010 --api-key KEY=tenant
 * Prints one line when listening; exits 0 on SIGTERM/SIGINT, 2 on a bad command line.
 */
import { GOODERA_USAGE, UsageError, parseGooderaArgs } from './goodera.cli.ts';
import { startGooderaSimulator } from './goodera.simulator.ts';

async function main(): Promise<void> {
  const { help, ...options } = parseGooderaArgs(process.argv.slice(2));
  if (help) {
    process.stdout.write(`${GOODERA_USAGE}\n`);
    return;
  }
  const simulator = await startGooderaSimulator(options);
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    simulator.close().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`goodera simulator: close failed: ${String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  process.stdout.write(`goodera simulator listening on ${simulator.url}\n`);
}

main().catch((error: unknown) => {
  if (error instanceof UsageError) {
    process.stderr.write(`goodera simulator: ${error.message}\n${GOODERA_USAGE}\n`);
    process.exit(2);
  }
  process.stderr.write(`goodera simulator: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
