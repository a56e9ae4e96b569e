import type { Messages } from "./catalogue.js";

/** Japanese, in the polite form (です・ます). */
export const ja: Messages = {
  signIn: {
    title: "ログイン",
    withProvider: (provider) => `${provider} でログイン`,
    email: "メールアドレス",
    emailPlaceholder: "email@example.com",
    or: "または",
    noMethods: "ログイン方法が設定されていません。",
    errors: {
      Configuration: "サーバーの問題によりログインできませんでした。しばらくしてからもう一度お試しいただくか、別の方法でログインしてください。",
      CredentialsSignin: "ログインに失敗しました。入力内容が正しいか確認してください。",
      EmailSignin: "メールを送信できなかったか、メールアドレスが無効です。アドレスを確認して、もう一度お試しください。",
      MissingCSRF: "フォームの有効期限が切れました。もう一度お試しください。",
      OAuthAccountNotLinked: "本人確認のため、最初に使用したアカウントでログインしてください。",
      OAuthCallbackError: "ログインを完了できませんでした。もう一度お試しください。",
      OAuthSignin: "別のアカウントでログインしてみてください。",
      RateLimited: "ログインの試行回数が多すぎます。数分待ってから、もう一度お試しください。",
      SessionRequired: "このページを表示するにはログインしてください。",
      WebAuthnVerificationError:
        "パスキーを使用または登録できませんでした。もう一度お試しください。このメールアドレスのアカウントが既にある場合は、先にそのアカウントにログインしてからパスキーを追加してください。",
      default: "ログインできません。",
    },
  },
  passkey: {
    signIn: "パスキーでログイン",
    createAccount: "パスキーでアカウントを作成",
    addToAccount: "アカウントにパスキーを追加",
    signedInAs: (who) => (who ? `${who} としてログインしています。` : "ログインしています。"),
    unsupported: "このブラウザではパスキーを使用できません。",
    needsJavaScript: "パスキーでログインするには JavaScript が必要です。",
    enterEmail: "パスキーでアカウントを作成するには、メールアドレスを入力してください。",
    cancelled: "パスキーのリクエストがキャンセルされたか、タイムアウトしました。",
    alreadyRegistered: "この認証器には、このアカウントのパスキーが既に登録されています。",
    noneChosen: "パスキーが選択されませんでした。",
    failed: "パスキーのリクエストに失敗しました。もう一度お試しください。",
    refused: "パスキーのリクエストが拒否されました。このメールアドレスのアカウントが既にある場合は、先にそのアカウントにログインしてからパスキーを追加してください。",
  },
  emailLanding: {
    title: "ログイン",
    heading: (host) => `${host} へのログインを続ける`,
    text: "ボタンを押してログインを完了してください。このリンクは一度だけ使用できます。",
    button: "ログイン",
  },
  verifyRequest: {
    title: "メールを確認してください",
    heading: "メールを確認してください",
    text: "ログイン用のリンクをメールアドレスに送信しました。リンクは一度だけ、数分間有効です。",
    goTo: (host) => `${host} へ移動`,
  },
  signOut: {
    title: "ログアウト",
    heading: "ログアウト",
    question: "ログアウトしてもよろしいですか？",
    button: "ログアウト",
  },
  error: {
    headings: { Configuration: "サーバーエラー", AccessDenied: "アクセスが拒否されました", Verification: "ログインできません", signIn: "ログインできません", default: "エラー" },
    messages: {
      Configuration: "サーバーの設定に問題があります。詳しくはサーバーのログを確認してください。",
      AccessDenied: "ログインする権限がありません。",
      Verification: "ログイン用のリンクは無効になりました。既に使用されたか、有効期限が切れている可能性があります。",
      default: "ログイン中にエラーが発生しました。",
    },
    code: (code) => `エラーコード: ${code}`,
    signIn: "ログイン",
  },
  rateLimited: {
    title: "試行回数が多すぎます",
    text: (minutes) => `ログインの試行回数が多すぎます。${minutes} 分後にもう一度お試しください。`,
    back: "ログインに戻る",
  },
  email: {
    subject: (host) => `${host} へのログイン用リンク`,
    heading: (host) => `${host} にログイン`,
    button: "ログイン",
    text: (validity) =>
      `このリンクは一度だけ、${validity}有効です。心当たりがない場合は、このメールを無視してください。リンクを使わない限り、何も起こりません。`,
    // Japanese has no plural: a counter follows the number.
    minutes: (count) => `${count} 分間`,
    hours: (count) => `${count} 時間`,
  },
};
