import {Text} from 'ink';
import Spinner from 'ink-spinner';

export function Working({message}: {message: string}) {
	return (
		<Text>
			<Text color="cyan">
				<Spinner type="dots" />
			</Text>{' '}
			{message}
		</Text>
	);
}
