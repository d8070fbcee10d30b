import type { LanguageData } from './types.ts';

export const ja: LanguageData = {
  code: 'ja', name: 'ja', concepts: {}, things: { part: {}, object: {}, scene: {}, being: {} }, colors: {},
  colorModifiers: { light: [], dark: [] }, numbers: {}, filler: [], examples: {}, didYouMean: 'did you mean',
};
