import {Box, Text} from 'ink';
import {Menu} from '../components/Menu.js';

type Props = {
	sessionId: string;
	/** The labels of the secrets that are gone. */
	labels: string[];
	storage: 'keychain' | 'memory' | 'pending';
	/** What cannot be automated without them ("the client is created by hand in authentik"). */
	consequences: string[];
	onRetype(): void;
	onWithout(): void;
	onQuit(): void;
};

/** After resume: the secrets given before are gone. Say why, and offer to type them again. */
export function LostSecretsScreen({sessionId, labels, storage, consequences, onRetype, onWithout, onQuit}: Props) {
	const them = labels.length === 1 ? 'it' : 'them';
	const why =
		storage === 'memory'
			? `No keychain can be used, so the run that saved session ${sessionId} kept its secrets in memory, and they ended with it.`
			: `The keychain holds them no more for session ${sessionId} (it was cleared, or the run that saved it had no keychain).`;
	return (
		<Box flexDirection="column">
			<Text color="yellow">⚠ Not here any more: {labels.join(', ')}.</Text>
			<Box marginTop={1}>
				<Text>{why}</Text>
			</Box>
			{consequences.length > 0 ? (
				<Box marginTop={1}>
					<Text>Without {them}, {consequences.join('; ')}.</Text>
				</Box>
			) : null}
			<Box marginTop={1}>
				<Menu
					items={[
						{label: `Type ${them} again`, value: 'retype'},
						...(consequences.length > 0 ? [{label: 'Continue by hand without them', value: 'without'}] : []),
						{label: 'Save and quit (resume later)', value: 'quit'},
					]}
					onSelect={(value) => (value === 'retype' ? onRetype() : value === 'without' ? onWithout() : onQuit())}
				/>
			</Box>
		</Box>
	);
}
