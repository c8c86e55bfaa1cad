// @lmkit/cli-kit: the command-line convention every lmkit app follows (see README.md).
export {
  camelCase,
  type FlagDef,
  type FlagSpec,
  type FlagValues,
  flag,
  type KebabFlagValues,
  kebabCase,
  type ParseFlagsOptions,
  parseFlags,
  parseKebabFlags,
  suggestion,
} from './flags.ts';
export { formatHelp, type HelpOptions } from './help.ts';
export { describeIssue, issuePath } from './issues.ts';
export { checkInput, checkOutputFile, checkOutputFolder } from './paths.ts';
export {
  createProgress,
  formatDuration,
  type Progress,
  type ProgressOptions,
  type ProgressStream,
} from './progress.ts';
export {
  type CliIo,
  cliExitCode,
  dispatch,
  errorReport,
  isMainModule,
  programVersion,
  type RunCliOptions,
  runCli,
  type Subcommand,
} from './run-cli.ts';
export { type SamplingDefaults, samplingFlags, samplingOptions } from './sampling.ts';
export { describeSystemError } from './system-errors.ts';
export { USAGE_EXIT_CODE, UsageError } from './usage-error.ts';
