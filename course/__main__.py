"""Command line of the course: ``python -m course COMMAND`` (``--help`` lists the commands)."""

import argparse
import sys


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m course", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("figures", help="redraw both lessons' figures into source/<assignment>/images")
    commands.add_parser("data", help="rebuild cnn_application's HDF5 data file (see data --help)", add_help=False)
    commands.add_parser(
        "lab", help="the student's JupyterLab on this course's exchange (see lab --help)", add_help=False
    )
    commands.add_parser("release", help="regenerate release/ with nbgrader (checks included) and check it for leaks")
    commands.add_parser("demo", help="grade the demo class end to end and print the table")
    commands.add_parser("grade", help="grade a whole class in parallel, resumably (see grade --help)", add_help=False)
    commands.add_parser("report", help="rewrite the class report from the gradebook", add_help=False)
    args, rest = parser.parse_known_args(argv)

    if args.command == "figures":
        from . import figures, figures_application

        if rest:
            parser.error(f"unrecognised arguments: {' '.join(rest)}")
        return figures.main([]) or figures_application.main([])
    if args.command == "data":
        from . import datasets

        return datasets.main(rest)
    if args.command == "lab":
        from . import lab

        return lab.main(rest)
    if args.command == "grade":
        from . import cli

        return cli.grade_main(rest)
    if args.command == "report":
        from . import cli

        return cli.report_main(rest)
    if rest:
        parser.error(f"unrecognised arguments: {' '.join(rest)}")
    if args.command == "release":
        from . import release

        for folder in release.build():
            print(f"release written to {folder}")
        return 0
    if args.command == "demo":
        from . import demo

        demo.run()
        return 0
    return 2


if __name__ == "__main__":
    sys.exit(main())
