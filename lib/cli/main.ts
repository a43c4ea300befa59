/**
 * kms-guard CLI entry: `kms-guard replay …`. Returns the exit status: 0 all input valid, 1 some input rejected or
 * some event could not be handled, 2 usage error, 3 the replay could not run. Every message names what it is
 * about (file, record, field, or the option) and none shows a stack trace or an internal class name.
 */
import { readFileSync } from 'node:fs';
import { parseReplayArgs, USAGE, UsageError } from './args.js';
import { describeFailure } from './describe-failure.js';
import { runReplay } from './run-replay.js';

const HINT = 'Run "kms-guard replay --help" for the options.';

export const main = async (argv: readonly string[]): Promise<number> => {
  const [command, ...rest] = argv;
  if (command === '--version' || command === '-v') {
    process.stdout.write(`kms-guard ${version()}\n`);
    return 0;
  }
  if (command === '-h' || command === '--help' || command === 'help' || rest.includes('-h') || rest.includes('--help')) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (command === undefined) {
    process.stderr.write(`kms-guard: no command given; the command is "replay".\n${HINT}\n`);
    return 2;
  }
  try {
    if (command !== 'replay') throw new UsageError(`unknown command "${command}"; the command is "replay"`);
    return await runReplay(parseReplayArgs(rest));
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`kms-guard: ${error.message}\n${HINT}\n`);
      return 2;
    }
    process.stderr.write(`kms-guard: the replay could not run: ${describeFailure(error)}\n`);
    return 3;
  }
};

const version = (): string => {
  const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: unknown };
  return typeof manifest.version === 'string' ? manifest.version : 'unknown';
};
