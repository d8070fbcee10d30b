import type { LanguageData } from './types.ts';

export const zh: LanguageData = {
  code: 'zh', name: 'zh', concepts: {}, things: { part: {}, object: {}, scene: {}, being: {} }, colors: {},
  colorModifiers: { light: [], dark: [] }, numbers: {}, filler: [], examples: {}, didYouMean: 'did you mean',
};
