import type {Checklist} from './build.js';

export const checklistFormats = ['markdown', 'text', 'json'] as const;
export type ChecklistFormat = (typeof checklistFormats)[number];

export function formatChecklist(checklist: Checklist, format: ChecklistFormat): string {
	switch (format) {
		case 'json': {
			return `${JSON.stringify(checklist, null, 2)}\n`;
		}

		case 'markdown': {
			return toMarkdown(checklist);
		}

		case 'text': {
			return toText(checklist);
		}
	}
}

function toMarkdown(checklist: Checklist): string {
	const lines = [`# ${checklist.title}`, '', '## Values', '', '| What | Value |', '|---|---|'];
	for (const item of checklist.values) {
		lines.push(`| ${item.label} | \`${item.value}\` |`);
	}

	if (checklist.warnings.length > 0) {
		lines.push('', '## Before you start');
		for (const warning of checklist.warnings) {
			lines.push('', `> **⚠ ${warning.title}**`, ...warning.text.split('\n').map((line) => `> ${line}`.trimEnd()));
		}
	}

	for (const section of checklist.sections) {
		lines.push('', `## ${section.title}`, '');
		section.steps.forEach((step, index) => {
			lines.push(`${index + 1}. **${step.title}**`);
			for (const line of step.text.split('\n')) {
				lines.push(line === '' ? '' : `   ${line}`);
			}
		});
	}

	if (checklist.notes.length > 0) {
		lines.push('', '## Notes', '');
		for (const note of checklist.notes) {
			lines.push(`- **${note.title}**: ${note.text}`);
		}
	}

	return `${lines.join('\n')}\n`;
}

/** Markdown marks removed, for terminals. */
export function plain(text: string): string {
	return text.replaceAll(/^[ \t]*```[a-z]*[ \t]*(?:\n|$)/gm, '').replaceAll('**', '').replaceAll(/`([^`]*)`/g, '$1');
}

/** Plain text: no Markdown marks, for terminals and tickets. */
function toText(checklist: Checklist): string {
	// Code fences first: the inline-code rule would otherwise pair their backticks and leave "json" behind.
	const width = Math.max(...checklist.values.map((item) => item.label.length));
	const lines = [checklist.title, '='.repeat(checklist.title.length), '', 'Values:'];
	for (const item of checklist.values) {
		lines.push(`  ${item.label.padEnd(width)}  ${item.value}`);
	}

	if (checklist.warnings.length > 0) {
		lines.push('', 'Before you start:');
		for (const warning of checklist.warnings) {
			lines.push(`  ! ${plain(warning.title)}`, ...plain(warning.text).split('\n').map((line) => `    ${line}`.trimEnd()));
		}
	}

	for (const section of checklist.sections) {
		lines.push('', section.title, '-'.repeat(section.title.length));
		section.steps.forEach((step, index) => {
			lines.push(`  ${index + 1}. ${plain(step.title)}`);
			for (const line of plain(step.text).split('\n')) {
				lines.push(line.trim() === '' ? '' : `     ${line}`);
			}
		});
	}

	if (checklist.notes.length > 0) {
		lines.push('', 'Notes:');
		for (const note of checklist.notes) {
			lines.push(`  - ${plain(note.title)}: ${plain(note.text)}`);
		}
	}

	return `${lines.join('\n')}\n`;
}
