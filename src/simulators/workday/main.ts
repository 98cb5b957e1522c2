/**
 * Standalone Workday simulator for the demo and local runs:
 *   node src/simulators/workday/main.ts --port 4030 --tenant acme=CLIENT:SECRET:REFRESH
 * Prints one line when listening; exits 0 on SIGTERM/SIGINT, 2 on a bad command line.
 */
import { runStandalone } from '../common/cli.ts';
import { WORKDAY_USAGE, parseWorkdayArgs } from './workday.cli.ts';
import { startWorkdaySimulator } from './workday.simulator.ts';

runStandalone(
  { label: 'workday simulator', usage: WORKDAY_USAGE, parse: parseWorkdayArgs, start: startWorkdaySimulator },
  process.argv.slice(2),
);
