"""Turning records into TRL prompt-completion examples. Pure Python (stdlib only).

The trainer learns the completion only (TRL's prompt-completion format, completion-only loss): the
loss covers the answer, not the instruction. Two layouts:
- chat: conversational examples, `{"prompt": [messages before the last answer], "completion":
  [the last assistant message]}`, which TRL renders with the model's own chat template (so the
  template's special tokens are tokenized once); used by `auto` when the tokenizer has a chat
  template. Instruction records become one user turn (instruction, a blank line, input) and one
  assistant turn.
- alpaca: the Stanford Alpaca layout for base models without a chat template, in English, or in
  Japanese when most instructions contain kana or kanji (the layout of the Japanese Alpaca/Dolly
  tunes that the AWS notebooks use). The language is chosen once per data set.
"""

ALPACA = {
    'en': {
        'with_input': 'Below is an instruction that describes a task, paired with an input that provides further context. '
                      'Write a response that appropriately completes the request.\n\n'
                      '### Instruction:\n{instruction}\n\n### Input:\n{input}\n\n### Response:\n',
        'no_input': 'Below is an instruction that describes a task. Write a response that appropriately completes the request.\n\n'
                    '### Instruction:\n{instruction}\n\n### Response:\n',
    },
    'ja': {
        'with_input': '以下は、タスクを説明する指示と、文脈のある入力の組み合わせです。要求を適切に満たす応答を書きなさい。\n\n'
                      '### 指示:\n{instruction}\n\n### 入力:\n{input}\n\n### 応答:\n',
        'no_input': '以下は、タスクを説明する指示です。要求を適切に満たす応答を書きなさい。\n\n'
                    '### 指示:\n{instruction}\n\n### 応答:\n',
    },
}


class TemplateError(ValueError):
    pass


def _is_japanese_char(ch):
    code = ord(ch)
    return (0x3040 <= code <= 0x30FF) or (0x4E00 <= code <= 0x9FFF) or (0x3400 <= code <= 0x4DBF)


def detect_language(records):
    """'ja' when more than half of the instructions (or first user turns) contain kana or kanji, else 'en'."""
    texts = [_first_user_text(r) for r in records]
    japanese = sum(1 for t in texts if any(_is_japanese_char(c) for c in t))
    return 'ja' if texts and japanese * 2 > len(texts) else 'en'


def _first_user_text(record):
    if 'messages' in record:
        return next((m['content'] for m in record['messages'] if m['role'] == 'user'), '')
    return record.get('instruction', '')


def choose_template(setting, has_chat_template, kind):
    """'chat' or 'alpaca' for the `prompt_template` setting, the tokenizer and the record kind."""
    if setting == 'chat' and not has_chat_template:
        raise TemplateError('prompt_template is chat but the tokenizer has no chat template; use auto or alpaca')
    if setting == 'alpaca' and kind == 'chat':
        raise TemplateError('prompt_template is alpaca but the data holds chat "messages" records; use auto or chat')
    if setting == 'auto':
        if has_chat_template:
            return 'chat'
        if kind == 'chat':
            raise TemplateError('the data holds chat "messages" records but the tokenizer has no chat template; '
                                'use instruction records or a model with a chat template')
        return 'alpaca'
    return setting


def as_messages(record):
    if 'messages' in record:
        return record['messages']
    text = record['instruction'].strip()
    extra = (record.get('input') or '').strip()
    return [{'role': 'user', 'content': f'{text}\n\n{extra}' if extra else text},
            {'role': 'assistant', 'content': record['output']}]


def alpaca_example(record, language, eos_token):
    layout = ALPACA[language]
    extra = (record.get('input') or '').strip()
    prompt = (layout['with_input'] if extra else layout['no_input']).format(instruction=record['instruction'].strip(), input=extra)
    return prompt, record['output'].strip() + eos_token


def chat_example(record):
    """Conversational prompt-completion: every message before the last answer, and the answer."""
    messages = as_messages(record)
    return {'prompt': [dict(m) for m in messages[:-1]], 'completion': [dict(messages[-1])]}


def build_examples(records, template, language, eos_token):
    """One TRL prompt-completion example (a dict) per record."""
    if template == 'chat':
        return [chat_example(r) for r in records]
    examples = []
    for r in records:
        prompt, completion = alpaca_example(r, language, eos_token)
        examples.append({'prompt': prompt, 'completion': completion})
    return examples
