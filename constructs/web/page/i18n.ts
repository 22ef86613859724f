/** The page's texts in Japanese (the default, as in the talk) and English. */
export type Language = 'ja' | 'en';

export interface Texts {
  readonly languageName: string;
  readonly switchLanguage: string;
  readonly signIn: string;
  readonly signOut: string;
  readonly signedOutIntro: string;
  readonly questionLabel: string;
  readonly questionPlaceholder: string;
  readonly send: string;
  readonly sending: string;
  readonly conversation: string;
  readonly you: string;
  readonly assistant: string;
  readonly sources: string;
  readonly doNotKnow: string;
  readonly nothingFound: string;
  readonly badRequest: string;
  readonly questionTooLong: string;
  readonly signInAgain: string;
  readonly tooManyRequests: string;
  readonly badGateway: string;
  readonly unavailable: string;
  readonly unexpected: string;
  readonly network: string;
  readonly signInFailed: string;
}

export const TEXTS: Readonly<Record<Language, Texts>> = {
  ja: {
    languageName: '日本語',
    switchLanguage: 'English',
    signIn: 'サインイン',
    signOut: 'サインアウト',
    signedOutIntro: '社内ドキュメントについて質問するには、サインインしてください。',
    questionLabel: '質問',
    questionPlaceholder: '質問を入力してください（Ctrl+Enter で送信）',
    send: '送信',
    sending: '回答を待っています…',
    conversation: '会話',
    you: 'あなた',
    assistant: 'アシスタント',
    sources: '出典',
    doNotKnow: 'ドキュメントに答えが見つかりませんでした（I don\'t know.）。',
    nothingFound: 'この質問に関係するドキュメントは見つかりませんでした。',
    badRequest: '質問を送信できませんでした',
    questionTooLong: '質問が長すぎます（文字数/上限）',
    signInAgain: 'セッションの有効期限が切れました。もう一度サインインしてください。',
    tooManyRequests: 'リクエストが多すぎます。しばらく待ってからもう一度お試しください。',
    badGateway: '回答の生成に失敗しました。しばらくしてからもう一度お試しください。',
    unavailable: 'サービスが混み合っています。少し待ってからもう一度お試しください。',
    unexpected: '予期しないエラーが発生しました',
    network: 'サーバーに接続できませんでした。ネットワークを確認してください。',
    signInFailed: 'サインインに失敗しました。もう一度お試しください。',
  },
  en: {
    languageName: 'English',
    switchLanguage: '日本語',
    signIn: 'Sign in',
    signOut: 'Sign out',
    signedOutIntro: 'Sign in to ask questions about your documents.',
    questionLabel: 'Question',
    questionPlaceholder: 'Type your question (Ctrl+Enter to send)',
    send: 'Send',
    sending: 'Waiting for the answer…',
    conversation: 'Conversation',
    you: 'You',
    assistant: 'Assistant',
    sources: 'Sources',
    doNotKnow: 'The documents do not answer this (I don\'t know.).',
    nothingFound: 'No document matched this question.',
    badRequest: 'The question could not be sent',
    questionTooLong: 'The question is too long (characters/limit)',
    signInAgain: 'Your session has expired. Please sign in again.',
    tooManyRequests: 'Too many requests. Please wait a moment and try again.',
    badGateway: 'The answer could not be generated. Please try again later.',
    unavailable: 'The service is busy. Please try again in a moment.',
    unexpected: 'Something went wrong',
    network: 'The server could not be reached. Check your network.',
    signInFailed: 'Sign-in failed. Please try again.',
  },
};

export function isLanguage(value: unknown): value is Language {
  return value === 'ja' || value === 'en';
}
