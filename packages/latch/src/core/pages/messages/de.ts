import type { Messages } from "./catalogue.js";

/** German, in the formal address (Sie). */
export const de: Messages = {
  signIn: {
    title: "Anmelden",
    withProvider: (provider) => `Mit ${provider} anmelden`,
    email: "E-Mail",
    emailPlaceholder: "name@beispiel.de",
    or: "oder",
    noMethods: "Es ist keine Anmeldemethode eingerichtet.",
    errors: {
      Configuration:
        "Die Anmeldung ist wegen eines Problems auf dem Server fehlgeschlagen. Versuchen Sie es später erneut oder wählen Sie eine andere Anmeldemethode.",
      CredentialsSignin: "Die Anmeldung ist fehlgeschlagen. Prüfen Sie, ob Ihre Angaben stimmen.",
      EmailSignin: "Die E-Mail konnte nicht gesendet werden, oder die Adresse ist ungültig. Prüfen Sie die Adresse und versuchen Sie es erneut.",
      MissingCSRF: "Das Formular ist abgelaufen. Bitte versuchen Sie es erneut.",
      OAuthAccountNotLinked: "Um Ihre Identität zu bestätigen, melden Sie sich mit demselben Konto an, das Sie ursprünglich verwendet haben.",
      OAuthCallbackError: "Die Anmeldung wurde nicht abgeschlossen. Bitte versuchen Sie es erneut.",
      OAuthSignin: "Versuchen Sie, sich mit einem anderen Konto anzumelden.",
      RateLimited: "Zu viele Anmeldeversuche. Warten Sie einige Minuten und versuchen Sie es dann erneut.",
      SessionRequired: "Bitte melden Sie sich an, um diese Seite zu sehen.",
      WebAuthnVerificationError:
        "Der Passkey konnte nicht verwendet oder registriert werden. Versuchen Sie es erneut. Gehört diese E-Mail-Adresse bereits zu einem Konto, melden Sie sich zuerst dort an und fügen Sie dann einen Passkey hinzu.",
      default: "Die Anmeldung ist nicht möglich.",
    },
  },
  passkey: {
    signIn: "Mit Passkey anmelden",
    createAccount: "Konto mit Passkey erstellen",
    addToAccount: "Passkey zu Ihrem Konto hinzufügen",
    signedInAs: (who) => (who ? `Angemeldet als ${who}.` : "Sie sind angemeldet."),
    unsupported: "Dieser Browser unterstützt keine Passkeys.",
    needsJavaScript: "Die Anmeldung mit Passkey erfordert JavaScript.",
    enterEmail: "Geben Sie Ihre E-Mail-Adresse ein, um ein Konto mit Passkey zu erstellen.",
    cancelled: "Die Passkey-Anfrage wurde abgebrochen oder ist abgelaufen.",
    alreadyRegistered: "Dieser Authenticator enthält bereits einen Passkey für dieses Konto.",
    noneChosen: "Es wurde kein Passkey ausgewählt.",
    failed: "Die Passkey-Anfrage ist fehlgeschlagen. Bitte versuchen Sie es erneut.",
    refused:
      "Die Passkey-Anfrage wurde abgelehnt. Gehört diese E-Mail-Adresse bereits zu einem Konto, melden Sie sich zuerst dort an und fügen Sie dann einen Passkey hinzu.",
  },
  emailLanding: {
    title: "Anmelden",
    heading: (host) => `Anmeldung bei ${host} fortsetzen`,
    text: "Klicken Sie auf die Schaltfläche, um die Anmeldung abzuschließen. Der Link funktioniert nur einmal.",
    button: "Anmelden",
  },
  verifyRequest: {
    title: "Prüfen Sie Ihre E-Mails",
    heading: "Prüfen Sie Ihre E-Mails",
    text: "Wir haben einen Anmeldelink an Ihre E-Mail-Adresse gesendet. Er funktioniert einmal und nur für wenige Minuten.",
    goTo: (host) => `Weiter zu ${host}`,
  },
  signOut: {
    title: "Abmelden",
    heading: "Abmelden",
    question: "Möchten Sie sich wirklich abmelden?",
    button: "Abmelden",
  },
  error: {
    headings: { Configuration: "Serverfehler", AccessDenied: "Zugriff verweigert", Verification: "Anmeldung nicht möglich", signIn: "Anmeldung nicht möglich", default: "Fehler" },
    messages: {
      Configuration: "Es gibt ein Problem mit der Serverkonfiguration. Weitere Informationen stehen in den Serverprotokollen.",
      AccessDenied: "Sie haben keine Berechtigung, sich anzumelden.",
      Verification: "Der Anmeldelink ist nicht mehr gültig. Möglicherweise wurde er bereits verwendet oder ist abgelaufen.",
      default: "Bei der Anmeldung ist ein Fehler aufgetreten.",
    },
    code: (code) => `Fehlercode: ${code}`,
    signIn: "Anmelden",
  },
  rateLimited: {
    title: "Zu viele Versuche",
    text: (minutes) => `Es gab zu viele Anmeldeversuche. Versuchen Sie es ${minutes === 1 ? "in einer Minute" : `in ${minutes} Minuten`} erneut.`,
    back: "Zurück zur Anmeldung",
  },
  email: {
    subject: (host) => `Anmeldung bei ${host}`,
    heading: (host) => `Bei ${host} anmelden`,
    button: "Anmelden",
    text: (validity) =>
      `Der Link funktioniert nur einmal und ist ${validity} lang gültig. Wenn Sie keine Anmeldung angefordert haben, ignorieren Sie diese E-Mail: Ohne den Link passiert nichts.`,
    minutes: (count) => (count === 1 ? "1 Minute" : `${count} Minuten`),
    hours: (count) => (count === 1 ? "1 Stunde" : `${count} Stunden`),
  },
};
