import {Box, Text, useApp, useInput} from 'ink';
import {Spinner} from './components/Spinner.js';
import {useEffect} from 'react';
import {buildChecklist} from '../checklist/build.js';
import {formatChecklist, plain} from '../checklist/format.js';
import {currentValues, initialValue, type SessionView, visibleFields, warningsToShow} from '../wizard/machine.js';
import type {WizardController} from '../wizard/controller.js';
import {renderTemplate} from '../core/template.js';
import {Frame} from './components/Frame.js';
import {useWizardState} from './hooks/use-wizard-state.js';
import {AutomationStep} from './screens/AutomationStep.js';
import {ChecklistScreen} from './screens/ChecklistScreen.js';
import {FieldScreen} from './screens/FieldScreen.js';
import {KeychainScreen} from './screens/KeychainScreen.js';
import {PickerScreen} from './screens/PickerScreen.js';
import {ReviewScreen} from './screens/ReviewScreen.js';
import {WarningScreen} from './screens/WarningScreen.js';
import {WelcomeScreen} from './screens/WelcomeScreen.js';

type Props = {
	controller: WizardController;
};

const automationTitles = {
	register: (idp: string) => `Register the client in ${idp}`,
	apply: (_idp: string, app: string) => `Apply the settings in ${app}`,
	verify: () => 'Verify the connection',
};

