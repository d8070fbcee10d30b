import type { LanguageData } from './types.ts';

export const es: LanguageData = {
  code: 'es', name: 'es', concepts: {}, things: { part: {}, object: {}, scene: {}, being: {} }, colors: {},
  colorModifiers: { light: [], dark: [] }, numbers: {}, filler: [], examples: {}, didYouMean: 'did you mean',
};
