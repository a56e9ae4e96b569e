/**
 * Provider ids as literal types: from each factory, called or not; `signIn()` and
 * `getAccessToken()` of `NextAuth()` accept only the config's ids, and any string when the
 * config is typed `NextAuthConfig` or lazy.
 */
import type { OAuthConfig, OAuthProviderId, Profile, ProviderId } from "latch";
import NextAuth, { type NextAuthConfig, type NextAuthResult } from "latch/next";
import Credentials from "latch/providers/credentials";
import Email from "latch/providers/email";
import Nodemailer from "latch/providers/nodemailer";
import OAuth from "latch/providers/oauth";
import OIDC from "latch/providers/oidc";
import Passkey from "latch/providers/passkey";
import type Apple from "latch/providers/apple";
import type Atlassian from "latch/providers/atlassian";
import type Auth0 from "latch/providers/auth0";
import type Authentik from "latch/providers/authentik";
import type Bitbucket from "latch/providers/bitbucket";
import type Cognito from "latch/providers/cognito";
import type Discord from "latch/providers/discord";
import type Dropbox from "latch/providers/dropbox";
import type Facebook from "latch/providers/facebook";
import GitHub from "latch/providers/github";
import type GitLab from "latch/providers/gitlab";
import Google from "latch/providers/google";
import type HubSpot from "latch/providers/hubspot";
import type Kakao from "latch/providers/kakao";
import type Keycloak from "latch/providers/keycloak";
import type LinkedIn from "latch/providers/linkedin";
import type MicrosoftEntraId from "latch/providers/microsoft-entra-id";
import type Notion from "latch/providers/notion";
import type Okta from "latch/providers/okta";
import type Patreon from "latch/providers/patreon";
import type Reddit from "latch/providers/reddit";
import type Salesforce from "latch/providers/salesforce";
import type Slack from "latch/providers/slack";
import type Spotify from "latch/providers/spotify";
import type Strava from "latch/providers/strava";
import type Twitch from "latch/providers/twitch";
import type Twitter from "latch/providers/twitter";
import type WorkOS from "latch/providers/workos";
import type Yandex from "latch/providers/yandex";
import type Zitadel from "latch/providers/zitadel";
import type Zoom from "latch/providers/zoom";
import { expectTypeOf } from "vitest";
import { getAccessToken, signIn } from "./auth.js";

// Every catalogue factory passed uncalled (`providers: [GitHub]`) stands for its default id.
expectTypeOf<ProviderId<typeof Apple>>().toEqualTypeOf<"apple">();
expectTypeOf<ProviderId<typeof Atlassian>>().toEqualTypeOf<"atlassian">();
expectTypeOf<ProviderId<typeof Auth0>>().toEqualTypeOf<"auth0">();
expectTypeOf<ProviderId<typeof Authentik>>().toEqualTypeOf<"authentik">();
expectTypeOf<ProviderId<typeof Bitbucket>>().toEqualTypeOf<"bitbucket">();
expectTypeOf<ProviderId<typeof Cognito>>().toEqualTypeOf<"cognito">();
expectTypeOf<ProviderId<typeof Discord>>().toEqualTypeOf<"discord">();
expectTypeOf<ProviderId<typeof Dropbox>>().toEqualTypeOf<"dropbox">();
expectTypeOf<ProviderId<typeof Facebook>>().toEqualTypeOf<"facebook">();
expectTypeOf<ProviderId<typeof GitHub>>().toEqualTypeOf<"github">();
expectTypeOf<ProviderId<typeof GitLab>>().toEqualTypeOf<"gitlab">();
expectTypeOf<ProviderId<typeof Google>>().toEqualTypeOf<"google">();
expectTypeOf<ProviderId<typeof HubSpot>>().toEqualTypeOf<"hubspot">();
expectTypeOf<ProviderId<typeof Kakao>>().toEqualTypeOf<"kakao">();
expectTypeOf<ProviderId<typeof Keycloak>>().toEqualTypeOf<"keycloak">();
expectTypeOf<ProviderId<typeof LinkedIn>>().toEqualTypeOf<"linkedin">();
expectTypeOf<ProviderId<typeof MicrosoftEntraId>>().toEqualTypeOf<"microsoft-entra-id">();
expectTypeOf<ProviderId<typeof Notion>>().toEqualTypeOf<"notion">();
expectTypeOf<ProviderId<typeof Okta>>().toEqualTypeOf<"okta">();
expectTypeOf<ProviderId<typeof Patreon>>().toEqualTypeOf<"patreon">();
expectTypeOf<ProviderId<typeof Reddit>>().toEqualTypeOf<"reddit">();
expectTypeOf<ProviderId<typeof Salesforce>>().toEqualTypeOf<"salesforce">();
expectTypeOf<ProviderId<typeof Slack>>().toEqualTypeOf<"slack">();
expectTypeOf<ProviderId<typeof Spotify>>().toEqualTypeOf<"spotify">();
expectTypeOf<ProviderId<typeof Strava>>().toEqualTypeOf<"strava">();
expectTypeOf<ProviderId<typeof Twitch>>().toEqualTypeOf<"twitch">();
expectTypeOf<ProviderId<typeof Twitter>>().toEqualTypeOf<"twitter">();
expectTypeOf<ProviderId<typeof WorkOS>>().toEqualTypeOf<"workos">();
expectTypeOf<ProviderId<typeof Yandex>>().toEqualTypeOf<"yandex">();
expectTypeOf<ProviderId<typeof Zitadel>>().toEqualTypeOf<"zitadel">();
expectTypeOf<ProviderId<typeof Zoom>>().toEqualTypeOf<"zoom">();

