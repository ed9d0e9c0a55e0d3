// The command registry: main.ts registers exactly these.
import type { CommandModule } from 'yargs';
import { serveCommand } from './serve.command.js';
import { loadCommand } from './load.command.js';
import { capacityCommand } from './capacity.command.js';
import { fuzzCommand } from './fuzz.command.js';
import { testCommand } from './test.command.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const COMMANDS: CommandModule<any, any>[] = [serveCommand, loadCommand, capacityCommand, fuzzCommand, testCommand];
