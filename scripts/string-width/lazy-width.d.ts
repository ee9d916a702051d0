type StringWidth = (text: string, options?: object) => number;
export function lazyStringWidth(runs: readonly number[], stripAnsi: (text: string) => string, loadStringWidth: () => StringWidth): StringWidth;