// Called: the default id, or the one given.
expectTypeOf(GitHub().id).toEqualTypeOf<"github">();
expectTypeOf(GitHub({ clientId: "x" }).id).toEqualTypeOf<"github">();
expectTypeOf(GitHub({ id: "gh", enterprise: { baseUrl: "https://github.example.com" } }).id).toEqualTypeOf<"gh">();
expectTypeOf(Google({ id: "google-workspace" }).id).toEqualTypeOf<"google-workspace">();
declare const someId: string;
expectTypeOf(GitHub({ id: someId }).id).toEqualTypeOf<string>();

// The generic factories: `OIDC` and `OAuth` take the id given; with the profile type given
// explicitly the id cannot be inferred and is any string.
interface AcmeProfile extends Profile {
  acme_id: string;
}
expectTypeOf<ProviderId<typeof OIDC>>().toEqualTypeOf<"oidc">();
expectTypeOf<ProviderId<typeof OAuth>>().toEqualTypeOf<"oauth">();
expectTypeOf(OIDC({ id: "local", issuer: "https://id.acme.test" }).id).toEqualTypeOf<"local">();
expectTypeOf(OAuth({ id: "acme", profile: (p: AcmeProfile) => ({ id: p.acme_id, role: "member" }) })).toEqualTypeOf<OAuthConfig<AcmeProfile, "acme">>();
expectTypeOf(OIDC<AcmeProfile>({ issuer: "https://id.acme.test" }).id).toEqualTypeOf<"oidc">();
expectTypeOf(OIDC<AcmeProfile>({ id: "acme", issuer: "https://id.acme.test" }).id).toEqualTypeOf<string>();

// The other kinds.
const password = Credentials({ credentials: { password: { type: "password" } }, authorize: () => null });
expectTypeOf(password.id).toEqualTypeOf<"credentials">();
expectTypeOf(Credentials({ id: "pin", credentials: {}, authorize: () => null }).id).toEqualTypeOf<"pin">();
expectTypeOf(Credentials<{ pin: { type: "password" } }>({ id: "pin", credentials: { pin: { type: "password" } }, authorize: () => null }).id).toEqualTypeOf<string>();
expectTypeOf(Email({ sendVerificationRequest: () => undefined }).id).toEqualTypeOf<"email">();
expectTypeOf(Email({ id: "mail", sendVerificationRequest: () => undefined }).id).toEqualTypeOf<"mail">();
expectTypeOf<ProviderId<typeof Nodemailer>>().toEqualTypeOf<"nodemailer">();
expectTypeOf(Nodemailer({ id: "email", server: "smtp://127.0.0.1:2525" }).id).toEqualTypeOf<"email">();
expectTypeOf<ProviderId<typeof Passkey>>().toEqualTypeOf<"passkey">();
expectTypeOf(Passkey({ id: "webauthn" }).id).toEqualTypeOf<"webauthn">();

