import {Box, Text} from 'ink';
import type {SessionView} from '../../core/session/machine.js';
import {currentValues, hasAdminCredential, hasAppCredential, visibleFields} from '../../core/session/machine.js';
import {Menu} from '../components/Menu.js';

type Props = {
	view: SessionView;
	automated: boolean;
	onContinue(): void;
	onEdit(): void;
	onQuit(): void;
};

const derivedRows: Array<[string, string]> = [
	['redirect_uri', 'Redirect URI'],
	['issuer', 'Issuer'],
	['fallback_login_url', 'Local admin sign-in'],
];

/** Everything entered, secrets masked, plus the values derived from it. */
export function ReviewScreen({view, automated, onContinue, onEdit, onQuit}: Props) {
	const values = currentValues(view);
	const rows = visibleFields(view).map((field) => {
		if (field.kind === 'secret') {
			return [field.label, view.presentSecrets.has(field.key) ? '•••••• (in keychain)' : '(not given)'] as const;
		}

		const value = view.session.answers[field.key] ?? '';
		return [field.label, field.kind === 'boolean' ? (value === 'true' ? 'yes' : 'no') : value === '' ? '(empty)' : value] as const;
	});
	const next = automated
		? `Next: ${[hasAdminCredential(view) ? `register the client in ${view.pair.idp.name}` : '', hasAppCredential(view) ? `apply the settings in ${view.pair.app.name}` : ''].filter(Boolean).join(', then ')} (a plan is shown before anything is written), then the checklist of what is left.`
		: `Next: the checklist of what to do by hand in ${view.pair.idp.name} and ${view.pair.app.name}, with your values filled in.`;
	return (
		<Box flexDirection="column">
			{rows.map(([label, value]) => (
				<Text key={label} wrap="truncate-end">
					<Text dimColor>{label}: </Text>
					{value}
				</Text>
			))}
			<Box marginTop={1} flexDirection="column">
				{derivedRows
					.filter(([key]) => values[key])
					.map(([key, label]) => (
						<Text key={key}>
							<Text dimColor>{label}: </Text>
							<Text color="cyan">{values[key]}</Text>
						</Text>
					))}
			</Box>
			<Box marginTop={1}>
				<Text>{next}</Text>
			</Box>
			<Box marginTop={1}>
				<Menu
					items={[
						{label: 'Continue', value: 'continue'},
						{label: 'Edit the answers', value: 'edit'},
						{label: 'Save and quit (resume later)', value: 'quit'},
					]}
					onSelect={(value) => (value === 'continue' ? onContinue() : value === 'edit' ? onEdit() : onQuit())}
				/>
			</Box>
		</Box>
	);
}
