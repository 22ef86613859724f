"""Unit tests of the LoRA training script's pure logic (stdlib only; run by run_tests.py)."""
import hashlib
import contextlib
import io
import json
import os
import sys
import tempfile
import unittest
from contextlib import redirect_stderr

HERE = os.path.dirname(os.path.abspath(__file__))
SCRIPTS = os.path.join(HERE, '..', '..', '..', 'constructs', 'training', 'scripts', 'lora')
FIXTURES = os.path.join(HERE, 'fixtures')
sys.path.insert(0, os.path.abspath(SCRIPTS))

import checkpoints  # noqa: E402
import hparams  # noqa: E402
import manifest  # noqa: E402
import prompts  # noqa: E402
import records  # noqa: E402
import runtime  # noqa: E402
import train  # noqa: E402


def write(directory, name, text, mode='w'):
    path = os.path.join(directory, name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, mode, **({} if 'b' in mode else {'encoding': 'utf-8'})) as fh:
        fh.write(text)
    return path


class RecordFixtures(unittest.TestCase):
    """The fixtures and expected problems that test/bin/cli-finetune.test.ts feeds the TypeScript mirror."""

    def test_every_fixture_gives_the_expected_problems(self):
        with open(os.path.join(FIXTURES, 'expected.json'), encoding='utf-8') as fh:
            expected = json.load(fh)
        names = sorted(f for f in os.listdir(FIXTURES) if f.endswith(('.json', '.jsonl')) and f != 'expected.json')
        self.assertEqual(sorted(expected), names)
        for name in names:
            with open(os.path.join(FIXTURES, name), encoding='utf-8') as fh:
                problems, good = records.check_file(name, fh.read())
            self.assertEqual({'records': len(good), 'problems': problems}, expected[name], name)


