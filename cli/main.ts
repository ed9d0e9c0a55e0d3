// The wsprobe CLI: parses arguments, calls one runner, writes files, sets the exit code.
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { COMMANDS } from './commands/index.js';
import { ExitCode } from './exit-codes.js';
import { isExpectedError } from './errors.js';
import { endQuietlyOnClosedOutput } from './output.js';
import { TOOL_VERSION } from './version.js';

function reportError(err: unknown): void {
  if (isExpectedError(err)) {
    process.stderr.write(`wsprobe: ${err.message}\n`);
  } else {
    const message = err instanceof Error ? err.message : String(err);
    process.stderr.write(`wsprobe: internal error: ${message.split('\n')[0]} (set WSPROBE_DEBUG=1 for details)\n`);
    if (process.env.WSPROBE_DEBUG && err instanceof Error && err.stack) process.stderr.write(`${err.stack}\n`);
  }
  process.exitCode = ExitCode.Usage;
}

async function main(): Promise<void> {
  let cli = yargs(hideBin(process.argv))
    .scriptName('wsprobe')
    .usage('$0 <command> [options]\n\nWebSocket conformance, fuzz and load testing (RFC 6455, RFC 7692).')
    .version(TOOL_VERSION)
    .strict()
    .strictCommands()
    .demandCommand(1, 'name a command: ' + COMMANDS.map((c) => String(c.command).split(' ')[0]).join(', '))
    .recommendCommands()
    .epilogue('Exit codes: 0 all passed, 1 failed cases or breached thresholds, 2 usage or setup error.')
    .wrap(Math.min(110, process.stdout.columns || 100))
    .fail((msg, err) => {
      // yargs' own validation failures (unknown flag, missing argument): one line, exit 2.
      if (err) throw err;
      process.stderr.write(`wsprobe: ${msg}\nRun 'wsprobe --help' for usage.\n`);
      process.exit(ExitCode.Usage);
    });
  for (const command of COMMANDS) cli = cli.command(command);
  try {
    await cli.parseAsync();
  } catch (err) {
    reportError(err);
  }
}

endQuietlyOnClosedOutput();

process.on('unhandledRejection', (err) => {
  reportError(err);
  process.exit(ExitCode.Usage);
});

await main();
