import {Box, Text} from 'ink';
import type {Session, WizardStep} from '../../core/session/store.js';
import {Menu} from '../components/Menu.js';

/** Where a session stopped, in words (never the internal step names). */
const stepNames: Record<WizardStep, string> = {
	pair: 'choosing the pair',
	fields: 'answering the questions',
	warnings: 'reading the warnings',
	review: 'at the review',
	register: 'registering the client',
	apply: 'applying the settings',
	verify: 'verifying',
	checklist: 'at the checklist',
	done: 'done',
};

type Props = {
	resumable: Session[];
	onNew(): void;
	onResume(id: string): void;
};

export function WelcomeScreen({resumable, onNew, onResume}: Props) {
	const items = [
		...resumable.slice(0, 5).map((session) => ({
			label: `Resume ${session.id} (${session.idp} → ${session.app}, ${stepNames[session.step]})`,
			value: `resume:${session.id}`,
		})),
		{label: 'Start a new setup', value: 'new'},
	];
	return (
		<Box flexDirection="column">
			<Text>Connect a self-hosted app to your identity provider, step by step. Nothing is changed until you confirm a plan.</Text>
			{resumable.length > 0 ? (
				<Box marginTop={1}>
					<Text>You have {resumable.length === 1 ? 'an unfinished setup' : `${resumable.length} unfinished setups`}.</Text>
				</Box>
			) : null}
			<Box marginTop={1}>
				<Menu
					items={items}
					onSelect={(value) => {
						if (value === 'new') {
							onNew();
						} else {
							onResume(value.slice('resume:'.length));
						}
					}}
				/>
			</Box>
		</Box>
	);
}
