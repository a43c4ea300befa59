/**
 * kms-guard CLI entry: `kms-guard replay …`. Returns the exit status: 0 all input valid, 1 some input rejected,
 * 2 usage error, 3 the replay could not run (DynamoDB Local did not start, the store failed).
 */
import { KmsGuardError } from '../errors.js';
import { parseReplayArgs, USAGE, UsageError } from './args.js';
import { runReplay } from './run-replay.js';

export const main = async (argv: readonly string[]): Promise<number> => {
  const [command, ...rest] = argv;
  if (command === undefined || command === '-h' || command === '--help' || command === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return command === undefined ? 2 : 0;
  }
  if (rest.includes('-h') || rest.includes('--help')) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  try {
    if (command !== 'replay') throw new UsageError(`unknown command "${command}"; the command is "replay"`);
    return await runReplay(parseReplayArgs(rest));
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`kms-guard: ${error.message}\n\n${USAGE}\n`);
      return 2;
    }
    const message = error instanceof KmsGuardError || error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    process.stderr.write(`kms-guard: ${message}\n`);
    return 3;
  }
};
