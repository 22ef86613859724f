"""Reads and validates the `train` channel: instruction records and chat records.

Pure Python (stdlib only), so the tests run on a plain python3. bin/cli/finetune.ts (`checkRecords`) mirrors
these rules for `llm-recipes finetune upload`; change both together (test/training/lora/fixtures
feeds both the same files).

Accepted files (any other file in the channel is ignored):
- `*.jsonl`: one JSON object per line; blank lines are skipped.
- `*.json`: a JSON array of objects, or (if the file does not start with `[`) JSON Lines.

Accepted records (all records of a data set must be of one kind):
- instruction: `{"instruction": str, "input": str (optional, may be empty), "output": str}`, the
  alpaca / Dolly layout; other keys (`index`, `category`) are ignored.
- chat: `{"messages": [{"role": "system"|"user"|"assistant", "content": str}, ...]}`: an optional
  system message first, then user and assistant turns alternating, starting with user and ending
  with assistant. Only the last assistant turn is trained on.
"""
import hashlib
import json
import os

MAX_ERRORS = 20
DATA_SUFFIXES = ('.json', '.jsonl')
ROLES = ('system', 'user', 'assistant')


class DataError(ValueError):
    """Every problem found in the data, one `file:line: message` per line."""

    def __init__(self, problems):
        self.problems = list(problems)
        shown = self.problems[:MAX_ERRORS]
        more = len(self.problems) - len(shown)
        text = '\n'.join(shown) + (f'\n... and {more} more' if more > 0 else '')
        super().__init__(text)


def _line_of(text, index):
    return text.count('\n', 0, index) + 1


def _skip_ws(text, i):
    while i < len(text) and text[i] in ' \t\r\n':
        i += 1
    return i


def parse_file(name, text):
    """Yields (line, value) for each record of one file, or (line, DataError-message) on bad JSON."""
    if text.startswith('\ufeff'):
        text = text[1:]
    start = _skip_ws(text, 0)
    if name.endswith('.json') and text[start:start + 1] == '[':
        return _parse_array(name, text, start)
    return _parse_lines(name, text)


def _reject_constant(name):
    raise ValueError(f'{name} is not JSON')


def _loads(text):
    # NaN and Infinity are not JSON (Python accepts them by default; JavaScript does not).
    return json.loads(text, parse_constant=_reject_constant)


def _parse_lines(name, text):
    out = []
    for number, line in enumerate(text.split('\n'), start=1):
        stripped = line.strip()
        if not stripped:
            continue
        try:
            value = _loads(stripped)
        except ValueError:
            out.append((number, ParseProblem(f'{name}:{number}: not valid JSON (JSON Lines holds one object per line)')))
            continue
        out.append((number, value))
    return out


def _parse_array(name, text, start):
    decoder = json.JSONDecoder(parse_constant=_reject_constant)
    out = []
    i = _skip_ws(text, start + 1)
    if text[i:i + 1] == ']':
        return out
    while True:
        line = _line_of(text, i)
        try:
            value, i = decoder.raw_decode(text, i)
        except ValueError:
            out.append((line, ParseProblem(f'{name}:{line}: not valid JSON; records after it were not read')))
            return out
        out.append((line, value))
        i = _skip_ws(text, i)
        ch = text[i:i + 1]
        if ch == ',':
            i = _skip_ws(text, i + 1)
            continue
        if ch == ']':
            rest = _skip_ws(text, i + 1)
            if rest < len(text):
                out.append((_line_of(text, rest), ParseProblem(f'{name}:{_line_of(text, rest)}: text after the closing ] of the array')))
            return out
        where = _line_of(text, i)
        out.append((where, ParseProblem(f"{name}:{where}: expected ',' or ']' after a record; records after it were not read")))
        return out


class ParseProblem:
    def __init__(self, message):
        self.message = message


def record_kind(record):
    """'instruction' or 'chat', or None when the object is neither."""
    if isinstance(record, dict) and 'messages' in record:
        return 'chat'
    if isinstance(record, dict) and ('instruction' in record or 'output' in record):
        return 'instruction'
    return None


def _nonempty_string(value):
    return isinstance(value, str) and value.strip() != ''


def validate_record(record):
    """The problems of one record (without the file:line prefix); an empty list when it is valid."""
    if not isinstance(record, dict):
        return [f'a record must be a JSON object, not {_json_type(record)}']
    kind = record_kind(record)
    if kind is None:
        return ['a record needs "instruction" and "output" (instruction format) or "messages" (chat format); it has '
                + (', '.join(f'"{k}"' for k in sorted(record)) or 'no keys')]
    if kind == 'chat':
        if 'instruction' in record or 'output' in record:
            return ['a record has both "messages" and "instruction"/"output"; use one format']
        return _validate_messages(record['messages'])
    problems = []
    if not _nonempty_string(record.get('instruction')):
        problems.append('"instruction" must be a non-empty string' + _got(record, 'instruction'))
    if 'input' in record and record['input'] is not None and not isinstance(record['input'], str):
        problems.append(f'"input" must be a string (it may be empty), not {_json_type(record["input"])}')
    if not _nonempty_string(record.get('output')):
        problems.append('"output" must be a non-empty string' + _got(record, 'output'))
    return problems


