import {Text} from 'ink';
import {Spinner} from './Spinner.js';

export function Working({message}: {message: string}) {
	return (
		<Text>
			<Text color="cyan">
				<Spinner />
			</Text>{' '}
			{message}
		</Text>
	);
}
