import {Box, Text} from 'ink';
import {useState} from 'react';
import type {InteractiveResult} from '../../verify/interactive.js';
import type {TryItActions} from '../../wizard/try-it.js';
import {Menu} from './Menu.js';
import {TextField} from './TextField.js';
import {Working} from './Working.js';

type Props = TryItActions & {onDone(): void};

type Step =
	| {name: 'menu'}
	| {name: 'working'; message: string}
	| {name: 'username'}
	| {name: 'secret'; username: string}
	| {name: 'pick-admin'; users: Array<{id: string; label: string}>};

/** The optional real sign-in: open the browser, then (registries) try docker login with the CLI secret. */
export function TryItPanel({loginUrl, registryHost, openInBrowser, dockerLogin, admins, onDone}: Props) {
	const [step, setStep] = useState<Step>({name: 'menu'});
	const [results, setResults] = useState<InteractiveResult[]>([]);
	const record = (result: InteractiveResult) => {
		setResults((previous) => [...previous, result]);
		setStep({name: 'menu'});
	};

	return (
		<Box flexDirection="column">
			{results.map((result, index) => (
				<Text key={index} color={result.status === 'pass' ? 'green' : result.status === 'fail' ? 'red' : undefined}>
					{result.status === 'pass' ? '✔' : result.status === 'fail' ? '✖' : '-'} {result.seen}
					{result.fix ? <Text dimColor> {result.fix}</Text> : null}
				</Text>
			))}
			{step.name === 'working' ? <Working message={step.message} /> : null}
			{step.name === 'username' ? (
				<Box flexDirection="column">
					<Text>Your user name in the registry (shown top right after you signed in):</Text>
					<Box>
						<Text color="cyan">{'› '}</Text>
						<TextField initial="" onSubmit={(username) => (username.trim() ? setStep({name: 'secret', username: username.trim()}) : undefined)} />
					</Box>
				</Box>
			) : null}
			{step.name === 'secret' ? (
				<Box flexDirection="column">
					<Text>Your CLI secret (User Profile → CLI secret); it is used once and not stored:</Text>
					<Box>
						<Text color="cyan">{'› '}</Text>
						<TextField
							initial=""
							mask="•"
							onSubmit={(cliSecret) => {
								if (!cliSecret) {
									return;
								}

								setStep({name: 'working', message: `docker login ${registryHost}…`});
								void dockerLogin({host: registryHost!, username: step.username, cliSecret}).then(record);
							}}
						/>
					</Box>
				</Box>
			) : null}
			{step.name === 'pick-admin' ? (
				<Box flexDirection="column">
					<Text>Which user becomes an administrator of the registry?</Text>
					<Menu
						items={[...step.users.map((user) => ({label: user.label, value: user.id})), {label: 'None of them', value: ''}]}
						onSelect={(id) => {
							const user = step.users.find((candidate) => candidate.id === id);
							if (!user || !admins) {
								setStep({name: 'menu'});
								return;
							}

							setStep({name: 'working', message: `Making ${user.label} an administrator…`});
							void admins.makeAdmin(user.id, user.label).then(record);
						}}
					/>
				</Box>
			) : null}
			{step.name === 'menu' ? (
				<Menu
					items={[
						{label: 'Continue', value: 'next'},
						{label: `Sign in for real: open ${loginUrl} in the browser`, value: 'browser'},
						...(registryHost ? [{label: `Try docker login ${registryHost} with your CLI secret`, value: 'docker'}] : []),
						...(admins ? [{label: 'Make a user an administrator (after their first sign-in)', value: 'admin'}] : []),
					]}
					onSelect={(value) => {
						if (value === 'next') {
							onDone();
						} else if (value === 'admin' && admins) {
							setStep({name: 'working', message: 'Reading the registry users…'});
							void admins.listUsers().then(
								(users) => (users.length > 0 ? setStep({name: 'pick-admin', users}) : record({status: 'skipped', seen: 'The registry has no users yet: sign in through the identity provider first, then try again.'})),
								(error: unknown) => record({status: 'fail', seen: error instanceof Error ? error.message : String(error)}),
							);
						} else if (value === 'browser') {
							setStep({name: 'working', message: 'Opening the browser…'});
							void openInBrowser(loginUrl).then(record);
						} else {
							setStep({name: 'username'});
						}
					}}
				/>
			) : null}
		</Box>
	);
}
