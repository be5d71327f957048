"""python -m amplify_nb.sample_app install|build|start [--project-dir DIR] [--port N]

install  copy the sample app into the project's source folder and make it the project's build
build    the project's BuildCommand once installed: copy the source folder into the distribution folder
start    the project's StartCommand: serve the distribution folder on http://127.0.0.1:PORT (SPA fallback)
"""
from __future__ import annotations

import argparse
import functools
import http.server
import sys
from pathlib import Path

from ..errors import AmplifyNbError
from . import build, install, install_message


class SinglePageHandler(http.server.SimpleHTTPRequestHandler):
    """Serves files; any path without a file gets index.html, as the hosting's error document does."""

    def send_head(self):
        path = Path(self.translate_path(self.path))
        if not path.exists():
            self.path = "/index.html"
        return super().send_head()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m amplify_nb.sample_app", description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=["install", "build", "start"])
    parser.add_argument("--project-dir", default=".")
    parser.add_argument("--overwrite", action="store_true", help="install: replace files you changed too")
    parser.add_argument("--port", type=int, default=3000, help="start: the port on 127.0.0.1")
    args = parser.parse_args(argv)
    try:
        if args.action == "install":
            from ..project import Project

            print(install_message(install(Project.open(args.project_dir), overwrite=args.overwrite)))
        elif args.action == "build":
            result = build(args.project_dir)
            print(f"Built {len(result['files'])} file(s): {result['source']} -> {result['distribution']}")
        else:
            from ..project import Project

            project = Project.open(args.project_dir)
            folder = project.root / project.frontend_config.get("DistributionDir", "dist")
            build(args.project_dir)
            handler = functools.partial(SinglePageHandler, directory=str(folder))
            with http.server.ThreadingHTTPServer(("127.0.0.1", args.port), handler) as server:
                print(f"Serving {folder} at http://127.0.0.1:{args.port} (Ctrl-C to stop)")
                server.serve_forever()
    except KeyboardInterrupt:
        return 0
    except (OSError, ValueError, AmplifyNbError) as exc:  # a message, not a traceback
        print(f"🛑 {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
