import {Box, Text} from 'ink';
import {Menu} from '../components/Menu.js';

type Props = {
	reason: string;
	onMemory(): void;
	onQuit(): void;
};

/** No keychain: say so plainly and let the person choose; never fall back to plaintext. */
export function KeychainScreen({reason, onMemory, onQuit}: Props) {
	return (
		<Box flexDirection="column">
			<Text color="yellow">The OS keychain cannot be used: {reason}.</Text>
			<Box marginTop={1}>
				<Text>sso-setup keeps passwords, tokens and client secrets only in the keychain, never in files. Without it, secrets can be kept in memory for this run only: if you stop and resume later, you will be asked for them again.</Text>
			</Box>
			<Box marginTop={1}>
				<Menu
					items={[
						{label: 'Keep secrets in memory for this run only', value: 'memory'},
						{label: 'Quit (start a keyring daemon, e.g. gnome-keyring, and run again)', value: 'quit'},
					]}
					onSelect={(value) => (value === 'memory' ? onMemory() : onQuit())}
				/>
			</Box>
		</Box>
	);
}
