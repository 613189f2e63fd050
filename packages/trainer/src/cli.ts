#!/usr/bin/env node
// The `boxteacher` command line: train, eval, predict, label, merge, convert, export, studio, synth, demo. Exit codes: 0 success, 2 usage error
// (bad flag, bad config key or value), 1 any other failure. Errors are one clear line, never a stack trace
// (set BOXTEACHER_DEBUG=1 to see it).
import { ConfigError } from './config/config-error';
import { CONVERT_FLAGS, convertCommand } from './cli/convert-command';
import { DEMO_FLAGS, demoCommand } from './cli/demo-command';
import { EVAL_FLAGS, evalCommand } from './cli/eval-command';
import { EXPORT_FLAGS, exportCommand } from './cli/export-command';
import { LABEL_FLAGS, labelCommand } from './cli/label-command';
import { MERGE_FLAGS, mergeCommand, splitMergeArgs } from './cli/merge-command';
import { describeFileSystemError } from './cli/output-files';
import { formatFlagHelp, parseFlags, UsageError, type FlagSpec, type ParsedFlags } from './cli/parse-args';
import { PREDICT_FLAGS, predictCommand } from './cli/predict-command';
import { STUDIO_FLAGS, studioCommand } from './cli/studio-command';
import { SYNTH_FLAGS, synthCommand } from './cli/synth-command';
import { TRAIN_FLAGS, trainCommand } from './cli/train-command';

interface Command {
  summary: string;
  flags: Record<string, FlagSpec>;
  run: (flags: ParsedFlags, args: readonly string[]) => Promise<unknown>;
  /** the command also takes arguments that are not flags (merge's shard files) */
  positional?: string;
}

const COMMANDS = {
  train: { summary: 'train a model (boxteacher, boxinst or supervised) on a COCO dataset', flags: TRAIN_FLAGS, run: trainCommand },
  eval: { summary: 'COCO bbox + mask evaluation of a checkpoint', flags: EVAL_FLAGS, run: evalCommand },
  predict: { summary: 'detect and segment images: COCO results JSON + overlay PNGs', flags: PREDICT_FLAGS, run: predictCommand },
  label: { summary: 'turn a box-only COCO file into one with masks (RLE) and mask scores', flags: LABEL_FLAGS, run: labelCommand },
  merge: { summary: 'join the shard files of label --shard into one labelled COCO file', flags: MERGE_FLAGS, run: mergeCommand, positional: 'SHARD_FILE…' },
  convert: { summary: 'an official BoxTeacher/BoxInst/CondInst checkpoint (.pth, .pkl) → this project’s checkpoint folder', flags: CONVERT_FLAGS, run: convertCommand, positional: 'IN OUT_DIR' },
  export: { summary: 'a checkpoint → a state dict the official code loads (strict=True)', flags: EXPORT_FLAGS, run: exportCommand },
  studio: { summary: 'label a dataset in the browser: draw a box, get its mask, save COCO (the model runs in the page)', flags: STUDIO_FLAGS, run: studioCommand },
  synth: { summary: 'write synthetic shapes as a COCO folder', flags: SYNTH_FLAGS, run: synthCommand },
  demo: { summary: 'train BoxTeacher on synthetic shapes on this machine, evaluate, write a report', flags: DEMO_FLAGS, run: demoCommand },
} satisfies Record<string, Command>;

function usage(): string {
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(8)} ${c.summary}`);
  return `usage: boxteacher <command> [flags]\n\ncommands:\n${lines.join('\n')}\n\nboxteacher <command> --help lists a command's flags.\n`;
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name == null || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage());
    return name == null ? 2 : 0;
  }
  const command = (COMMANDS as Record<string, Command>)[name];
  if (command == null) {
    process.stderr.write(`boxteacher: unknown command ${JSON.stringify(name)}; valid commands: ${Object.keys(COMMANDS).join(', ')}\n`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    const args = command.positional ? ` [flags] ${command.positional}` : '';
    process.stdout.write(`boxteacher ${name}${args}: ${command.summary}\n\n${formatFlagHelp(command.flags)}\n`);
    return 0;
  }
  try {
    const { flagArgs, files } = command.positional ? splitMergeArgs(rest) : { flagArgs: rest, files: [] };
    await command.run(parseFlags(flagArgs, command.flags), files);
    return 0;
  } catch (error) {
    const e = error as Error & { code?: string };
    const isUsage = e instanceof UsageError || e instanceof ConfigError || e.code === 'BACKEND_UNKNOWN';
    // A raw file-system error that no writer wrapped still becomes one line naming its path.
    process.stderr.write(`boxteacher ${name}: ${describeFileSystemError(e) ?? e.message}\n`);
    if (process.env.BOXTEACHER_DEBUG) process.stderr.write(`${e.stack}\n`);
    return isUsage ? 2 : 1;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: Error) => {
    process.stderr.write(`boxteacher: ${error.message}\n`);
    process.exitCode = 1;
  },
);
