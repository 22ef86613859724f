"""Runs a script (train_fsdp.py) several times in this one interpreter, each run as
`python3 SCRIPT ARGS...` would (runpy as __main__, its own sys.argv), so torch is imported once.
Reads {"script", "runs": [{"name", "args"}]} as JSON from stdin, runs them in order, and prints one
JSON object, {"runs": {name: {"status", "stdout", "stderr"}}}, where status is the exit status the
command line would have had. Run by test/training/train-fsdp.test.ts (one child process)."""
import contextlib
import io
import json
import runpy
import sys
import traceback


def run(script, args):
    stdout, stderr = io.StringIO(), io.StringIO()
    saved_argv = sys.argv
    sys.argv = [script, *args]
    status = 0
    try:
        with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
            try:
                runpy.run_path(script, run_name='__main__')
            except SystemExit as e:
                # The interpreter's own rule: None is 0, an int is itself, anything else is printed and is 1.
                if e.code is None:
                    status = 0
                elif isinstance(e.code, int):
                    status = e.code
                else:
                    print(e.code, file=sys.stderr)
                    status = 1
            except Exception:  # noqa: BLE001 - reported as the command line would: a traceback and status 1
                traceback.print_exc()
                status = 1
    finally:
        sys.argv = saved_argv
    return {'status': status, 'stdout': stdout.getvalue(), 'stderr': stderr.getvalue()}


def main():
    sys.dont_write_bytecode = True
    spec = json.load(sys.stdin)
    print(json.dumps({'runs': {r['name']: run(spec['script'], r['args']) for r in spec['runs']}}))


if __name__ == '__main__':
    main()
