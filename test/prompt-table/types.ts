/** A prompt and the plan it must give, as operation signatures (see signature.ts), or a refusal. */
export type PromptCase = [prompt: string, expected: string[] | 'refuse'];
