/** Release numbers of the IdPs ("2024.10.3", "26.0.5", "v2.14.0"): compared numerically, suffixes ignored. */
export type Version = readonly [number, number, number];

export function parseVersion(text: string): Version | undefined {
	const match = /^v?(\d+)\.(\d+)(?:\.(\d+))?/.exec(text.trim());
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
