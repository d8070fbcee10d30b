import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parsePrompt } from '../src/backends/local/parse/index.ts';
import { RetouchError } from '../src/errors.ts';

/**
 * Real-world phrasings, in the words of image-edit prompt guides and user requests, with the plan
 * (as op names, in order) each must produce. Parameters are checked in engine-ops and parse-prompt.
 */
const UNDERSTOOD: Array<[string, string[]]> = [
  // black and white
  ['Make this photo black and white', ['grayscale']], ['convert the image to grayscale', ['grayscale']], ['b&w please', ['grayscale']],
  ['turn it into a monochrome image', ['grayscale']], ['remove the color', ['grayscale']], ['give it a black-and-white film look', ['grayscale']],
  ['make it greyscale', ['grayscale']], ['desaturate the photo', ['grayscale']], ['black & white version', ['grayscale']],
  // sepia / vintage
  ['make it sepia', ['sepia']], ['give it a vintage look', ['sepia']], ['apply a sepia filter', ['sepia']], ['make it look retro', ['sepia']],
  ['sepia tone the photo', ['sepia']], ['make it look like an old photograph', ['sepia']], ['add an antique effect', ['sepia']],
  // invert
  ['invert the colors', ['invert']], ['make it a negative', ['invert']], ['invert it', ['invert']], ['invert the colours of the image', ['invert']],
  // brightness
  ['make it brighter', ['brightness']], ['brighten the image a little', ['brightness']], ['make the photo darker', ['brightness']],
  ['darken it slightly', ['brightness']], ['increase the brightness by 30%', ['brightness']], ['lower the brightness', ['brightness']],
  ['lighten the photo', ['brightness']], ['make it a lot brighter', ['brightness']], ['increase the exposure', ['brightness']],
  ['reduce brightness by 10 percent', ['brightness']], ['make it a bit lighter', ['brightness']], ['make the picture much darker', ['brightness']],
  // contrast
  ['increase the contrast', ['contrast']], ['add more contrast', ['contrast']], ['boost contrast a bit', ['contrast']],
  ['reduce the contrast', ['contrast']], ['lower the contrast slightly', ['contrast']], ['make it punchier', ['contrast']],
  ['more contrast please', ['contrast']], ['decrease contrast by 20%', ['contrast']],
  // saturation
  ['make the colors more vivid', ['saturation']], ['more saturated', ['saturation']], ['make it more vibrant', ['saturation']],
  ['boost the colors', ['saturation']], ['muted colors', ['saturation']], ['make the colours less saturated', ['saturation']],
  ['reduce the saturation', ['saturation']], ['make it look washed out', ['saturation']], ['increase saturation by 50%', ['saturation']],
  ['make it more colorful', ['saturation']], ['make the colors pop', ['saturation']], ['tone down the colors', ['saturation']],
  ['give it pastel colors', ['saturation']],
  // temperature
  ['make it warmer', ['temperature']], ['warm up the photo', ['temperature']], ['make it cooler', ['temperature']],
  ['give it cooler tones', ['temperature']], ['make the colors warmer', ['temperature']], ['cool it down a bit', ['temperature']],
  ['make it feel colder', ['temperature']], ['add warmth', ['temperature']], ['golden hour look', ['temperature']],
  // hue / tint
  ['shift the hue by 90 degrees', ['hue']], ['rotate the hue 180°', ['hue']], ['change the hue by 45', ['hue']],
  ['give it a blue tint', ['tint']], ['add a pink tint', ['tint']], ['tint it #ff8800', ['tint']], ['apply a light green tint', ['tint']],
  ['give the image a subtle purple tint', ['tint']], ['add an orange color cast', ['tint']],
  // rotate
  ['rotate 90 degrees clockwise', ['rotate']], ['rotate the image 90° to the right', ['rotate']], ['turn it 180 degrees', ['rotate']],
  ['rotate it counterclockwise by 90 degrees', ['rotate']], ['rotate 270 degrees', ['rotate']], ['rotate by 45 degrees', ['rotate']],
  ['tilt it 5 degrees', ['rotate']], ['turn the photo upside down', ['rotate']], ['rotate it a quarter turn to the left', ['rotate']],
  ['rotate the picture ninety degrees anticlockwise', ['rotate']],
  // flip
  ['flip horizontally', ['flip']], ['mirror the image', ['flip']], ['flip it vertically', ['flip']], ['mirror it left to right', ['flip']],
  ['flip the photo upside down', ['flip']], ['flip it sideways', ['flip']],
  // resize
  ['resize to 1024x768', ['resize']], ['resize the image to 800 x 600 pixels', ['resize']], ['scale it down by 50%', ['resize']],
  ['make it half the size', ['resize']], ['upscale 2x', ['resize']], ['upscale it by 4x', ['resize']], ['downscale to 50%', ['resize']],
  ['make it 1920 pixels wide', ['resize']], ['resize to a width of 640', ['resize']], ['make it 500px tall', ['resize']],
  ['double the size', ['resize']], ['shrink it to 25%', ['resize']], ['enlarge by 150%', ['resize']], ['scale to 200%', ['resize']],
  ['reduce the size by 30%', ['resize']], ['make the image smaller by 2x', ['resize']], ['resize to 512x512', ['resize']],
  // crop to aspect
  ['crop it to a square', ['crop-aspect']], ['crop to 16:9', ['crop-aspect']], ['crop to a 4:3 aspect ratio', ['crop-aspect']],
  ['make it square', ['crop-aspect']], ['crop to portrait', ['crop-aspect']],
  ['crop to 1:1', ['crop-aspect']], ['crop to widescreen', ['crop-aspect']], ['reframe to 3:2', ['crop-aspect']],
  // trim
  ['trim the white border', ['trim']], ['remove the borders', ['trim']], ['autocrop', ['trim']], ['trim the whitespace', ['trim']],
  ['crop out the black edges', ['trim']], ['remove the white margins', ['trim']],
  // border / pad
  ['add a 10px black border', ['border']], ['add a white border', ['border']], ['add a thick red border', ['border']],
  ['put a thin frame around it', ['border']], ['add a 20 pixel navy border', ['border']], ['add a border of 5 px in gold', ['border']],
  ['extend the canvas by 100 pixels', ['pad']], ['add 50px of white padding', ['pad']], ['pad it with transparent space', ['pad']],
  ['add padding around the image', ['pad']], ['expand the canvas with black', ['pad']],
  // filters
  ['blur it', ['blur']], ['blur the image slightly', ['blur']], ['make it blurry', ['blur']], ['apply a gaussian blur of 5 px', ['blur']],
  ['blur it a lot', ['blur']], ['soften the image', ['blur']],
  ['sharpen it', ['sharpen']], ['sharpen the photo a bit', ['sharpen']], ['make it crisper', ['sharpen']], ['enhance the details', ['sharpen']],
  ['make it sharper', ['sharpen']],
  ['denoise', ['denoise']], ['remove the noise', ['denoise']], ['reduce the grain', ['denoise']], ['clean up the noise', ['denoise']],
  ['reduce noise', ['denoise']], ['get rid of the jpeg artifacts', ['denoise']],
  ['pixelate it', ['pixelate']], ['pixelate the image with 16px blocks', ['pixelate']], ['make it look like pixel art', ['pixelate']],
  ['apply a mosaic effect', ['pixelate']], ['white studio background with a soft shadow', ['background']],
  ['put the product on a white background with a contact shadow', ['background']], ['pixelate the background', ['pixelate']], ['pixelate the person', ['pixelate']],
  ['pixelate only the subject and keep the background sharp', ['pixelate']], ['mosaic the background with 12px blocks', ['pixelate']],
  ['add a vignette', ['vignette']], ['add a subtle vignette', ['vignette']], ['darken the corners', ['vignette']], ['darken the edges a bit', ['vignette']],
  // text and watermark
  ["add the text 'SALE' in the top right corner", ['text']], ['write "Hello World" at the bottom', ['text']],
  ["add a caption 'Summer 2026' at the bottom in white", ['text']], ["put the words 'Fish and Chips' in the center in large red letters", ['text']],
  ["add the title 'Menu' at the top", ['text']], ['add text “50% OFF” in the top left in yellow', ['text']],
  ["add a watermark 'DRAFT'", ['watermark']], ["add a watermark '© Retouch' with 50% opacity in the bottom right", ['watermark']],
  ["watermark it with 'CONFIDENTIAL' in the center", ['watermark']], ["add a faint watermark 'sample' at the top", ['watermark']],
  // background (the subject found by the segmenter)
  ['remove the background', ['background']], ['make the background transparent', ['background']], ['cut out the product', ['background']],
  ['put it on a white background', ['background']], ['replace the background with light gray', ['background']],
  ['white studio background', ['background']], ['blur the background', ['background']], ['make the background blurry', ['background']],
  ['make the background black and white but keep the subject in color', ['background']], ['give it a bokeh background', ['background']],
  ['remove the background and add a 10px white border', ['background', 'border']],
  // recolouring things
  ['make the car red', ['recolor']], ['make the red cup green', ['recolor']], ['replace the red car with a blue car', ['recolor']],
  ['change the color of the mug to yellow', ['recolor']], ['change red to blue', ['recolor']], ['turn all the green into purple', ['recolor']],
  ['paint the blue door yellow', ['recolor']],
  // combinations and keep-phrases
  ['make it black and white and rotate it 180 degrees', ['grayscale', 'rotate']],
  ['Make it brighter, increase the contrast and add a vignette', ['brightness', 'contrast', 'vignette']],
  ['crop to square, then resize to 512x512', ['crop-aspect', 'resize']],
  ['flip horizontally and make it warmer. Keep everything else the same.', ['flip', 'temperature']],
  ['sharpen it slightly; reduce the noise', ['sharpen', 'denoise']],
  ["make it sepia and add the text 'Memories' at the bottom", ['sepia', 'text']],
  ['please make the image black and white, keep the composition unchanged', ['grayscale']],
  ['rotate 90 degrees clockwise and then mirror it', ['rotate', 'flip']],
  ['make it more vivid while keeping the original lighting', ['saturation']],
  ['add a 4px white border and a vignette', ['border', 'vignette']],
  ['invert the colors and then flip it vertically', ['invert', 'flip']],
  ['downscale by half and sharpen', ['resize', 'sharpen']],
  ['add a blue tint and blur it slightly', ['tint', 'blur']],
];

