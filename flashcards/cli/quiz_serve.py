"""`flash quiz serve` and `flash quiz invite`: quizzes sat in a browser, timed and keyed on the server.

Thin: ``serve`` opens the database once to check it and make the manager's
link, then hands ``flashcards.quiz.server.create_app`` to Uvicorn; ``invite``
and its ``--revoke`` call ``flashcards.store.sittings``.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

import click

from ._common import CONTEXT_SETTINGS, common_options, now, open_store, resolve_today
from .completion import complete_learner, complete_quiz
from .quiz import _clean, _plural, _say, _write, quiz


def _base_url(value: Optional[str], param_hint: str = "--base-url") -> Optional[str]:
    if value is None:
        return None
    url = value.strip().rstrip("/")
    if not url.startswith(("http://", "https://")) or any(ch.isspace() for ch in url) or len(url) > 500:
        raise click.BadParameter(f"'{_clean(value)[:60]}' is not an http:// or https:// address", param_hint=param_hint)
    return url


def _address(host: str, port: int) -> str:
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}"


@quiz.command(context_settings=CONTEXT_SETTINGS)
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on (0.0.0.0: every interface; put a TLS proxy in front, see the README).")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True,
              help="Port to listen on (0: any free port, printed).")
@click.option("--base-url", metavar="URL",
              help="The address learners and the manager use (behind a proxy: https://quiz.example.com), "
                   "for the links printed. [default: http://HOST:PORT]")
@click.option("--trust-header", metavar="NAME",
              help="Sign learners in by the roster e-mail in this request header, set by a sign-in proxy "
                   "(e.g. X-Forwarded-Email from oauth2-proxy). Only behind a proxy that sets it.")
@click.option("--manager", "managers", multiple=True, metavar="EMAIL",
              help="With --trust-header: this e-mail opens the manager's pages (repeatable).")
@click.option("--root-path", default="", metavar="PATH",
              help="The path prefix a proxy serves the quizzes under (e.g. /quiz). [default: none]")
@click.option("--proxy-headers/--no-proxy-headers", default=False, show_default=True,
              help="Trust X-Forwarded-For and X-Forwarded-Proto from --forwarded-allow-ips (Uvicorn's setting).")
@click.option("--forwarded-allow-ips", default="127.0.0.1", show_default=True, metavar="IPS",
              help="Comma-separated proxy addresses whose forwarded headers are trusted.")
@click.option("--access-log", is_flag=True, help="Log every request (off by default: sign-in links hold tokens).")
@common_options
def serve(host, port, base_url, trust_header, managers, root_path, proxy_headers, forwarded_allow_ips, access_log,
          db_path, today) -> None:
    """Serve the database's quizzes to learners' browsers, timed and keyed on the server.

    Learners open their personal link ('flash quiz invite') on a phone or
    laptop and sit the quiz one question at a time: the server keeps the key
    and the clock, stores every answer as it is given, and closes a sitting
    at its deadline. Prints the address and the manager's link (a new one at
    each start), whose pages show who is sitting, who finished and who has
    not started, the report and certificates, and void, drop, extra attempt
    and revoke. Ctrl-C stops it; a sitting resumes when it starts again.
    --today sets the day written in the records.

    Example: flash quiz serve --port 8000
    """
    import signal
    import socket

    import uvicorn

    from ..quiz.server import ServeSettings, create_app
    from ..store.sittings import SittingStore

    base = _base_url(base_url)
    if root_path and (not root_path.startswith("/") or root_path.endswith("/")):
        raise click.BadParameter("a path like /quiz (a leading slash, none at the end)", param_hint="--root-path")
    if managers and not trust_header:
        raise click.UsageError("--manager needs --trust-header (it names an e-mail that header carries)")
    with open_store(db_path, create=False) as store:
        sittings = SittingStore(store)
        if not sittings.quizzes.ids():
            raise click.ClickException(f"no quizzes in {store.path}: create one with 'flash quiz create'")
        token = sittings.new_manager_token(now=now())
        db_file = store.path
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise click.ClickException(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    sock.listen(2048)  # from now on connections wait in the backlog until Uvicorn serves them
    port = sock.getsockname()[1]
    base = base or _address(host, port) + root_path
    app = create_app(db_file, ServeSettings(trust_header=trust_header, managers=tuple(managers), today=today))
    config = uvicorn.Config(app, log_level="warning", access_log=access_log, proxy_headers=proxy_headers,
                            forwarded_allow_ips=forwarded_allow_ips, root_path=root_path, lifespan="on",
                            timeout_graceful_shutdown=5, server_header=False)
    out = click.get_text_stream("stdout")
    click.echo(f"Serving the quizzes in {db_file} on {_address(host, port)}/ (Ctrl-C stops)", file=out)
    click.echo(f"Manager's page: {base}/manage/{token}", file=out)
    click.echo("  (a new link at each start; anyone holding it can void, drop and revoke: keep it to yourself)",
               file=out)
    click.echo(f"Learners' links: flash quiz invite QUIZ --base-url {base}", file=out)
    if trust_header:
        click.echo(f"Signing learners in by the {trust_header} header: only safe behind a proxy that sets it "
                   "and strips it from what clients send", file=out)
    out.flush()

    def stopping(signum, frame):  # Uvicorn shuts down gracefully, then raises the signal again: end here
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, stopping)
    try:
        uvicorn.Server(config).run(sockets=[sock])
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
        sock.close()
    click.echo("Stopped. Sittings in progress resume, with their clocks, when the server starts again.")


@quiz.command(context_settings=CONTEXT_SETTINGS)
@click.argument("quiz_ref", metavar="QUIZ", shell_complete=complete_quiz)
@click.option("--base-url", default="http://127.0.0.1:8000", show_default=True, metavar="URL",
              help="The address learners open (what 'flash quiz serve' printed, or your proxy's).")
@click.option("--learner", "learner_refs", multiple=True, metavar="ID", shell_complete=complete_learner,
              help="Only this learner (roster id or e-mail); repeat for more. [default: everyone with a paper]")
@click.option("--csv", "csv_path", type=click.Path(dir_okay=False, path_type=Path), metavar="FILE",
              help="Also write learner_id, name, email and url as CSV, for a mail merge.")
@click.option("--revoke", "revoke_refs", multiple=True, metavar="LEARNER", shell_complete=complete_learner,
              help="Revoke this learner's link instead (roster id or e-mail); their open sessions end. Repeatable.")
@common_options
def invite(quiz_ref, base_url, learner_refs, csv_path, revoke_refs, db_path, today) -> None:
    """Give each learner a personal sign-in link for a served quiz (or revoke one).

    A link works on any device while it is live, and every device resumes
    the learner's one sitting in progress. A new link replaces the learner's
    earlier one. Piped, each line is learner-id<TAB>name<TAB>url; the links
    are kept in the database only as hashes, so they are printed once:
    keep the output (or --csv) until it is sent.

    Example: flash quiz invite lesson-4 --base-url https://quiz.example.com --csv links.csv
    """
    from ..quiz.report import csv_cell
    from ..store.sittings import SittingStore

    base = _base_url(base_url)
    if revoke_refs and (learner_refs or csv_path):
        raise click.UsageError("--revoke cannot be combined with --learner or --csv")
    with open_store(db_path, create=False) as store:
        sittings = SittingStore(store)
        the_quiz = sittings.quizzes.get(quiz_ref)
        if not the_quiz.personal:
            raise click.UsageError(f"quiz {the_quiz.id} was made before personal papers; create a new quiz")
        if revoke_refs:
            out = console_err()
            for learner in sittings.quizzes.learners(revoke_refs):
                count = sittings.revoke(the_quiz.id, learner.id, now=now(), today=resolve_today(today))
                _say(out, f"Revoked {_plural(count, 'link')} of {learner.name} ({learner.id}) for {the_quiz.id}"
                          + ("; their sessions ended." if count else " (none was live)."))
            return
        everyone = sittings.quiz_learners(the_quiz.id)
        if learner_refs:
            chosen = sittings.quizzes.learners(learner_refs)
            missing = [learner for learner in chosen if learner not in everyone]
            if missing:
                raise click.ClickException(
                    f"{', '.join(f'{m.name} ({m.id})' for m in missing)} has no paper for quiz {the_quiz.id}: "
                    f"issue one first with 'flash quiz issue {the_quiz.id} --learner {missing[0].id}'")
            everyone = chosen
        if not everyone:
            raise click.ClickException(f"nobody has a paper for quiz {the_quiz.id}")
        links = [(learner, f"{base}/i/{token}") for learner, token in sittings.invite(the_quiz.id, everyone,
                                                                                       now=now())]
    if csv_path is not None:
        import csv
        import io

        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(["learner_id", "name", "email", "url"])
        for learner, url in links:
            writer.writerow([csv_cell(learner.id), csv_cell(learner.name), csv_cell(learner.email), url])
        _write(csv_path, buffer.getvalue())
    piped = not sys.stdout.isatty()
    for learner, url in links:
        name = _clean(learner.name).replace("\t", " ")
        click.echo(f"{learner.id}\t{name}\t{url}" if piped else f"{name} ({learner.id}): {url}")
    _say(console_err(), f"{_plural(len(links), 'personal link')} for quiz {the_quiz.id}"
                        + (f", also written to {csv_path}" if csv_path else "")
                        + ". Earlier links of these learners no longer work. Send each learner their own link; "
                          "revoke one with: flash quiz invite " + the_quiz.id + " --revoke LEARNER")


def console_err():
    from ._common import error_console

    return error_console()