// `NextAuth({ providers: [...] })`: the union of the ids; getAccessToken only the OAuth/OIDC ones.
expectTypeOf<Parameters<typeof signIn>[0]>().toEqualTypeOf<"github" | "local" | "credentials" | undefined>();
expectTypeOf(getAccessToken).parameter(0).toEqualTypeOf<"github" | "local">();
expectTypeOf(signIn).toBeCallableWith("credentials", { email: "a@b.test", redirectTo: "/" });
expectTypeOf(signIn).toBeCallableWith();
expectTypeOf<"githb">().not.toExtend<Parameters<typeof signIn>[0]>();
// An id known only at run time (a custom sign-in page's list, a form field) is any string, as in next-auth.
declare const runtimeId: string;
expectTypeOf(signIn).toBeCallableWith(runtimeId, { redirectTo: "/" });
expectTypeOf<"credentials">().not.toExtend<Parameters<typeof getAccessToken>[0]>();

// Providers chosen at run time: every branch's ids.
declare const useGitHub: boolean;
const chosen = NextAuth({ providers: useGitHub ? [GitHub, password] : [OIDC({ id: "local", issuer: "https://id.acme.test" }), password] });
expectTypeOf<Parameters<typeof chosen.signIn>[0]>().toEqualTypeOf<"github" | "local" | "credentials" | undefined>();
expectTypeOf(chosen.signIn).toBeCallableWith("local");

// Factories called in the array keep their default ids (the array's context does not widen them).
const inline = NextAuth({ providers: [Google({ clientId: "x" }), Nodemailer({ server: "smtp://127.0.0.1:2525" })] });
expectTypeOf<Parameters<typeof inline.signIn>[0]>().toEqualTypeOf<"google" | "nodemailer" | undefined>();
expectTypeOf(inline.signIn).toBeCallableWith("nodemailer");

// A config checked with `satisfies` keeps its ids.
const checked = { providers: [GitHub, Passkey] } satisfies NextAuthConfig;
const checkedResult = NextAuth(checked);
expectTypeOf<Parameters<typeof checkedResult.signIn>[0]>().toEqualTypeOf<"github" | "passkey" | undefined>();
expectTypeOf(checkedResult.signIn).toBeCallableWith("passkey");
expectTypeOf<ProviderId<(typeof checked.providers)[number]>>().toEqualTypeOf<"github" | "passkey">();
expectTypeOf<OAuthProviderId<(typeof checked.providers)[number]>>().toEqualTypeOf<"github">();

// No regression: a config typed `NextAuthConfig`, or the lazy form, takes any string.
const typed: NextAuthConfig = { providers: [GitHub] };
const typedResult = NextAuth(typed);
expectTypeOf<Parameters<typeof typedResult.signIn>[0]>().toEqualTypeOf<string | undefined>();
expectTypeOf(typedResult.signIn).toBeCallableWith("any-provider");
expectTypeOf(NextAuth(typed).getAccessToken).parameter(0).toEqualTypeOf<string>();
const lazy = NextAuth(async () => typed);
expectTypeOf<Parameters<typeof lazy.signIn>[0]>().toEqualTypeOf<string | undefined>();
expectTypeOf(lazy.getAccessToken).parameter(0).toEqualTypeOf<string>();

// A result with known ids is still a `NextAuthResult`, and a `NextAuthResult` names any.
export const annotated: NextAuthResult = NextAuth({ providers: [GitHub] });
expectTypeOf<ProviderId>().toEqualTypeOf<string>();
