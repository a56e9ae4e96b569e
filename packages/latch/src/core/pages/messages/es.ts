import type { Messages } from "./catalogue.js";

/** Spanish, addressing the reader as "tú". */
export const es: Messages = {
  signIn: {
    title: "Iniciar sesión",
    withProvider: (provider) => `Iniciar sesión con ${provider}`,
    email: "Correo electrónico",
    emailPlaceholder: "nombre@ejemplo.com",
    or: "o",
    noMethods: "No hay ningún método de inicio de sesión configurado.",
    errors: {
      Configuration: "No se pudo iniciar sesión por un problema en el servidor. Vuelve a intentarlo más tarde o elige otra forma de iniciar sesión.",
      CredentialsSignin: "No se pudo iniciar sesión. Comprueba que los datos introducidos sean correctos.",
      EmailSignin: "No se pudo enviar el correo, o la dirección no es válida. Comprueba la dirección y vuelve a intentarlo.",
      MissingCSRF: "El formulario ha caducado. Vuelve a intentarlo.",
      OAuthAccountNotLinked: "Para confirmar tu identidad, inicia sesión con la misma cuenta que usaste originalmente.",
      OAuthCallbackError: "El inicio de sesión no se completó. Vuelve a intentarlo.",
      OAuthSignin: "Intenta iniciar sesión con otra cuenta.",
      RateLimited: "Demasiados intentos de inicio de sesión. Espera unos minutos y vuelve a intentarlo.",
      SessionRequired: "Inicia sesión para acceder a esta página.",
      WebAuthnVerificationError:
        "No se pudo usar ni registrar la llave de acceso. Vuelve a intentarlo. Si esta dirección de correo ya tiene una cuenta, inicia sesión en ella primero y luego añade una llave de acceso.",
      default: "No se pudo iniciar sesión.",
    },
  },
  passkey: {
    signIn: "Iniciar sesión con llave de acceso",
    createAccount: "Crear una cuenta con una llave de acceso",
    addToAccount: "Añadir una llave de acceso a tu cuenta",
    signedInAs: (who) => (who ? `Has iniciado sesión como ${who}.` : "Has iniciado sesión."),
    unsupported: "Este navegador no admite llaves de acceso.",
    needsJavaScript: "Para iniciar sesión con una llave de acceso se necesita JavaScript.",
    enterEmail: "Introduce tu dirección de correo para crear una cuenta con una llave de acceso.",
    cancelled: "La solicitud de la llave de acceso se canceló o caducó.",
    alreadyRegistered: "Este autenticador ya tiene una llave de acceso para esta cuenta.",
    noneChosen: "No se eligió ninguna llave de acceso.",
    failed: "La solicitud de la llave de acceso falló. Vuelve a intentarlo.",
    refused:
      "Se rechazó la solicitud de la llave de acceso. Si esta dirección de correo ya tiene una cuenta, inicia sesión en ella primero y luego añade una llave de acceso.",
  },
  emailLanding: {
    title: "Iniciar sesión",
    heading: (host) => `Continuar el inicio de sesión en ${host}`,
    text: "Pulsa el botón para terminar de iniciar sesión. El enlace solo funciona una vez.",
    button: "Iniciar sesión",
  },
  verifyRequest: {
    title: "Revisa tu correo",
    heading: "Revisa tu correo",
    text: "Te hemos enviado un enlace de inicio de sesión a tu dirección de correo. Solo funciona una vez y durante unos minutos.",
    goTo: (host) => `Ir a ${host}`,
  },
  signOut: {
    title: "Cerrar sesión",
    heading: "Cerrar sesión",
    question: "¿Seguro que quieres cerrar sesión?",
    button: "Cerrar sesión",
  },
  error: {
    headings: { Configuration: "Error del servidor", AccessDenied: "Acceso denegado", Verification: "No se pudo iniciar sesión", signIn: "No se pudo iniciar sesión", default: "Error" },
    messages: {
      Configuration: "Hay un problema con la configuración del servidor. Consulta los registros del servidor para obtener más información.",
      AccessDenied: "No tienes permiso para iniciar sesión.",
      Verification: "El enlace de inicio de sesión ya no es válido. Puede que ya se haya usado o que haya caducado.",
      default: "Se produjo un error al iniciar sesión.",
    },
    code: (code) => `Código de error: ${code}`,
    signIn: "Iniciar sesión",
  },
  rateLimited: {
    title: "Demasiados intentos",
    text: (minutes) => `Hubo demasiados intentos de inicio de sesión. Vuelve a intentarlo dentro de ${minutes === 1 ? "un minuto" : `${minutes} minutos`}.`,
    back: "Volver al inicio de sesión",
  },
  email: {
    subject: (host) => `Inicia sesión en ${host}`,
    heading: (host) => `Iniciar sesión en ${host}`,
    button: "Iniciar sesión",
    text: (validity) =>
      `El enlace solo funciona una vez, durante ${validity}. Si no has pedido iniciar sesión, ignora este correo: sin el enlace no pasa nada.`,
    minutes: (count) => (count === 1 ? "1 minuto" : `${count} minutos`),
    hours: (count) => (count === 1 ? "1 hora" : `${count} horas`),
  },
};
