import {Box, Text} from 'ink';
import type {SessionView} from '../../wizard/machine.js';
import {fieldDefault} from '../../core/flows/pair.js';
import {currentValues, hasAdminCredential, hasAppCredential, visibleFields} from '../../wizard/machine.js';
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
	const fields = visibleFields(view);
	const secrets = fields.filter((field) => field.kind === 'secret' && view.presentSecrets.has(field.key)).map((field) => field.label.replace(/ \(.*\)$/, ''));
	// Optional settings left empty or at their default are summed up in one line, to fit 80×24.
	const atDefault = (field: (typeof fields)[number]) => {
		const value = view.session.answers[field.key] ?? '';
		return value === '' ? field.optional : (field.optional || field.kind === 'boolean') && value === (fieldDefault(view.pair, field, view.session.answers) ?? '');
	};

	const rows = fields
		.filter((field) => field.kind !== 'secret' && !atDefault(field))
		.map((field) => {
			const value = view.session.answers[field.key] ?? '';
			return [field.label, field.kind === 'boolean' ? (value === 'true' ? 'yes' : 'no') : value] as const;
		});
	const hidden = fields.filter((field) => field.kind !== 'secret' && atDefault(field)).length;
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
			<Text wrap="truncate-end">
				<Text dimColor>Secrets (in the keychain, shown as ••••••): </Text>
				{secrets.length > 0 ? secrets.join(', ') : 'none'}
			</Text>
			{hidden > 0 ? <Text dimColor>{hidden} more {hidden === 1 ? 'setting is' : 'settings are'} empty or at the default (Edit the answers to see them).</Text> : null}
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
