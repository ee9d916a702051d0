export function lazySegmenterClass(runs: readonly number[]): new (locales?: string | string[], options?: Intl.SegmenterOptions) => Pick<Intl.Segmenter, 'segment' | 'resolvedOptions'>;
