export const candidateRanges: Array<[number, number]>;
export function standsAlone(character: string): boolean;
export function widthRuns(stringWidth: (text: string) => number): Array<[start: number, end: number, width: number]>;
export function widthRunsOf(modulePath: string): Promise<Array<[start: number, end: number, width: number]>>;
export function standingAloneRuns(): Array<[start: number, end: number]>;
