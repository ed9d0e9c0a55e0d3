// The command registry: main.ts registers exactly these, in the order `wsprobe --help` lists them.
import type { CommandModule } from 'yargs';
import { testCommand } from './test.command.js';
import { testClientCommand } from './test-client.command.js';
import { fuzzCommand } from './fuzz.command.js';
import { loadCommand } from './load.command.js';
import { capacityCommand } from './capacity.command.js';
import { probeCommand } from './probe.command.js';
import { serveCommand } from './serve.command.js';
import { reportCommand } from './report.command.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const COMMANDS: CommandModule<any, any>[] = [testCommand, testClientCommand, fuzzCommand, loadCommand, capacityCommand, probeCommand, serveCommand, reportCommand];
