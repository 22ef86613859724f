/// <reference lib="dom" />
/**
 * The chat page: sign in with Cognito, ask the RAG API, show the answer with its numbered sources.
 * No framework: the DOM is built with textContent only (answers and sources are never parsed as HTML).
 */
import { completeSignIn, expired, signIn, SignInError, signOut, type Session } from './auth';
import { isLanguage, TEXTS, type Language, type Texts } from './i18n';
import { loadSettings, type Settings } from './settings';

/** The handler's answers that mean "no answer" (constructs/rag/handler/prompt.ts). */
const DO_NOT_KNOW = 'I don\'t know.';
const NOTHING_FOUND = 'I could not find anything about that in the documents.';
const LANGUAGE_KEY = 'rag-chat-language';

interface Source {
  readonly title: string;
  readonly uri: string;
  readonly excerpt: string;
}

interface Message {
  readonly role: 'user' | 'assistant';
  readonly content: string;
  readonly sources: readonly Source[];
}

type AlertKey = 'badRequest' | 'questionTooLong' | 'signInAgain' | 'tooManyRequests' | 'badGateway' | 'unavailable' | 'unexpected' | 'network' | 'signInFailed';

interface State {
  settings?: Settings;
  session?: Session;
  language: Language;
  messages: Message[];
  alert?: { key: AlertKey; detail?: string };
  busy: boolean;
}

const state: State = { language: 'ja', messages: [], busy: false };

function el<T extends HTMLElement>(id: string): T {
  const found = document.getElementById(id);
  if (!found) throw new Error(`#${id} is missing from index.html`);
  return found as T;
}

function t(): Texts {
  return TEXTS[state.language];
}

/** The history the API takes: the latest turns, as many as fit its limits (config.json); older turns are left out. */
function historyFor(messages: readonly Message[], settings: Settings): Array<{ role: 'user' | 'assistant'; content: string }> {
  const history: Array<{ role: 'user' | 'assistant'; content: string }> = [];
  let chars = 0;
  for (let i = messages.length - 1; i >= 0 && history.length < settings.maxHistoryTurns; i--) {
    chars += Array.from(messages[i].content).length;
    if (chars > settings.maxHistoryChars) break;
    history.unshift({ role: messages[i].role, content: messages[i].content });
  }
  // The history starts with a question, never with an answer whose question was left out.
  if (history[0]?.role === 'assistant') history.shift();
  return history;
}

function renderMessage(message: Message): HTMLLIElement {
  const item = document.createElement('li');
  item.className = `message ${message.role}`;
  const who = document.createElement('p');
  who.className = 'who';
  who.textContent = message.role === 'user' ? t().you : t().assistant;
  const body = document.createElement('p');
  body.className = 'content';
  if (message.role === 'assistant' && message.content === DO_NOT_KNOW) {
    item.classList.add('no-answer');
    body.textContent = t().doNotKnow;
  } else if (message.role === 'assistant' && message.content === NOTHING_FOUND) {
    item.classList.add('no-answer');
    body.textContent = t().nothingFound;
  } else {
    body.textContent = message.content;
  }
  item.append(who, body);
  if (message.sources.length > 0) {
    const heading = document.createElement('p');
    heading.className = 'sources-heading';
    heading.textContent = t().sources;
    const list = document.createElement('ol');
    list.className = 'sources';
    for (const source of message.sources) {
      const entry = document.createElement('li');
      const title = source.title || source.uri;
      if (/^https?:\/\//i.test(source.uri)) {
        const link = document.createElement('a');
        link.href = source.uri;
        link.textContent = title;
        link.target = '_blank';
        link.rel = 'noopener noreferrer';
        entry.append(link);
      } else {
        const name = document.createElement('span');
        name.className = 'source-title';
        name.textContent = title;
        entry.append(name);
        if (source.uri && source.uri !== title) {
          const uri = document.createElement('span');
          uri.className = 'source-uri';
          uri.textContent = ` (${source.uri})`;
          entry.append(uri);
        }
      }
      if (source.excerpt) {
        const excerpt = document.createElement('blockquote');
        excerpt.textContent = source.excerpt;
        entry.append(excerpt);
      }
      list.append(entry);
    }
    item.append(heading, list);
  }
  return item;
}