const REFUSED: string[] = [
  'add a hat', 'remove the person in the background', 'replace the sky with a sunset', 'make her smile', 'add a dog next to the man',
  'change the background to a beach', 'turn this into a watercolor painting', 'make it look like a Van Gogh', 'remove the watermark',
  'replace the background with a forest', 'make the background look like Paris', 'remove the tree from the background', 'add snow',
  'make him look younger', 'fix the red eyes', 'add a rainbow', 'make it look professional', 'turn the day into night',
  'put sunglasses on the cat', 'erase the text', 'add a reflection', 'make the image 3D',
  'colorize this old photo', 'extend the image to the left with more beach', 'make it look like an anime', 'add motion blur to the car',
  'whiten the teeth', 'rotate it', 'make it better', 'enhance', 'add the text', 'add a watermark', 'swap the faces',
  'pixelate the faces', 'make the sky bluer',
  // A keep that the plan would break: warming and brightening the whole image changes the subject too.
  'make it warmer and slightly brighter, but leave the subject as is',
];

describe('prompt phrasings the local engine understands', () => {
  it(`has at least 150 of them (${UNDERSTOOD.length})`, () => assert.ok(UNDERSTOOD.length >= 150));
  for (const [prompt, ops] of UNDERSTOOD) {
    it(JSON.stringify(prompt), () => assert.deepEqual(parsePrompt(prompt).ops.map((o) => o.op), ops));
  }
});

describe('prompts it refuses with unsupported_edit', () => {
  it(`has at least 30 of them (${REFUSED.length})`, () => assert.ok(REFUSED.length >= 30));
  for (const prompt of REFUSED) {
    it(JSON.stringify(prompt), () => {
      assert.throws(() => parsePrompt(prompt), (e: unknown) => e instanceof RetouchError && e.code === 'unsupported_edit');
    });
  }
});
