import type { Messages } from "./catalogue.js";

// French typography: a no-break space before "?" and ":".
const NBSP = "\u00a0";

/** French, addressing the reader as "vous". */
export const fr: Messages = {
  signIn: {
    title: "Connexion",
    withProvider: (provider) => `Se connecter avec ${provider}`,
    email: "Adresse e-mail",
    emailPlaceholder: "nom@exemple.fr",
    or: "ou",
    noMethods: "Aucune méthode de connexion n’est configurée.",
    errors: {
      Configuration: "La connexion a échoué à cause d’un problème sur le serveur. Réessayez plus tard ou choisissez un autre moyen de connexion.",
      CredentialsSignin: "La connexion a échoué. Vérifiez que les informations saisies sont correctes.",
      EmailSignin: "L’e-mail n’a pas pu être envoyé, ou l’adresse n’est pas valide. Vérifiez l’adresse et réessayez.",
      MissingCSRF: "Le formulaire a expiré. Réessayez.",
      OAuthAccountNotLinked: "Pour confirmer votre identité, connectez-vous avec le compte que vous avez utilisé la première fois.",
      OAuthCallbackError: "La connexion n’a pas abouti. Réessayez.",
      OAuthSignin: "Essayez de vous connecter avec un autre compte.",
      RateLimited: "Trop de tentatives de connexion. Patientez quelques minutes, puis réessayez.",
      SessionRequired: "Connectez-vous pour accéder à cette page.",
      WebAuthnVerificationError:
        "La clé d’accès n’a pas pu être utilisée ou enregistrée. Réessayez. Si cette adresse e-mail a déjà un compte, connectez-vous d’abord à ce compte, puis ajoutez une clé d’accès.",
      default: "Impossible de se connecter.",
    },
  },
  passkey: {
    signIn: "Se connecter avec une clé d’accès",
    createAccount: "Créer un compte avec une clé d’accès",
    addToAccount: "Ajouter une clé d’accès à votre compte",
    signedInAs: (who) => (who ? `Connecté en tant que ${who}.` : "Vous êtes connecté."),
    unsupported: "Ce navigateur ne prend pas en charge les clés d’accès.",
    needsJavaScript: "La connexion avec une clé d’accès nécessite JavaScript.",
    enterEmail: "Saisissez votre adresse e-mail pour créer un compte avec une clé d’accès.",
    cancelled: "La demande de clé d’accès a été annulée ou a expiré.",
    alreadyRegistered: "Cet authentificateur contient déjà une clé d’accès pour ce compte.",
    noneChosen: "Aucune clé d’accès n’a été choisie.",
    failed: "La demande de clé d’accès a échoué. Réessayez.",
    refused: "La demande de clé d’accès a été refusée. Si cette adresse e-mail a déjà un compte, connectez-vous d’abord à ce compte, puis ajoutez une clé d’accès.",
  },
  emailLanding: {
    title: "Connexion",
    heading: (host) => `Poursuivre la connexion à ${host}`,
    text: "Appuyez sur le bouton pour terminer la connexion. Le lien ne fonctionne qu’une fois.",
    button: "Se connecter",
  },
  verifyRequest: {
    title: "Consultez vos e-mails",
    heading: "Consultez vos e-mails",
    text: "Un lien de connexion a été envoyé à votre adresse e-mail. Il ne fonctionne qu’une fois, pendant quelques minutes.",
    goTo: (host) => `Aller sur ${host}`,
  },
  signOut: {
    title: "Déconnexion",
    heading: "Déconnexion",
    question: `Voulez-vous vraiment vous déconnecter${NBSP}?`,
    button: "Se déconnecter",
  },
  error: {
    headings: { Configuration: "Erreur du serveur", AccessDenied: "Accès refusé", Verification: "Connexion impossible", signIn: "Connexion impossible", default: "Erreur" },
    messages: {
      Configuration: "La configuration du serveur pose problème. Consultez les journaux du serveur pour en savoir plus.",
      AccessDenied: "Vous n’êtes pas autorisé à vous connecter.",
      Verification: "Le lien de connexion n’est plus valide. Il a peut-être déjà été utilisé, ou il a expiré.",
      default: "Une erreur s’est produite lors de la connexion.",
    },
    code: (code) => `Code d’erreur${NBSP}: ${code}`,
    signIn: "Se connecter",
  },
  rateLimited: {
    title: "Trop de tentatives",
    text: (minutes) => `Il y a eu trop de tentatives de connexion. Réessayez dans ${minutes === 1 ? "une minute" : `${minutes} minutes`}.`,
    back: "Retour à la connexion",
  },
  email: {
    subject: (host) => `Connexion à ${host}`,
    heading: (host) => `Se connecter à ${host}`,
    button: "Se connecter",
    text: (validity) =>
      `Le lien ne fonctionne qu’une fois, pendant ${validity}. Si vous n’avez pas demandé à vous connecter, ignorez cet e-mail${NBSP}: sans le lien, rien ne se passe.`,
    // French keeps the singular below 2.
    minutes: (count) => (count < 2 ? `${count} minute` : `${count} minutes`),
    hours: (count) => (count < 2 ? `${count} heure` : `${count} heures`),
  },
};
