import type { LanguageData } from './types.ts';

export const de: LanguageData = {
  code: 'de', name: 'de', concepts: {}, things: { part: {}, object: {}, scene: {}, being: {} }, colors: {},
  colorModifiers: { light: [], dark: [] }, numbers: {}, filler: [], examples: {}, didYouMean: 'did you mean',
};
