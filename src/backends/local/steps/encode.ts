import { encodeRaster } from '../../../images/encode.ts';
import { current, type Step } from '../context.ts';

/** Encodes the result in the requested output format, compression and background. */
export const encode: Step = {
  name: 'encode',
  async run(ctx) {
    const { outputFormat, outputCompression, background } = ctx.request;
    ctx.output = await encodeRaster(current(ctx), { format: outputFormat, compression: outputCompression, background });
  },
};
