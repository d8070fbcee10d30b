import { pipeStep } from '../pixels.ts';

/** Darkens toward the corners with a radial gradient; the centre stays untouched. */
export const vignette = (amount: number) =>
  pipeStep('vignette', (s) => {
    const opacity = Math.min(1, Math.max(0.1, amount * 1.4));
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${s.width}" height="${s.height}">
      <defs><radialGradient id="v" cx="50%" cy="50%" r="75%">
        <stop offset="45%" stop-color="#000" stop-opacity="0"/><stop offset="100%" stop-color="#000" stop-opacity="${opacity}"/>
      </radialGradient></defs><rect width="100%" height="100%" fill="url(#v)"/></svg>`;
    // Compositing adds an alpha channel (opaque where the image was).
    return { apply: (p) => p.composite([{ input: Buffer.from(svg), blend: 'over' }]), shape: { ...s, channels: 4 } };
  });
