import type { LanguageData } from './types.ts';

export const pt: LanguageData = {
  code: 'pt', name: 'pt', concepts: {}, things: { part: {}, object: {}, scene: {}, being: {} }, colors: {},
  colorModifiers: { light: [], dark: [] }, numbers: {}, filler: [], examples: {}, didYouMean: 'did you mean',
};
