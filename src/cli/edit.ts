import { readFile, writeFile } from 'node:fs/promises';
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

export function editCommand(program: Command) {
  program.command('edit').description('Edit an image with the local engine, without a server')
    .argument('<input>', 'PNG, JPEG or WEBP file').argument('<prompt>', 'what to change, in words')
    .option('-o, --output <file>', 'where to write the result (format from its extension)')
    .option('--size <size>', 'output size: auto, WxH, W:H, 512, 1K, 2K, 4K')
    .option('--explain', 'print the plan the prompt was understood as, and edit nothing')
    .action(async (input: string, prompt: string, opts: { output?: string; size?: string; explain?: boolean }) => {
      const config = configOrExit();
      try {
        if (opts.explain) return void process.stdout.write(`${describePlan(parsePrompt(prompt))}\n`);
        const out = opts.output ?? input.replace(/(\.[^./]+)?$/, '.edited.webp');
        const ext = path.extname(out).slice(1).toLowerCase();
        const scalars = parseScalarFields({ prompt, model: LOCAL_MODEL, size: opts.size, output_format: ext }, config.limits.maxPromptChars);
        const request = await buildEditRequest({ fields: {}, images: [await readFile(input)], mask: undefined }, scalars, config.limits);
        const workers = new EngineWorkers();
        const engine = new LocalBackend(config.limits.maxInputPixels, config.local, workers,
          chooseSegmenter(config.local.segmenter, config.local.segmentationModel, workers));
        const result = await engine.edit(request, { model: LOCAL_MODEL, signal: new AbortController().signal }).finally(() => engine.close());
        await writeFile(out, result.images[0]!.bytes);
        process.stderr.write(`${result.revisedPrompt}\nwrote ${out}\n`);
      } catch (err) {
        if (!(err instanceof RetouchError)) throw err;
        process.stderr.write(`${err.message}\n`);
        process.exitCode = 1;
      }
    });
}
