import type {CommandName} from './parse.js';

const common = `Global options:
  --flows DIR      load extra flow files (YAML) from DIR; may be repeated
  --no-color       no colours (NO_COLOR=1 does the same)
  -h, --help       show help
  -v, --version    show the version
`;

const texts: Record<CommandName | 'main', string> = {
	main: `sso-setup: connect a self-hosted app to an OpenID Connect identity provider, and prove it works.

Usage:
  sso-setup                 start the interactive wizard (needs a terminal)
  sso-setup resume [ID]     continue a saved, unfinished session
  sso-setup sessions        list saved sessions; "sessions forget ID" deletes one
  sso-setup checklist       print the manual procedure for an IdP and an app
  sso-setup apply           register the client and apply the app settings, without prompts
  sso-setup verify          check a live setup end to end
  sso-setup rollback [ID]   restore the app settings a session changed

Identity providers: authentik, pocket-id, keycloak, oidc (any other, by issuer URL)
Apps: harbor, portainer, ovh-mpr (OVHcloud Managed Private Registry)

Examples:
  npx sso-setup
  sso-setup checklist --idp authentik --app harbor --set app_url=https://harbor.example.com \\
    --set idp_url=https://auth.example.com --set slug=harbor
  SSO_SETUP_HARBOR_ADMIN_PASSWORD=… SSO_SETUP_CLIENT_SECRET=… sso-setup apply --idp oidc --app harbor \\
    --set issuer=https://login.example.com --set client_id=harbor --set app_url=https://harbor.example.com --yes

Secrets (*_secret, *_password, *_token, *_api_key, ovh_consumer_key) are never taken from the command line: they come
from the keychain (saved sessions), from SSO_SETUP_<KEY> environment variables, or from a prompt.
State: $SSO_SETUP_HOME, else your config directory (~/.config/sso-setup on Linux).
Exit codes: 0 ok · 1 a check or operation failed · 2 bad usage or input · 3 blocked by a precondition · 130 interrupted

${common}`,
	wizard: '',
	resume: `Usage: sso-setup resume [ID]

Continue a saved, unfinished session where it stopped: saved answers are the defaults (Enter keeps
them) and secrets are read back from the keychain. Without ID: the newest one, or a picker when
there are several.

${common}`,
	sessions: `Usage: sso-setup sessions
       sso-setup sessions forget ID

List saved sessions (id, IdP → app, step reached, last change), or delete one session file and its
keychain entries.

${common}`,
	checklist: `Usage: sso-setup checklist --idp I --app A [--set key=value …] [--session ID] [--format F] [-o FILE]

Print the complete manual procedure for the pair: the IdP side, the app side, verification and
warnings, with your values filled in. Unknown values stay as <placeholders>; secrets are never printed.

Options:
  --idp I            authentik, pocket-id, keycloak, oidc (or one from --flows)
  --app A            harbor, portainer, ovh-mpr (or one from --flows)
  --set key=value    a value, e.g. app_url=https://harbor.example.com (repeatable)
  --session ID       take the values from a saved session
  --format F         markdown (default), text or json
  -o, --output FILE  write to FILE instead of the screen

${common}`,
	apply: `Usage: sso-setup apply --idp I --app A [--set key=value …] [--session ID] [--yes] [--dry-run] [--delete-users A,B]
                        [--allow-plain-http-secret]

Do the wizard's work without prompts: register (or update) the client at the IdP when its admin
credential is present (SSO_SETUP_AUTHENTIK_TOKEN, SSO_SETUP_KEYCLOAK_ADMIN_PASSWORD,
SSO_SETUP_POCKET_ID_API_KEY; otherwise give client_id and SSO_SETUP_CLIENT_SECRET), then apply the
app's settings. The plan of both sides is printed; nothing is written without --yes.

Options:
  --yes, -y             write the changes
  --dry-run, -n         stop after the plan
  --delete-users LIST   the local users to delete (Harbor local users, OVH deleteUsers): exactly the
                        users the preflight lists; --yes alone never deletes anyone (exit 3)
  --allow-plain-http-secret
                        write IdP URLs that would carry the client secret over plain http://
                        (a downgrade from an https:// issuer, or a host that is not loopback);
                        without it apply refuses them (exit 2)
  --idp, --app, --set, --session   as for checklist

${common}`,
	verify: `Usage: sso-setup verify (--session ID | --idp I --app A --set key=value …) [--json] [--sign-in [--yes]]

Run every verification check against a live setup, including ones not made by sso-setup: discovery,
issuer, scopes, client secret, redirect URI, the app's settings, and the local admin's way back in.
Exit 0 only when no check fails; 2 when nothing could be checked.

Options:
  --json      one machine-readable JSON document (with --sign-in, the chain as "signIn")
  --sign-in   after the checks, prove a real sign-in: create a throw-away test user at the IdP
              (sso-setup-test-…, random password never shown or stored), follow the app's own
              sign-in over HTTP to its callback, confirm the user in the app (and its admin rights
              when admin_group is set), then delete the user from both. It says so and asks first.
              Needs the IdP's admin credential (SSO_SETUP_AUTHENTIK_TOKEN,
              SSO_SETUP_KEYCLOAK_ADMIN_PASSWORD, SSO_SETUP_POCKET_ID_API_KEY or the saved session);
              for an IdP without an admin API (oidc), your test account: --set test_user=NAME and
              SSO_SETUP_TEST_USER_PASSWORD (its copy in the app is deleted, the account is kept).
              A sign-in that passed outweighs a probe that disagreed (shown as a warning).
  --yes, -y   allow --sign-in without being asked (needed where there is no terminal)

If a run is stopped (Ctrl+C), the test user is deleted before it exits, or by the next run of any
command for that session (verify --session ID, as the message says).

${common}`,
	rollback: `Usage: sso-setup rollback [ID] [--yes]

Restore the app settings that the session saved before it changed them. Without --yes it only shows
what it would restore. Without ID: the one session that holds a backup (when several do, they are
listed). The client secret cannot be read back from the apps, so it is not restored.

${common}`,
};

export function helpText(topic: CommandName | 'main'): string {
	return topic === 'wizard' ? texts.main : texts[topic];
}
