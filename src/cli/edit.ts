import path from 'node:path';
import type { Command } from 'commander';
import { LOCAL_MODEL, LocalBackend } from '../backends/local/index.ts';
import { parsePrompt } from '../backends/local/parse/index.ts';
import { chooseSegmenter } from '../backends/local/segment/choose.ts';
import { EngineWorkers } from '../backends/local/worker-pool.ts';
import { describePlan } from '../backends/local/plan.ts';
import { buildEditRequest } from '../edits/build.ts';
import { parseScalarFields } from '../edits/request.ts';
import { RetouchError } from '../errors.ts';
import { configOrExit } from './load-config.ts';
import { readUserFile, UserFileError, writeUserFile } from './file-errors.ts';
import { remoteEdit } from './remote.ts';

export function editCommand(program: Command) {
  program.command('edit').description('Edit an image with the local engine, without a server (or on one, with --server)')
    .argument('<input>', 'PNG, JPEG or WEBP file').argument('<prompt>', 'what to change, in words')
    .option('-o, --output <file>', 'where to write the result (format from its extension)')
    .option('--size <size>', 'output size: auto, WxH, W:H, 512, 1K, 2K, 4K')
    .option('--explain', 'print the plan the prompt was understood as, and edit nothing')
    .option('--server <url>', 'run the edit on this Retouch server as an async job (or RETOUCH_SERVER), waiting with a spinner')
    .option('--key <key>', 'the API key for --server (or RETOUCH_KEY)')
    .option('--model <model>', 'with --server: the model (default retouch-local-1)')
    .option('--async', 'with --server: print the job id and return at once (then `retouch jobs wait ID`)')
    .action(async (input: string, prompt: string, opts: { output?: string; size?: string; explain?: boolean; server?: string; key?: string; model?: string; async?: boolean }) => {
      if (opts.server || opts.async) {
        return remoteEdit(input, prompt, opts).catch((err: Error) => { process.stderr.write(`${err.message}\n`); process.exitCode = 1; });
      }
      const config = configOrExit();
      try {
        if (opts.explain) return void process.stdout.write(`${describePlan(parsePrompt(prompt))}\n`);
        const out = opts.output ?? input.replace(/(\.[^./]+)?$/, '.edited.webp');
        const ext = path.extname(out).slice(1).toLowerCase();
        const scalars = parseScalarFields({ prompt, model: LOCAL_MODEL, size: opts.size, output_format: ext }, config.limits.maxPromptChars);
        const request = await buildEditRequest({ fields: {}, images: [await readUserFile(input)], mask: undefined }, scalars, config.limits);
        const workers = new EngineWorkers();
        const engine = new LocalBackend(config.limits.maxInputPixels, config.local, workers,
          chooseSegmenter(config.local.segmenter, config.local.segmentationModel, workers));
        const result = await engine.edit(request, { model: LOCAL_MODEL, signal: new AbortController().signal }).finally(() => engine.close());
        await writeUserFile(out, result.images[0]!.bytes);
        process.stderr.write(`${result.revisedPrompt}\nwrote ${out}\n`);
      } catch (err) {
        if (!(err instanceof RetouchError) && !(err instanceof UserFileError)) throw err;
        process.stderr.write(`${err.message}\n`);
        process.exitCode = 1;
      }
    });
}