def _got(record, key):
    if key not in record:
        return ' (missing)'
    value = record[key]
    return ' (it is empty)' if isinstance(value, str) else f' (it is {_json_type(value)})'


def _json_type(value):
    if value is None:
        return 'null'
    if isinstance(value, bool):
        return 'a boolean'
    if isinstance(value, (int, float)):
        return 'a number'
    if isinstance(value, str):
        return 'a string'
    if isinstance(value, list):
        return 'an array'
    return 'an object'


def _validate_messages(messages):
    if not isinstance(messages, list) or len(messages) == 0:
        return ['"messages" must be a non-empty array']
    problems = []
    roles = []
    for n, message in enumerate(messages):
        if not isinstance(message, dict):
            problems.append(f'messages[{n}] must be an object with "role" and "content"')
            continue
        role = message.get('role')
        if role not in ROLES:
            problems.append(f'messages[{n}].role must be one of {", ".join(ROLES)} (it is {json.dumps(role, ensure_ascii=False)})')
        if not _nonempty_string(message.get('content')):
            problems.append(f'messages[{n}].content must be a non-empty string')
        roles.append(role)
    if problems:
        return problems
    turns = roles[1:] if roles[0] == 'system' else roles
    for n, role in enumerate(turns):
        expected = 'user' if n % 2 == 0 else 'assistant'
        if role != expected:
            index = n + (len(roles) - len(turns))
            return [f'messages[{index}] is "{role}" where "{expected}" is expected (an optional system message, then user and assistant alternating)']
    if len(turns) == 0 or turns[-1] != 'assistant':
        return ['"messages" must end with an assistant message (the answer to train on)']
    return []


def data_files(directory):
    """The data files of the channel (recursively), sorted by their path relative to it."""
    found = []
    for root, _dirs, files in os.walk(directory):
        for f in files:
            if f.endswith(DATA_SUFFIXES):
                found.append(os.path.relpath(os.path.join(root, f), directory))
    return sorted(found)


class Dataset:
    """The validated records of a channel, their kind and the SHA-256 of its data files."""

    def __init__(self, records, kind, sha256, files):
        self.records = records
        self.kind = kind
        self.sha256 = sha256
        self.files = files


def load_dataset(directory):
    """Reads every data file under `directory`; raises DataError naming each bad record by file and line.

    The data hash is SHA-256 over, for each file in path order, its relative path, a NUL byte, the
    file's own SHA-256 in hex and a newline: renaming or editing any file changes it.
    """
    if not os.path.isdir(directory):
        raise DataError([f'the train channel {directory} does not exist (is the data prefix right?)'])
    files = data_files(directory)
    if not files:
        raise DataError([f'the train channel {directory} holds no .json or .jsonl file'])
    digest = hashlib.sha256()
    problems = []
    records = []
    first_of_kind = {}
    for rel in files:
        with open(os.path.join(directory, rel), 'rb') as fh:
            raw = fh.read()
        digest.update(rel.encode('utf-8') + b'\0' + hashlib.sha256(raw).hexdigest().encode('ascii') + b'\n')
        try:
            text = raw.decode('utf-8')
        except UnicodeDecodeError:
            problems.append(f'{rel}: not UTF-8 text')
            continue
        file_problems, file_records = check_text(rel, text)
        problems.extend(file_problems)
        for line, record in file_records:
            kind = record_kind(record)
            first_of_kind.setdefault(kind, f'{rel}:{line}')
            records.append(record)
    if len(first_of_kind) > 1:
        problems.append(mixing_problem(first_of_kind))
    if problems:
        raise DataError(problems)
    if not records:
        raise DataError([f'the train channel {directory} holds no records'])
    return Dataset(records, next(iter(first_of_kind)), digest.hexdigest(), files)


def mixing_problem(first_of_kind):
    return (f'the data mixes instruction records (first at {first_of_kind["instruction"]}) and chat records '
            f'(first at {first_of_kind["chat"]}); use one format per data set')


def check_file(name, text):
    """(problems, records) for one file on its own, as `llm-recipes finetune upload` checks it."""
    problems, good = check_text(name, text)
    first_of_kind = {}
    for line, record in good:
        first_of_kind.setdefault(record_kind(record), f'{name}:{line}')
    if len(first_of_kind) > 1:
        problems.append(mixing_problem(first_of_kind))
    return problems, [record for _line, record in good]


def check_text(name, text):
    """(problems, [(line, record)]) for the text of one file."""
    problems = []
    good = []
    for line, value in parse_file(name, text):
        if isinstance(value, ParseProblem):
            problems.append(value.message)
            continue
        record_problems = validate_record(value)
        if record_problems:
            problems.extend(f'{name}:{line}: {p}' for p in record_problems)
        else:
            good.append((line, value))
    return problems, good
