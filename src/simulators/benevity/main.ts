/**
 * Standalone Benevity simulator for the demo and local runs:
 *   node src/simulators/benevity/main.ts --port 4020 --client ID=SECRET --callback-secret S
 * Prints one line when listening; exits 0 on SIGTERM/SIGINT, 2 on a bad command line.
 */
import { runStandalone } from '../common/cli.ts';
import { BENEVITY_USAGE, parseBenevityArgs } from './benevity.cli.ts';
import { startBenevitySimulator } from './benevity.simulator.ts';

runStandalone(
  { label: 'benevity simulator', usage: BENEVITY_USAGE, parse: parseBenevityArgs, start: startBenevitySimulator },
  process.argv.slice(2),
);
