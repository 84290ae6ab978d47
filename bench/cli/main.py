"""``python -m bench COMMAND [options]``: parse, dispatch, and turn bad input into one line
and exit code 2 (interrupts into 130/143)."""
from __future__ import annotations

import sys

from bench.cli import answers
from bench.cli.run_commands import cmd_list, cmd_run
from bench.cli.parser import parse_args
from bench.cli.request import to_request
from bench.errors import UsageError
from bench.results import ResultsError
from bench.texts import messages


def main(argv=None) -> int:
    from bench.run import interrupt

    argv = list(sys.argv[1:] if argv is None else argv)
    with interrupt.handling():
        try:
            args = parse_args(argv)
            if args.command in answers.HANDLERS:
                return answers.HANDLERS[args.command](args)
            # the measuring commands get one frozen request, never the namespace
            request = to_request(args)
            if request.command == "list":
                return cmd_list(request)
            return cmd_run(request)
        except (UsageError, ResultsError) as exc:
            print(messages.ERROR_LINE.format(error=exc), file=sys.stderr)
            return 2
        except KeyboardInterrupt as exc:
            interrupt.handled()
            print(messages.INTERRUPTED_BY.format(signal=interrupt.signal_name(exc)), file=sys.stderr)
            return interrupt.exit_code(exc)


if __name__ == "__main__":
    sys.exit(main())