class Records(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp()

    def test_reads_an_array_and_jsonl_with_line_numbers(self):
        problems, good = records.check_text('a.json', '[\n {"instruction": "a", "output": "b"},\n\n {"instruction": "c", "output": ""}\n]')
        self.assertEqual(problems, ['a.json:4: "output" must be a non-empty string (it is empty)'])
        self.assertEqual(good, [(2, {'instruction': 'a', 'output': 'b'})])

    def test_a_json_file_without_a_bracket_is_read_as_json_lines(self):
        problems, good = records.check_text('a.json', '{"instruction": "a", "output": "b"}\n{"instruction": "c", "output": "d"}\n')
        self.assertEqual((problems, [line for line, _ in good]), ([], [1, 2]))

    def test_text_after_the_array_is_a_problem(self):
        problems, _ = records.check_text('a.json', '[{"instruction": "a", "output": "b"}]\n\nx')
        self.assertEqual(problems, ['a.json:3: text after the closing ] of the array'])

    def test_a_missing_comma_between_records(self):
        problems, good = records.check_text('a.json', '[{"instruction": "a", "output": "b"}\n{"instruction": "c", "output": "d"}]')
        self.assertEqual(problems, ["a.json:2: expected ',' or ']' after a record; records after it were not read"])
        self.assertEqual(len(good), 1)

    def test_nan_is_not_json(self):
        problems, _ = records.check_text('a.jsonl', '{"instruction": "a", "output": "b", "x": NaN}')
        self.assertEqual(problems, ['a.jsonl:1: not valid JSON (JSON Lines holds one object per line)'])

    def test_a_byte_order_mark_is_skipped(self):
        problems, good = records.check_text('a.json', '\ufeff[{"instruction": "a", "output": "b"}]')
        self.assertEqual((problems, len(good)), ([], 1))

    def test_load_dataset_reads_every_data_file_and_hashes_them(self):
        write(self.dir, 'b.jsonl', '{"instruction": "x", "output": "y"}\n')
        write(self.dir, 'sub/a.json', '[{"instruction": "p", "input": "q", "output": "r"}]')
        write(self.dir, 'README.md', 'ignored')
        ds = records.load_dataset(self.dir)
        self.assertEqual(ds.files, ['b.jsonl', 'sub/a.json'])
        self.assertEqual(ds.kind, 'instruction')
        self.assertEqual(len(ds.records), 2)
        expected = hashlib.sha256()
        for rel in ds.files:
            with open(os.path.join(self.dir, rel), 'rb') as fh:
                expected.update(rel.encode() + b'\0' + hashlib.sha256(fh.read()).hexdigest().encode() + b'\n')
        self.assertEqual(ds.sha256, expected.hexdigest())
        write(self.dir, 'b.jsonl', '{"instruction": "x", "output": "z"}\n')
        self.assertNotEqual(records.load_dataset(self.dir).sha256, ds.sha256)

    def test_load_dataset_refuses_kinds_mixed_across_files(self):
        write(self.dir, 'a.jsonl', '{"instruction": "x", "output": "y"}\n')
        write(self.dir, 'b.jsonl', '{"messages": [{"role": "user", "content": "a"}, {"role": "assistant", "content": "b"}]}\n')
        with self.assertRaisesRegex(records.DataError, r'mixes instruction records \(first at a.jsonl:1\) and chat records \(first at b.jsonl:1\)'):
            records.load_dataset(self.dir)

    def test_load_dataset_names_every_bad_file(self):
        write(self.dir, 'a.jsonl', '{"instruction": "x"}\n')
        write(self.dir, 'b.json', b'\xff\xfe[', mode='wb')
        with self.assertRaises(records.DataError) as caught:
            records.load_dataset(self.dir)
        self.assertEqual(caught.exception.problems, ['a.jsonl:1: "output" must be a non-empty string (missing)', 'b.json: not UTF-8 text'])

    def test_an_empty_or_missing_channel(self):
        with self.assertRaisesRegex(records.DataError, 'holds no .json or .jsonl file'):
            records.load_dataset(self.dir)
        write(self.dir, 'a.jsonl', '\n\n')
        with self.assertRaisesRegex(records.DataError, 'holds no records'):
            records.load_dataset(self.dir)
        with self.assertRaisesRegex(records.DataError, 'does not exist'):
            records.load_dataset(os.path.join(self.dir, 'nope'))

    def test_at_most_twenty_problems_are_shown(self):
        write(self.dir, 'a.jsonl', '{}\n' * 25)
        with self.assertRaises(records.DataError) as caught:
            records.load_dataset(self.dir)
        self.assertEqual(len(caught.exception.problems), 25)
        self.assertTrue(str(caught.exception).endswith('... and 5 more'))


class Settings(unittest.TestCase):
    def test_defaults(self):
        s = hparams.parse_settings({'base_model_id': 'mistralai/Mistral-7B-v0.1'})
        self.assertEqual(s.as_dict(), {
            'base_model_id': 'mistralai/Mistral-7B-v0.1', 'base_model_revision': None, 'method': 'qlora', 'lora_r': 16,
            'lora_alpha': 32.0, 'lora_dropout': 0.05, 'target_modules': 'all-linear', 'epochs': 3.0,
            'learning_rate': 0.0002, 'max_seq_length': 512, 'per_device_batch_size': 4, 'gradient_accumulation_steps': 4,
            'output': 'merged', 'prompt_template': 'auto', 'hf_token_secret_arn': None, 'seed': 42,
        })

    def test_values_as_the_api_and_as_the_python_sdk_send_them(self):
        s = hparams.parse_settings({'base_model_id': '"elyza/ELYZA-japanese-Llama-2-7b"', 'method': 'lora', 'lora_r': '"8"',
                                    'target_modules': 'q_proj, v_proj', 'epochs': '0.5', 'sagemaker_program': '"train.py"', 'max_seq_length': '1.024E3',
                                    'base_model_revision': '0a1b2c', 'hf_token_secret_arn': 'arn:aws:secretsmanager:us-east-1:123456789012:secret:hf-AbCdEf'})
        self.assertEqual((s.base_model_id, s.method, s.lora_r, s.target_modules, s.epochs, s.base_model_revision),
                         ('elyza/ELYZA-japanese-Llama-2-7b', 'lora', 8, ['q_proj', 'v_proj'], 0.5, '0a1b2c'))
        self.assertEqual(s.max_seq_length, 1024)

    def test_every_bad_value_is_reported_at_once(self):
        with self.assertRaises(hparams.SettingsError) as caught:
            hparams.parse_settings({'method': 'full', 'lora_r': '0', 'lora_dropout': '1', 'learning_rate': 'fast', 'epochs': '0',
                                    'max_seq_length': '8', 'output': 'gguf', 'prompt_template': 'vicuna', 'target_modules': 'q_proj,',
                                    'hf_token_secret_arn': 'hf_abc', 'seed': '-1', 'per_device_batch_size': '1.5', 'lora_rank': '8'})
        self.assertEqual(caught.exception.problems, [
            'unknown hyperparameter(s) lora_rank; known: ' + ', '.join(hparams.DEFAULTS),
            'base_model_id is required (a Hugging Face model id such as mistralai/Mistral-7B-v0.1)',
            "method 'full' is not one of lora, qlora",
            'lora_r 0 must be between 1 and 1024',
            'lora_dropout 1 must be in [0, 1)',
            "target_modules 'q_proj,' must be all-linear or a comma-separated list of module names (q_proj,v_proj)",
            'epochs 0 must be in (0, 1000] (a fraction such as 0.1 trains on part of one epoch)',
            "learning_rate 'fast' is not a number",
            'max_seq_length 8 must be between 16 and 1048576',
            "per_device_batch_size '1.5' is not a whole number",
            "output 'gguf' is not one of merged, adapter",
            "prompt_template 'vicuna' is not one of auto, alpaca, chat",
            "hf_token_secret_arn 'hf_abc' is not a Secrets Manager secret ARN",
            'seed -1 must be between 0 and 4294967295',
        ])

    def test_a_model_id_that_is_not_one(self):
        with self.assertRaisesRegex(hparams.SettingsError, "base_model_id 'a/b/c' is not a Hugging Face model id"):
            hparams.parse_settings({'base_model_id': 'a/b/c'})

    def test_load_settings_reads_sm_input_config_dir(self):
        d = tempfile.mkdtemp()
        write(d, 'hyperparameters.json', json.dumps({'base_model_id': 'Qwen/Qwen2.5-0.5B', 'lora_r': '4'}))
        os.environ['SM_INPUT_CONFIG_DIR'] = d
        try:
            self.assertEqual(hparams.load_settings().lora_r, 4)
        finally:
            del os.environ['SM_INPUT_CONFIG_DIR']
        with self.assertRaisesRegex(hparams.SettingsError, 'hyperparameters.json does not exist'):
            hparams.load_settings(os.path.join(d, 'nope'))
        write(d, 'hyperparameters.json', '[')
        with self.assertRaisesRegex(hparams.SettingsError, 'is not valid JSON'):
            hparams.load_settings(d)

    def test_the_sft_length_field_of_old_and_new_trl(self):
        self.assertEqual(hparams.sft_length_argument({'max_length', 'output_dir'}), 'max_length')
        self.assertEqual(hparams.sft_length_argument({'max_seq_length', 'output_dir'}), 'max_seq_length')
        with self.assertRaisesRegex(hparams.SettingsError, 'neither'):
            hparams.sft_length_argument({'output_dir'})

    def test_about_ten_checkpoints_per_run(self):
        # 1000 records, 4 x 4 per step on 1 GPU: 63 steps an epoch, 189 in 3 epochs, a save every 18.
        self.assertEqual(hparams.save_steps(1000, 4, 4, 1, 3), 18)
        self.assertEqual(hparams.save_steps(1000, 4, 4, 8, 3), 2)
        self.assertEqual(hparams.save_steps(3, 4, 4, 1, 0.1), 1)


class Prompts(unittest.TestCase):
    def test_alpaca_in_english_with_and_without_input(self):
        prompt, completion = prompts.alpaca_example({'instruction': 'Translate.', 'input': 'Hi', 'output': 'Salut '}, 'en', '</s>')
        self.assertTrue(prompt.startswith('Below is an instruction that describes a task, paired with an input'))
        self.assertTrue(prompt.endswith('### Instruction:\nTranslate.\n\n### Input:\nHi\n\n### Response:\n'))
        self.assertEqual(completion, 'Salut</s>')
        prompt, _ = prompts.alpaca_example({'instruction': 'Say hi.', 'input': '  ', 'output': 'hi'}, 'en', '')
        self.assertNotIn('### Input', prompt)

    def test_alpaca_in_japanese(self):
        prompt, completion = prompts.alpaca_example({'instruction': '要約して', 'input': '本文', 'output': '要約'}, 'ja', '</s>')
        self.assertTrue(prompt.endswith('### 指示:\n要約して\n\n### 入力:\n本文\n\n### 応答:\n'))
        self.assertEqual(completion, '要約</s>')

    def test_the_language_is_japanese_when_most_instructions_are(self):
        with open(os.path.join(FIXTURES, 'dolly-ja.json'), encoding='utf-8') as fh:
            ja = json.load(fh)
        en = [{'instruction': 'Hello', 'output': 'x'}] * 3
        self.assertEqual(prompts.detect_language(ja), 'ja')
        self.assertEqual(prompts.detect_language(en), 'en')
        self.assertEqual(prompts.detect_language(ja + en), 'en')
        self.assertEqual(prompts.detect_language([{'messages': [{'role': 'user', 'content': 'こんにちは'}, {'role': 'assistant', 'content': 'x'}]}]), 'ja')

    def test_choose_template(self):
        self.assertEqual(prompts.choose_template('auto', True, 'instruction'), 'chat')
        self.assertEqual(prompts.choose_template('auto', False, 'instruction'), 'alpaca')
        self.assertEqual(prompts.choose_template('alpaca', True, 'instruction'), 'alpaca')
        self.assertEqual(prompts.choose_template('chat', True, 'chat'), 'chat')
        for args, message in [(('chat', False, 'instruction'), 'has no chat template'), (('alpaca', True, 'chat'), 'holds chat'),
                              (('auto', False, 'chat'), 'no chat template')]:
            with self.assertRaisesRegex(prompts.TemplateError, message):
                prompts.choose_template(*args)

    def test_chat_records_become_conversational_prompt_completion(self):
        with open(os.path.join(FIXTURES, 'chat.jsonl'), encoding='utf-8') as fh:
            chat = [json.loads(line) for line in fh]
        examples = prompts.build_examples(chat, 'chat', 'en', '</s>')
        self.assertEqual(examples[1], {
            'prompt': [{'role': 'user', 'content': 'Hi'}, {'role': 'assistant', 'content': 'Hello!'}, {'role': 'user', 'content': 'What is QLoRA?'}],
            'completion': [{'role': 'assistant', 'content': 'LoRA over a 4-bit NF4 base.'}],
        })
        self.assertEqual(examples[0]['prompt'][0], {'role': 'system', 'content': 'You answer briefly.'})

    def test_instruction_records_in_the_chat_template_are_one_user_turn(self):
        self.assertEqual(prompts.build_examples([{'instruction': ' Q ', 'input': 'ctx', 'output': 'A'}, {'instruction': 'R', 'output': 'B'}], 'chat', 'en', '</s>'), [
            {'prompt': [{'role': 'user', 'content': 'Q\n\nctx'}], 'completion': [{'role': 'assistant', 'content': 'A'}]},
            {'prompt': [{'role': 'user', 'content': 'R'}], 'completion': [{'role': 'assistant', 'content': 'B'}]},
        ])

    def test_alpaca_examples_are_text_with_the_eos_token(self):
        [example] = prompts.build_examples([{'instruction': 'Say hi.', 'output': 'hi'}], 'alpaca', 'en', '</s>')
        self.assertEqual(example['completion'], 'hi</s>')
        self.assertTrue(example['prompt'].endswith('### Instruction:\nSay hi.\n\n### Response:\n'))


class Checkpoints(unittest.TestCase):
    def test_the_latest_complete_checkpoint(self):
        d = tempfile.mkdtemp()
        self.assertIsNone(checkpoints.latest_checkpoint(d))
        self.assertIsNone(checkpoints.latest_checkpoint(os.path.join(d, 'nope')))
        for step, complete in [(10, True), (200, True), (30, True), (300, False)]:
            os.makedirs(os.path.join(d, f'checkpoint-{step}'))
            if complete:
                write(d, f'checkpoint-{step}/trainer_state.json', '{}')
        write(d, 'checkpoint-999', 'a file, not a directory')
        os.makedirs(os.path.join(d, 'checkpoint-x'))
        self.assertEqual(checkpoints.latest_checkpoint(d), os.path.join(d, 'checkpoint-200'))


class Manifest(unittest.TestCase):
    def test_the_manifest_names_model_method_lora_and_data(self):
        d = tempfile.mkdtemp()
        write(d, 'data/a.json', '[{"instruction": "a", "output": "b"}]')
        ds = records.load_dataset(os.path.join(d, 'data'))
        s = hparams.parse_settings({'base_model_id': 'Qwen/Qwen2.5-0.5B', 'base_model_revision': 'abc123', 'output': 'adapter'})
        m = manifest.build_manifest(s, ds, 'alpaca', 'en', 2, {'trl': '0.23.0'}, now=0)
        self.assertEqual(m['baseModel'], {'id': 'Qwen/Qwen2.5-0.5B', 'revision': 'abc123'})
        self.assertEqual((m['method'], m['quantization'], m['output']), ('qlora', 'nf4-double-quant', 'adapter'))
        self.assertEqual(m['lora'], {'r': 16, 'alpha': 32.0, 'dropout': 0.05, 'targetModules': 'all-linear'})
        self.assertEqual(m['data'], {'sha256': ds.sha256, 'records': 1, 'files': ['a.json'], 'format': 'instruction',
                                     'promptTemplate': 'alpaca', 'language': 'en'})
        self.assertEqual((m['training']['worldSize'], m['createdAt'], m['libraries']), (2, '1970-01-01T00:00:00Z', {'trl': '0.23.0'}))
        with open(manifest.write_manifest(d, m), encoding='utf-8') as fh:
            self.assertEqual(json.load(fh), m)


class Runtime(unittest.TestCase):
    def test_paths_default_to_sagemaker_and_follow_the_environment(self):
        self.assertEqual(runtime.path('train', {}), '/opt/ml/input/data/train')
        self.assertEqual(runtime.path('checkpoints', {}), '/opt/ml/checkpoints')
        self.assertEqual(runtime.path('model_dir', {'SM_MODEL_DIR': '/tmp/m'}), '/tmp/m')

    def test_world_under_torchrun_and_alone(self):
        self.assertEqual(runtime.world({}), (0, 0, 1))
        self.assertEqual(runtime.world({'RANK': '3', 'LOCAL_RANK': '1', 'WORLD_SIZE': '4'}), (3, 1, 4))

    def test_the_model_channel_wins_when_it_holds_a_model(self):
        s = hparams.parse_settings({'base_model_id': 'Qwen/Qwen2.5-0.5B', 'base_model_revision': 'abc'})
        d = tempfile.mkdtemp()
        self.assertEqual(runtime.model_source(s, d), ('Qwen/Qwen2.5-0.5B', 'abc'))
        write(d, 'config.json', '{}')
        self.assertEqual(runtime.model_source(s, d), (d, None))

    def test_token_from_secret(self):
        self.assertEqual(runtime.token_from_secret(' hf_abc \n'), 'hf_abc')
        self.assertEqual(runtime.token_from_secret('{"HF_TOKEN": "hf_x"}'), 'hf_x')
        self.assertEqual(runtime.token_from_secret('{"token": "hf_y"}'), 'hf_y')
        for bad, message in [('', 'empty'), ('{"other": 1}', 'without an HF_TOKEN'), ('{x', 'does not parse')]:
            with self.assertRaisesRegex(ValueError, message):
                runtime.token_from_secret(bad)


class Main(unittest.TestCase):
    """train.main() up to the point where it would import torch."""

    def run_main(self, hyperparameters, data):
        d = tempfile.mkdtemp()
        write(d, 'config/hyperparameters.json', json.dumps(hyperparameters))
        for name, text in data.items():
            write(d, f'train/{name}', text)
        env = {'SM_INPUT_CONFIG_DIR': f'{d}/config', 'SM_CHANNEL_TRAIN': f'{d}/train', 'SM_OUTPUT_DIR': f'{d}/output'}
        saved = {k: os.environ.get(k) for k in env}
        os.environ.update(env)
        err = io.StringIO()
        try:
            with redirect_stderr(err):
                code = train.main()
        finally:
            for k, v in saved.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v
        failure = os.path.join(d, 'output', 'failure')
        with open(failure, encoding='utf-8') as fh:
            return code, err.getvalue(), fh.read()

    def test_bad_settings_fail_the_job_with_a_failure_file(self):
        code, err, failure = self.run_main({'base_model_id': 'Qwen/Qwen2.5-0.5B', 'lora_r': '0'}, {'a.jsonl': '{"instruction": "a", "output": "b"}'})
        self.assertEqual(code, 2)
        self.assertIn('lora_r 0 must be between 1 and 1024', failure)
        self.assertEqual(err.strip(), failure.strip())

    def test_bad_data_fails_before_any_model_is_loaded(self):
        code, _, failure = self.run_main({'base_model_id': 'Qwen/Qwen2.5-0.5B'}, {'a.jsonl': '{"instruction": "a"}'})
        self.assertEqual(code, 2)
        self.assertEqual(failure, 'a.jsonl:1: "output" must be a non-empty string (missing)')


class TrainFlow(unittest.TestCase):
    """train.main() end to end against fake_libs/ (stand-ins recording the library calls): what the
    script asks of transformers, PEFT and TRL, and what it leaves in /opt/ml/model. Nothing trains."""

    FAKES = os.path.join(HERE, 'fake_libs')
    LIBS = ('torch', 'transformers', 'peft', 'trl', 'datasets')

    @classmethod
    def setUpClass(cls):
        sys.path.insert(0, cls.FAKES)
        import transformers  # noqa: F401 (the fake, first on the path)
        cls.calls = {name: __import__(name) for name in ('transformers', 'peft', 'trl')}

    @classmethod
    def tearDownClass(cls):
        sys.path.remove(cls.FAKES)
        for name in cls.LIBS:
            sys.modules.pop(name, None)

    def setUp(self):
        for module in self.calls.values():
            module.CALLS.clear()
        self.calls['transformers'].CHAT_TEMPLATE[0] = None

    def run_main(self, hyperparameters, data, checkpoint_steps=(), staged=False):
        d = tempfile.mkdtemp()
        if staged:
            write(d, 'model-channel/config.json', '{}')
        write(d, 'config/hyperparameters.json', json.dumps(hyperparameters))
        for name, text in data.items():
            write(d, f'train/{name}', text)
        for step in checkpoint_steps:
            write(d, f'checkpoints/checkpoint-{step}/trainer_state.json', '{}')
        env = {'SM_INPUT_CONFIG_DIR': f'{d}/config', 'SM_CHANNEL_TRAIN': f'{d}/train', 'SM_OUTPUT_DIR': f'{d}/output',
               'SM_CHECKPOINT_DIR': f'{d}/checkpoints', 'SM_MODEL_DIR': f'{d}/model', 'SM_CHANNEL_MODEL': f'{d}/model-channel'}
        saved = {k: os.environ.get(k) for k in env}
        os.environ.update(env)
        try:
            with redirect_stderr(io.StringIO()), contextlib.redirect_stdout(io.StringIO()):
                code = train.main()
        finally:
            for k, v in saved.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v
        return code, d

    def call(self, library, name):
        return [c for c in self.calls[library].CALLS if c[0] == name]

    def test_qlora_merged_on_alpaca_data(self):
        with open(os.path.join(FIXTURES, 'dolly-ja.json'), encoding='utf-8') as fh:
            data = fh.read()
        code, d = self.run_main({'base_model_id': 'elyza/ELYZA-japanese-Llama-2-7b', 'base_model_revision': 'abc', 'lora_r': '8'},
                                {'dolly-ja.json': data}, checkpoint_steps=(5, 20))
        self.assertEqual(code, 0)
        loads = self.call('transformers', 'AutoModelForCausalLM.from_pretrained')
        self.assertEqual(len(loads), 2)
        (_, source, first), (_, _, reload) = loads
        self.assertEqual((source, first['revision']), ('elyza/ELYZA-japanese-Llama-2-7b', 'abc'))
        self.assertEqual(first['quantization_config'].kwargs, {'load_in_4bit': True, 'bnb_4bit_quant_type': 'nf4',
                                                               'bnb_4bit_use_double_quant': True, 'bnb_4bit_compute_dtype': 'torch.float16'})
        self.assertIsNone(reload['quantization_config'])
        self.assertEqual((reload['torch_dtype'], reload['device_map']), ('torch.float16', None))
        [(_, model, args, rows, tokenizer, lora)] = self.call('trl', 'SFTTrainer')
        self.assertFalse(model.config.use_cache)
        self.assertEqual(tokenizer.pad_token, '</s>')
        self.assertEqual(lora.kwargs, {'r': 8, 'lora_alpha': 32.0, 'lora_dropout': 0.05, 'target_modules': 'all-linear', 'bias': 'none', 'task_type': 'CAUSAL_LM'})
        self.assertEqual((args.max_length, args.completion_only_loss, args.output_dir, args.fp16, args.bf16, args.num_train_epochs, args.save_steps),
                         (512, True, f'{d}/checkpoints', True, False, 3.0, 1))
        self.assertTrue(rows[1]['prompt'].endswith('### 指示:\nヴァージン・オーストラリアはいつ運航を開始しましたか?\n\n### 入力:\nヴァージン・オーストラリア航空は2000年8月31日に運航を開始した。\n\n### 応答:\n'))
        self.assertEqual(rows[1]['completion'], '2000年8月31日です。</s>')
        self.assertEqual(self.call('trl', 'train'), [('train', f'{d}/checkpoints/checkpoint-20')])
        self.assertEqual([c[0] for c in self.calls['peft'].CALLS], ['PeftModel.from_pretrained', 'merge_and_unload'])
        self.assertEqual(sorted(os.listdir(f'{d}/model')), ['manifest.json', 'model.safetensors', 'tokenizer.json'])
        with open(f'{d}/model/manifest.json', encoding='utf-8') as fh:
            m = json.load(fh)
        self.assertEqual((m['baseModel'], m['method'], m['output'], m['data']['promptTemplate'], m['data']['language'], m['lora']['r']),
                         ({'id': 'elyza/ELYZA-japanese-Llama-2-7b', 'revision': 'abc'}, 'qlora', 'merged', 'alpaca', 'ja', 8))
        self.assertEqual(m['libraries']['trl'], '0.23.0-fake')

    def test_lora_adapter_on_chat_data(self):
        self.calls['transformers'].CHAT_TEMPLATE[0] = '{{ messages }}'
        with open(os.path.join(FIXTURES, 'chat.jsonl'), encoding='utf-8') as fh:
            data = fh.read()
        code, d = self.run_main({'base_model_id': 'Qwen/Qwen2.5-0.5B-Instruct', 'method': 'lora', 'output': 'adapter',
                                 'target_modules': 'q_proj,v_proj'}, {'chat.jsonl': data})
        self.assertEqual(code, 0)
        [(_, source, kwargs)] = self.call('transformers', 'AutoModelForCausalLM.from_pretrained')
        self.assertEqual((source, kwargs['quantization_config']), ('Qwen/Qwen2.5-0.5B-Instruct', None))
        [(_, _, _, rows, _, lora)] = self.call('trl', 'SFTTrainer')
        self.assertEqual(rows[0]['completion'], [{'role': 'assistant', 'content': 'A low-rank update to frozen weights.'}])
        self.assertEqual(lora.kwargs['target_modules'], ['q_proj', 'v_proj'])
        self.assertEqual(self.call('trl', 'train'), [('train', None)])
        self.assertEqual(self.call('trl', 'save_model'), [('save_model', f'{d}/model')])
        self.assertEqual(self.calls['peft'].CALLS, [])
        self.assertEqual(sorted(os.listdir(f'{d}/model')), ['adapter_model.safetensors', 'manifest.json', 'tokenizer.json'])

    def test_the_model_channel_replaces_the_hub(self):
        code, d = self.run_main({'base_model_id': 'Qwen/Qwen2.5-0.5B', 'base_model_revision': 'abc', 'output': 'adapter'},
                                {'a.jsonl': '{"instruction": "a", "output": "b"}'}, staged=True)
        self.assertEqual(code, 0)
        [(_, source, kwargs)] = self.call('transformers', 'AutoTokenizer.from_pretrained')
        self.assertEqual((source, kwargs['revision']), (f'{d}/model-channel', None))
        [(_, source, _)] = self.call('transformers', 'AutoModelForCausalLM.from_pretrained')
        self.assertEqual(source, f'{d}/model-channel')

    def test_chat_records_on_a_model_without_a_chat_template_fail_the_job(self):
        code, d = self.run_main({'base_model_id': 'Qwen/Qwen2.5-0.5B'}, {'c.jsonl': '{"messages": [{"role": "user", "content": "a"}, {"role": "assistant", "content": "b"}]}'})
        self.assertEqual(code, 2)
        with open(f'{d}/output/failure', encoding='utf-8') as fh:
            self.assertRegex(fh.read(), 'tokenizer has no chat template')
        self.assertEqual(self.call('transformers', 'AutoModelForCausalLM.from_pretrained'), [])


if __name__ == '__main__':
    unittest.main()