export function App({controller}: Props) {
	const state = useWizardState(controller);
	const {exit} = useApp();
	useInput((input, key) => {
		if (key.ctrl && input === 'c') {
			controller.interrupt();
		} else if (key.escape) {
			controller.back();
		}
	});
	useEffect(() => {
		if (state.exit) {
			exit();
		}
	}, [state.exit, exit]);

	const {screen, view, notice} = state;
	const context = view ? `${view.pair.idp.name} → ${view.pair.app.name}` : undefined;
	const catalogue = controller.catalogue;
	switch (screen.name) {
		case 'loading': {
			return (
				<Text>
					<Text color="cyan">
						<Spinner />
					</Text>{' '}
					{screen.message}
				</Text>
			);
		}

		case 'welcome': {
			return (
				<Frame title="Welcome" notice={notice} hints="Enter: choose · Ctrl+C: quit">
					<WelcomeScreen resumable={screen.resumable} onNew={() => void controller.startNew()} onResume={(id) => void controller.resumeSession(id).catch((error: unknown) => controller.fail(error))} />
				</Frame>
			);
		}

		case 'keychain': {
			return (
				<Frame title="No keychain" hints="Enter: choose · Ctrl+C: quit">
					<KeychainScreen reason={screen.reason} onMemory={() => void controller.useMemoryStorage().catch((error: unknown) => controller.fail(error))} onQuit={() => controller.quit('Nothing was saved.')} />
				</Frame>
			);
		}

		case 'idp': {
			return (
				<Frame title="Which identity provider?" step="1/2">
					<PickerScreen
						intro="Where do your users sign in?"
						items={byOrder([...catalogue.idps.values()]).map((flow) => ({label: flow.description ? `${flow.name} — ${flow.description}` : flow.name, value: flow.id}))}
						initialValue={view?.session.idp}
						onSelect={(id) => controller.chooseIdp(id)}
					/>
				</Frame>
			);
		}

		case 'app': {
			return (
				<Frame title="Which app?" step="2/2">
					<PickerScreen
						intro="Which app should sign its users in through it?"
						items={byOrder([...catalogue.apps.values()]).map((flow) => ({label: flow.description ? `${flow.name} — ${flow.description}` : flow.name, value: flow.id}))}
						initialValue={view?.session.app}
						onSelect={(id) => controller.chooseApp(id)}
					/>
				</Frame>
			);
		}

		case 'fields': {
			if (!view) {
				return null;
			}

			const fields = visibleFields(view);
			const field = fields[screen.index];
			if (!field) {
				return null;
			}

			const firstRegistrationField = field.role === 'registration' && fields.findIndex((candidate) => candidate.role === 'registration') === screen.index;
			return (
				<Frame title={field.label} context={context} step={`question ${screen.index + 1} of ${fields.length}`} notice={notice} hints="Enter: next · Esc: back · Ctrl+C: save and quit">
					{firstRegistrationField ? <ManualIdpSteps view={view} /> : null}
					<FieldScreen
						key={field.key}
						field={field}
						initial={initialValue(view, field)}
						secretStored={view.presentSecrets.has(field.key)}
						scopeSeparator={view.pair.app.scopes.separator}
						onSubmit={async (raw, companions) => controller.submitField(raw, companions)}
						loadOptions={field.options_from ? async () => controller.fieldOptions(field) : undefined}
					/>
				</Frame>
			);
		}

		case 'warnings': {
			if (!view) {
				return null;
			}

			const warnings = warningsToShow(view);
			const warning = warnings[screen.index];
			if (!warning) {
				return null;
			}

			const values = currentValues(view);
			return (
				<Frame title="Before you go on" context={context} notice={notice} hints="Enter: continue · Esc: back · Ctrl+C: save and quit">
					<WarningScreen
						warning={{...warning, title: renderTemplate(warning.title, values), text: renderTemplate(warning.text, values)}}
						position={`${screen.index + 1} of ${warnings.length}`}
						onAcknowledge={() => controller.acknowledgeWarning()}
					/>
				</Frame>
			);
		}

		case 'review': {
			if (!view) {
				return null;
			}

			return (
				<Frame title="Review" context={context} notice={notice}>
					<ReviewScreen view={view} automated={controller.hasAutomation(view)} onContinue={() => controller.confirmReview()} onEdit={() => controller.editAnswers()} onQuit={() => controller.interrupt()} />
				</Frame>
			);
		}

		case 'automation': {
			return (
				<Frame title={automationTitles[screen.stage](view?.pair.idp.name ?? '', view?.pair.app.name ?? '')} context={context} notice={notice} hints="Enter: choose · Ctrl+C: save and quit">
					<AutomationStep key={screen.stage} controller={controller} stage={screen.stage} />
				</Frame>
			);
		}

		case 'checklist': {
			if (!view) {
				return null;
			}

			const done = {idp: view.session.completed.includes('register'), app: view.session.completed.includes('apply')};
			const checklist = buildChecklist(view.pair, view.session.answers, view.presentSecrets, done);
			return (
				<Frame title={done.idp && done.app ? 'Done: the checklist, for reference' : 'What is left to do by hand'} context={context} notice={notice} hints="Enter: choose · Esc: back · Ctrl+C: save and quit">
					<ChecklistScreen
						checklist={checklist}
						defaultFile={`sso-setup-${view.session.id}.md`}
						onWrite={(file) => controller.writeChecklist(checklist, file)}
						onFinish={() => controller.complete(formatChecklist(checklist, 'text'))}
					/>
				</Frame>
			);
		}

		case 'done': {
			return <Box />;
		}
	}
}

function byOrder<T extends {order: number; name: string}>(flows: T[]): T[] {
	return flows.sort((a, b) => a.order - b.order || a.name.localeCompare(b.name));
}

/**
 * On the manual path, the IdP steps come right before the client ID they produce: their titles and
 * the redirect URI to register, short enough for 80×24 (the full text is in the final checklist).
 */
function ManualIdpSteps({view}: {view: SessionView}) {
	const steps = buildChecklist(view.pair, view.session.answers, view.presentSecrets).sections[0]?.steps ?? [];
	const redirectUri = currentValues(view)['redirect_uri'];
	return (
		<Box flexDirection="column" marginBottom={1}>
			<Text>First create the client in {view.pair.idp.name}:</Text>
			{steps.map((step, index) => (
				<Text key={index}>
					{'  '}
					{index + 1}. {plain(step.title)}
				</Text>
			))}
			{redirectUri ? (
				<Text>
					Redirect URI to register: <Text color="cyan">{redirectUri}</Text>
				</Text>
			) : null}
			<Text dimColor>Every step in detail: the checklist at the end, or sso-setup checklist --session {view.session.id}</Text>
		</Box>
	);
}
