"""Runs test_*.py here and compiles every script of constructs/training/scripts/lora, printing one
JSON object: {"results": [{"name", "status": "passed"|"failed", "message"}]}. Run by
test/training/lora-script.test.ts (one child process); stdlib only."""
import glob
import json
import os
import py_compile
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
SCRIPTS = os.path.abspath(os.path.join(HERE, '..', '..', '..', 'constructs', 'training', 'scripts', 'lora'))


class Collector(unittest.TestResult):
    def __init__(self):
        super().__init__()
        self.results = []

    def addSuccess(self, test):
        self.results.append({'name': test.id(), 'status': 'passed', 'message': ''})

    def addFailure(self, test, err):
        self.results.append({'name': test.id(), 'status': 'failed', 'message': self._exc_info_to_string(err, test)})

    def addError(self, test, err):
        self.results.append({'name': test.id(), 'status': 'failed', 'message': self._exc_info_to_string(err, test)})

    def addSkip(self, test, reason):
        self.results.append({'name': test.id(), 'status': 'failed', 'message': f'skipped: {reason}'})


def main():
    # Keep the tree clean: compiled files go to a temporary directory, never __pycache__ beside the sources.
    sys.dont_write_bytecode = True
    collector = Collector()
    suite = unittest.defaultTestLoader.discover(HERE, pattern='test_*.py', top_level_dir=HERE)
    suite.run(collector)
    out = tempfile.mkdtemp()
    for path in sorted(glob.glob(os.path.join(SCRIPTS, '*.py'))):
        name = f'py_compile {os.path.basename(path)}'
        try:
            py_compile.compile(path, cfile=os.path.join(out, os.path.basename(path) + 'c'), doraise=True)
            collector.results.append({'name': name, 'status': 'passed', 'message': ''})
        except py_compile.PyCompileError as e:
            collector.results.append({'name': name, 'status': 'failed', 'message': e.msg})
    print(json.dumps({'python': sys.version.split()[0], 'results': collector.results}))


if __name__ == '__main__':
    main()
