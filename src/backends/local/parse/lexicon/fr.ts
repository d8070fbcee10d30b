import type { LanguageData } from './types.ts';

export const fr: LanguageData = {
  code: 'fr', name: 'fr', concepts: {}, things: { part: {}, object: {}, scene: {}, being: {} }, colors: {},
  colorModifiers: { light: [], dark: [] }, numbers: {}, filler: [], examples: {}, didYouMean: 'did you mean',
};
