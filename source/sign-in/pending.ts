/**
 * Whether a session holds a sign-in clean-up a run left pending. Apart from cleanup.ts, which
 * reads and finishes the record, so that telling costs no schema (the wizard asks before its
 * first frame).
 */

/** The session artifact that holds the pending clean-up. */
export const cleanupArtifact = 'sign-in-cleanup';

/** Whether a session's artifacts hold a clean-up that a run left pending (no integration needed to tell). */
export function hasPendingCleanup(artifacts: Readonly<Record<string, unknown>>): boolean {
	return artifacts[cleanupArtifact] !== undefined && artifacts[cleanupArtifact] !== null;
}
