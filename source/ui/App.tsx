import {Box, Text, useApp, useInput} from 'ink';
import {Spinner} from './components/Spinner.js';
import {useEffect} from 'react';
import {buildChecklist} from '../checklist/build.js';
import {formatChecklist} from '../checklist/format.js';
import {terminalWidth} from '../checklist/wrap.js';
import {currentValues, initialValue, lostSides, manualSteps, visibleFields, warningsToShow} from '../wizard/machine.js';
import type {WizardController} from '../wizard/controller.js';
import {renderTemplate} from '../core/template.js';
import {Frame} from './components/Frame.js';
import {useWizardState} from './hooks/use-wizard-state.js';
import {AutomationStep} from './screens/AutomationStep.js';
import {ChecklistScreen} from './screens/ChecklistScreen.js';
import {FieldScreen} from './screens/FieldScreen.js';
import {KeychainScreen} from './screens/KeychainScreen.js';
import {LostSecretsScreen} from './screens/LostSecretsScreen.js';
import {StepsScreen} from './screens/StepsScreen.js';
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
		} else if (key.escape && controller.state.screen.name !== 'automation') {
			// An automated step handles Esc itself: not while it waits for an answer.
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
				<Frame title="Which identity provider?" step="1/2" hints={`↑↓ Enter: choose · Ctrl+C: ${view ? 'save and quit' : 'quit'}`}>
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
						onSelect={(id) => void controller.chooseApp(id).catch((error: unknown) => controller.fail(error))}
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

			return (
				<Frame title={field.label} context={context} step={`question ${screen.index + 1} of ${fields.length}`} notice={notice} hints="Enter: next · Esc: back · Ctrl+C: save and quit">
					<FieldScreen
						key={field.key}
						field={field}
						initial={initialValue(view, field)}
						secretStored={view.presentSecrets.has(field.key)}
						scopeSeparator={view.pair.app.scopes.separator}
						onSubmit={async (raw, companions) => controller.submitField(raw, companions, field.key)}
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
				<ReviewScreen
					view={view}
					automated={controller.hasAutomation(view)}
					storage={state.storage}
					context={context}
					notice={notice}
					onContinue={() => controller.confirmReview()}
					onEdit={() => controller.editAnswers()}
					onQuit={() => controller.interrupt()}
				/>
			);
		}

		case 'steps': {
			if (!view) {
				return null;
			}

			const after = screen.then.name === 'fields' ? `ask for the ${visibleFields(view)[screen.then.index]?.label ?? 'values'}` : 'go on';
			return (
				<StepsScreen
					key={`${screen.side}-${screen.index}`}
					where={`in ${screen.side === 'idp' ? view.pair.idp.name : view.pair.app.name}`}
					steps={manualSteps(view, screen.side)}
					index={screen.index}
					after={after}
					context={context}
					notice={notice}
					onNext={() => controller.nextStep()}
					onQuit={() => controller.interrupt()}
				/>
			);
		}

		case 'lost-secrets': {
			if (!view) {
				return null;
			}

			const labels = screen.keys.map((key) => [...view.pair.idp.fields, ...view.pair.app.fields].find((field) => field.key === key)?.label.replace(/ \(.*\)$/, '') ?? key);
			const consequences = lostSides(view, screen.keys).map((side) => (side === 'idp' ? `the client is created by hand in ${view.pair.idp.name}` : `the settings are entered by hand in ${view.pair.app.name}`));
			return (
				<Frame title="Secrets to give again" context={context} notice={notice} hints="↑↓ Enter: choose · Ctrl+C: save and quit">
					<LostSecretsScreen
						sessionId={view.session.id}
						labels={labels}
						storage={state.storage}
						consequences={consequences}
						onRetype={() => controller.retypeLostSecrets()}
						onWithout={() => controller.continueWithoutLostSecrets()}
						onQuit={() => controller.interrupt()}
					/>
				</Frame>
			);
		}

		case 'automation': {
			return (
				<AutomationStep
					key={screen.stage}
					controller={controller}
					stage={screen.stage}
					title={automationTitles[screen.stage](view?.pair.idp.name ?? '', view?.pair.app.name ?? '')}
					context={context}
					notice={notice}
				/>
			);
		}

		case 'checklist': {
			if (!view) {
				return null;
			}

			const done = {idp: view.session.completed.includes('register'), app: view.session.completed.includes('apply')};
			const checklist = buildChecklist(view.pair, view.session.answers, view.presentSecrets, done, controller.secretPlaces(view));
			const verifyCommand = controller.command(`verify --session ${view.session.id}`);
			return (
				<Frame title={done.idp && done.app ? 'Done: the checklist, for reference' : 'What is left to do by hand'} context={context} notice={notice} hints="↑↓ Enter: choose · Esc: back · Ctrl+C: save and quit">
					<ChecklistScreen
						checklist={checklist}
						defaultFile={`sso-setup-${view.session.id}.md`}
						onWrite={(file) => controller.writeChecklist(checklist, file)}
						onFinish={() => controller.complete(`${formatChecklist(checklist, 'text', {width: terminalWidth()})}\nCheck the connection any time with:\n  ${verifyCommand}`)}
						verify={done.idp && done.app ? undefined : {onChoose: () => controller.verifyFromChecklist(), command: verifyCommand}}
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