function render(): void {
  const texts = t();
  const signedIn = state.session !== undefined;
  document.documentElement.lang = state.language;
  document.title = state.settings?.title ?? document.title;
  el('title').textContent = state.settings?.title ?? '';
  const language = el<HTMLButtonElement>('language');
  language.textContent = texts.switchLanguage;
  language.lang = state.language === 'ja' ? 'en' : 'ja';
  el('sign-in').textContent = texts.signIn;
  el('sign-out').textContent = texts.signOut;
  el('sign-in').hidden = signedIn || state.settings === undefined;
  el('sign-out').hidden = !signedIn;
  el('intro').textContent = texts.signedOutIntro;
  el('intro').hidden = signedIn;
  el('chat').hidden = !signedIn;
  el('conversation-heading').textContent = texts.conversation;
  el('question-label').textContent = texts.questionLabel;
  el<HTMLTextAreaElement>('question').placeholder = texts.questionPlaceholder;
  const send = el<HTMLButtonElement>('send');
  send.textContent = texts.send;
  send.disabled = state.busy;
  el('status').textContent = state.busy ? texts.sending : '';
  el('log').replaceChildren(...state.messages.map(renderMessage));
  const alert = el('alert');
  alert.textContent = state.alert ? `${texts[state.alert.key]}${state.alert.detail ? `: ${state.alert.detail}` : ''}` : '';
  alert.hidden = state.alert === undefined;
}

function alertFor(status: number): AlertKey {
  switch (status) {
    case 400: return 'badRequest';
    case 401: return 'signInAgain';
    case 429: return 'tooManyRequests';
    case 502: return 'badGateway';
    case 503: return 'unavailable';
    default: return 'unexpected';
  }
}

function sessionEnded(): void {
  state.session = undefined;
  state.alert = { key: 'signInAgain' };
  render();
  el('sign-in').focus();
}

async function ask(question: string): Promise<void> {
  const settings = state.settings;
  const session = state.session;
  if (!settings || !session) return;
  if (expired(session)) {
    sessionEnded();
    return;
  }
  // The API counts characters as code points and refuses (400) a longer question.
  const length = Array.from(question).length;
  if (length > settings.maxQuestionLength) {
    state.alert = { key: 'questionTooLong', detail: `${length}/${settings.maxQuestionLength}` };
    render();
    return;
  }
  state.busy = true;
  state.alert = undefined;
  render();
  let response: Response;
  try {
    response = await fetch(settings.apiPath, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: session.idToken },
      body: JSON.stringify({ question, history: historyFor(state.messages, settings) }),
    });
  } catch {
    state.busy = false;
    state.alert = { key: 'network' };
    render();
    return;
  }
  state.busy = false;
  const body = await response.json().catch(() => ({})) as { answer?: unknown; sources?: unknown; message?: unknown };
  if (response.status === 401) {
    sessionEnded();
    return;
  }
  if (!response.ok || typeof body.answer !== 'string') {
    const key = response.ok ? 'unexpected' : alertFor(response.status);
    const detail = key === 'badRequest' && typeof body.message === 'string' ? body.message
      : key === 'unexpected' ? `HTTP ${response.status}` : undefined;
    state.alert = { key, detail };
    render();
    return;
  }
  const sources = Array.isArray(body.sources) ? body.sources.map((s: Partial<Source>) => ({
    title: typeof s.title === 'string' ? s.title : '',
    uri: typeof s.uri === 'string' ? s.uri : '',
    excerpt: typeof s.excerpt === 'string' ? s.excerpt : '',
  })) : [];
  state.messages.push({ role: 'user', content: question, sources: [] }, { role: 'assistant', content: body.answer, sources });
  const box = el<HTMLTextAreaElement>('question');
  box.value = '';
  render();
  box.focus();
}

function wire(): void {
  el('language').addEventListener('click', () => {
    state.language = state.language === 'ja' ? 'en' : 'ja';
    sessionStorage.setItem(LANGUAGE_KEY, state.language);
    render();
  });
  el('sign-in').addEventListener('click', () => {
    if (state.settings) void signIn(state.settings);
  });
  el('sign-out').addEventListener('click', () => {
    state.session = undefined;
    state.messages = [];
    if (state.settings) signOut(state.settings);
  });
  const form = el<HTMLFormElement>('ask');
  const box = el<HTMLTextAreaElement>('question');
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const question = box.value.trim();
    if (question !== '' && !state.busy) void ask(question);
  });
  box.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
}

async function start(): Promise<void> {
  wire();
  const chosen = sessionStorage.getItem(LANGUAGE_KEY);
  if (isLanguage(chosen)) state.language = chosen;
  render();
  try {
    state.settings = await loadSettings();
  } catch {
    state.alert = { key: 'unexpected', detail: 'config.json' };
    render();
    return;
  }
  if (!isLanguage(chosen)) state.language = state.settings.defaultLanguage;
  try {
    state.session = await completeSignIn(state.settings);
  } catch (e) {
    state.alert = { key: 'signInFailed', detail: e instanceof SignInError ? e.message : undefined };
  }
  render();
  if (state.session) el('question').focus();
}

void start();
