/** Release numbers of the IdPs and apps ("2024.10.3", "26.0.5", "v2.13.1-8e5c2f1a"): compared numerically, suffixes ignored. */
export type Version = readonly [number, number, number];

/** Undefined when there is no version (Harbor's anonymous answer) or it does not start with one. */
export function parseVersion(text: string | null | undefined): Version | undefined {
	const match = /^v?(\d+)\.(\d+)(?:\.(\d+))?/.exec((text ?? '').trim());
	if (!match) {
		return undefined;
	}

	return [Number(match[1]), Number(match[2]), Number(match[3] ?? 0)];
}

export function compareVersions(a: Version, b: Version): number {
	for (let index = 0; index < 3; index++) {
		const difference = a[index]! - b[index]!;
		if (difference !== 0) {
			return difference;
		}
	}

	return 0;
}

export function atLeast(version: Version, minimum: Version): boolean {
	return compareVersions(version, minimum) >= 0;
}

export function formatVersion(version: Version): string {
	return version.join('.');
}
